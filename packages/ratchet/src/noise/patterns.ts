import { ValidationError } from '@p2pe/transport-interfaces';
import { NOISE_ERROR_CODES } from './constants';

/** §7.1: the tokens of a message pattern; `psk` comes from the psk modifiers (§9.2, §9.4). */
export type NoiseToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';
/** §7.1: a pre-message pattern is one of `e`, `s`, `e, s`, or empty. */
export type NoisePreMessageToken = 'e' | 's';
export type NoiseRole = 'initiator' | 'responder';

export interface NoiseMessagePattern {
  /** `->` is the initiator, `<-` the responder (§7.1). */
  readonly from: NoiseRole;
  readonly tokens: readonly NoiseToken[];
}

/** A handshake pattern with its modifiers applied: plain data that the one engine runs. */
export interface NoiseHandshakePattern {
  /** The full name as written in a protocol name, e.g. `XXpsk3` or `NNpsk0+psk2`. */
  readonly name: string;
  /** The base pattern, e.g. `XX`. */
  readonly base: string;
  /** Modifiers in the order written, e.g. `['psk0', 'psk2']`. */
  readonly modifiers: readonly string[];
  readonly initiatorPreMessage: readonly NoisePreMessageToken[];
  readonly responderPreMessage: readonly NoisePreMessageToken[];
  readonly messages: readonly NoiseMessagePattern[];
  /** §7.4: only the initiator sends, in one handshake message and then transport messages. */
  readonly oneWay: boolean;
  /** Number of `psk` tokens; > 0 means psk mode (§9.2: `e` also calls MixKey). */
  readonly pskCount: number;
}

/**
 * The pattern table, in the notation of the spec so it can be checked against it line by line:
 * pre-messages, then `...`, then the messages. The engine knows no pattern by name; it only
 * runs what `parsePatternNotation` makes of these strings.
 */
export const ONE_WAY_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  // §7.4
  N: '<- s ... -> e, es',
  K: '-> s <- s ... -> e, es, ss',
  X: '<- s ... -> e, es, s, ss',
});

export const FUNDAMENTAL_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  // §7.5
  NN: '-> e <- e, ee',
  NK: '<- s ... -> e, es <- e, ee',
  NX: '-> e <- e, ee, s, es',
  KN: '-> s ... -> e <- e, ee, se',
  KK: '-> s <- s ... -> e, es, ss <- e, ee, se',
  KX: '-> s ... -> e <- e, ee, se, s, es',
  XN: '-> e <- e, ee -> s, se',
  XK: '<- s ... -> e, es <- e, ee -> s, se',
  XX: '-> e <- e, ee, s, es -> s, se',
  IN: '-> e, s <- e, ee, se',
  IK: '<- s ... -> e, es, s, ss <- e, ee, se',
  IX: '-> e, s <- e, ee, se, s, es',
});

export const DEFERRED_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  // §7.6
  NK1: '<- s ... -> e <- e, ee, es',
  NX1: '-> e <- e, ee, s -> es',
  X1N: '-> e <- e, ee -> s <- se',
  X1K: '<- s ... -> e, es <- e, ee -> s <- se',
  XK1: '<- s ... -> e <- e, ee, es -> s, se',
  X1K1: '<- s ... -> e <- e, ee, es -> s <- se',
  X1X: '-> e <- e, ee, s, es -> s <- se',
  XX1: '-> e <- e, ee, s -> es, s, se',
  X1X1: '-> e <- e, ee, s -> es, s <- se',
  K1N: '-> s ... -> e <- e, ee -> se',
  K1K: '-> s <- s ... -> e, es <- e, ee -> se',
  KK1: '-> s <- s ... -> e <- e, ee, se, es',
  K1K1: '-> s <- s ... -> e <- e, ee, es -> se',
  K1X: '-> s ... -> e <- e, ee, s, es -> se',
  KX1: '-> s ... -> e <- e, ee, se, s -> es',
  K1X1: '-> s ... -> e <- e, ee, s -> se, es',
  I1N: '-> e, s <- e, ee -> se',
  I1K: '<- s ... -> e, es, s <- e, ee -> se',
  IK1: '<- s ... -> e, s <- e, ee, se, es',
  I1K1: '<- s ... -> e, s <- e, ee, es -> se',
  I1X: '-> e, s <- e, ee, s, es -> se',
  IX1: '-> e, s <- e, ee, se, s -> es',
  I1X1: '-> e, s <- e, ee, s -> se, es',
});

/** Every base pattern we run: 3 one-way, 12 fundamental, 23 deferred. */
export const HANDSHAKE_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  ...ONE_WAY_PATTERNS,
  ...FUNDAMENTAL_PATTERNS,
  ...DEFERRED_PATTERNS,
});

function unsupported(message: string): ValidationError {
  return new ValidationError(NOISE_ERROR_CODES.UNSUPPORTED_PATTERN, message);
}

const MESSAGE_TOKENS: ReadonlySet<string> = new Set(['e', 's', 'ee', 'es', 'se', 'ss', 'psk']);

/**
 * Parses the spec's notation (§7.1): `[pre-messages ...] messages`, where each line is an arrow
 * (`->` or `<-`) followed by comma-separated tokens. Whitespace and newlines are free.
 */
export function parsePatternNotation(
  base: string,
  notation: string,
  oneWay = false,
): NoiseHandshakePattern {
  const parts = notation.split('...');
  if (parts.length > 2) throw unsupported(`pattern ${base}: more than one "..."`);
  const pre = parts.length === 2 ? lines(parts[0]!) : [];
  const msgs = lines(parts[parts.length - 1]!);
  const initiatorPre: NoisePreMessageToken[] = [];
  const responderPre: NoisePreMessageToken[] = [];
  for (const { from, tokens } of pre) {
    const target = from === 'initiator' ? initiatorPre : responderPre;
    if (target.length > 0) throw unsupported(`pattern ${base}: two pre-messages from one side`);
    for (const t of tokens) {
      if (t !== 'e' && t !== 's') throw unsupported(`pattern ${base}: bad pre-message token`);
      target.push(t);
    }
  }
  const messages: NoiseMessagePattern[] = msgs.map(({ from, tokens }) => {
    for (const t of tokens) {
      if (!MESSAGE_TOKENS.has(t)) throw unsupported(`pattern ${base}: unknown token`);
    }
    return { from, tokens: tokens as NoiseToken[] };
  });
  const pattern: NoiseHandshakePattern = {
    name: base,
    base,
    modifiers: [],
    initiatorPreMessage: initiatorPre,
    responderPreMessage: responderPre,
    messages,
    oneWay,
    pskCount: countPsk(messages),
  };
  checkPatternValidity(pattern);
  return pattern;
}

function lines(text: string): { from: NoiseRole; tokens: string[] }[] {
  const out: { from: NoiseRole; tokens: string[] }[] = [];
  // Split before each arrow; the first piece (before any arrow) must be empty.
  const pieces = text.split(/(->|<-)/).map((p) => p.trim());
  if (pieces[0] !== '') throw unsupported('pattern notation: tokens before the first arrow');
  for (let i = 1; i < pieces.length; i += 2) {
    const from: NoiseRole = pieces[i] === '->' ? 'initiator' : 'responder';
    const body = pieces[i + 1] ?? '';
    const tokens = body === '' ? [] : body.split(',').map((t) => t.trim());
    if (tokens.some((t) => t === '')) throw unsupported('pattern notation: empty token');
    out.push({ from, tokens });
  }
  return out;
}

function countPsk(messages: readonly NoiseMessagePattern[]): number {
  let n = 0;
  for (const m of messages) for (const t of m.tokens) if (t === 'psk') n++;
  return n;
}

/**
 * §7.3 (and §9.3 for psk patterns): throws NOISE_UNSUPPORTED_PATTERN unless
 *  1. parties only DH with keys they have (own keys sent or pre-known; remote keys received),
 *  2. no party sends its `e` or `s` twice (pre-messages included),
 *  3. no DH token appears twice,
 *  4. after a DH of the local static key with a remote key, the local party encrypts a payload
 *     only if its local ephemeral has also been DH'd with that remote key,
 *  5. (§9.3) after a `psk`, a party encrypts nothing unless it has sent an `e` (before or after).
 * Also (§7.1, §7.4) the first message is the initiator's, the directions alternate, and a
 * one-way pattern has a single message.
 */
export function checkPatternValidity(pattern: NoiseHandshakePattern): void {
  const { name, messages } = pattern;
  const bad = (rule: string): never => {
    throw unsupported(`pattern ${name} breaks ${rule}`);
  };
  if (messages.length === 0) bad('§7.1 (no messages)');
  if (pattern.oneWay && messages.length !== 1) bad('§7.4 (one-way has one message)');
  messages.forEach((m, i) => {
    if (m.from !== (i % 2 === 0 ? 'initiator' : 'responder')) bad('§7.1 (alternating turns)');
  });
  // Which keys each side has sent (or holds from a pre-message), as "i.e", "r.s", ...
  const sent = new Set<string>();
  for (const t of pattern.initiatorPreMessage) {
    if (sent.has(`i.${t}`)) bad('§7.3 rule 2');
    sent.add(`i.${t}`);
  }
  for (const t of pattern.responderPreMessage) {
    if (sent.has(`r.${t}`)) bad('§7.3 rule 2');
    sent.add(`r.${t}`);
  }
  const dhDone = new Set<string>();
  let pskSeen = false;
  const sentE = { initiator: sent.has('i.e'), responder: sent.has('r.e') };
  // The DH tokens a side must have seen before it encrypts a payload (§7.3 rule 4).
  const needs: Record<NoiseRole, [string, string][]> = {
    initiator: [
      ['se', 'ee'],
      ['ss', 'es'],
    ],
    responder: [
      ['es', 'ee'],
      ['ss', 'se'],
    ],
  };
  const checkEncrypt = (role: NoiseRole, what: string): void => {
    for (const [dh, required] of needs[role]) {
      if (dhDone.has(dh) && !dhDone.has(required)) bad(`§7.3 rule 4 (${what})`);
    }
    if (pskSeen && !sentE[role]) bad(`§9.3 (${what})`);
  };
  for (const m of messages) {
    const me = m.from === 'initiator' ? 'i' : 'r';
    for (const t of m.tokens) {
      if (t === 'e' || t === 's') {
        if (sent.has(`${me}.${t}`)) bad('§7.3 rule 2');
        sent.add(`${me}.${t}`);
        if (t === 'e') sentE[m.from] = true;
      } else if (t === 'psk') {
        pskSeen = true;
      } else {
        if (dhDone.has(t)) bad('§7.3 rule 3');
        // First letter: the initiator's key, second: the responder's (§7.1).
        if (!sent.has(`i.${t[0]}`) || !sent.has(`r.${t[1]}`)) bad('§7.3 rule 1');
        dhDone.add(t);
      }
    }
    checkEncrypt(m.from, 'handshake payload');
  }
  // Transport payloads after the handshake: both sides, or only the initiator when one-way.
  checkEncrypt('initiator', 'transport payload');
  if (!pattern.oneWay) checkEncrypt('responder', 'transport payload');
}

/**
 * §9.4: `psk0` puts a `psk` token at the start of the first message; `pskN` (N ≥ 1) at the end of
 * the N-th message. Modifiers apply in the order written.
 */
export function applyPskModifier(pattern: NoiseHandshakePattern, n: number): NoiseHandshakePattern {
  if (n > pattern.messages.length) {
    throw unsupported(
      `pattern ${pattern.base}: psk${n} but only ${pattern.messages.length} messages`,
    );
  }
  const messages = pattern.messages.map((m, i) => {
    if (n === 0 && i === 0) return { from: m.from, tokens: ['psk' as const, ...m.tokens] };
    if (n > 0 && i === n - 1) return { from: m.from, tokens: [...m.tokens, 'psk' as const] };
    return m;
  });
  return { ...pattern, messages, pskCount: countPsk(messages) };
}

const cache = new Map<string, NoiseHandshakePattern>();

/**
 * The pattern of a name as written in a protocol name (§8): a base pattern from the table,
 * then optional modifiers joined by `+` (`XXpsk3`, `NNpsk0+psk2`). Only psk modifiers (§9.4) are
 * supported; `fallback` (§10.2) throws NOISE_UNSUPPORTED_PATTERN. The order of psk modifiers does
 * not change the pattern, so §8.1 requires them sorted: `NNpsk2+psk0` (or a repeated modifier) is
 * refused, and one pattern has one name. The result passes §7.3/§9.3.
 */
export function handshakePattern(name: string): NoiseHandshakePattern {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const m = /^([A-Z][A-Z0-9]*)([a-z].*)?$/.exec(name);
  if (m === null) throw unsupported(`unknown handshake pattern (length ${name.length})`);
  const base = m[1]!;
  const notation = HANDSHAKE_PATTERNS[base];
  if (notation === undefined || !Object.hasOwn(HANDSHAKE_PATTERNS, base)) {
    throw unsupported(`unknown handshake pattern (length ${name.length})`);
  }
  let pattern = parsePatternNotation(base, notation, Object.hasOwn(ONE_WAY_PATTERNS, base));
  const modifiers = m[2] === undefined ? [] : m[2].split('+');
  let previous = -1;
  for (const mod of modifiers) {
    const psk = /^psk(0|[1-9][0-9]?)$/.exec(mod);
    if (psk === null) {
      throw unsupported(
        mod === 'fallback'
          ? 'the fallback modifier (§10.2) is not supported'
          : `unknown pattern modifier (length ${mod.length})`,
      );
    }
    const n = Number(psk[1]);
    // §8.1: modifiers whose order does not matter "are required to be sorted alphabetically".
    // No pattern has 10 messages, so the numbers that pass applyPskModifier are single digits,
    // where alphabetical order is numeric order; strictly increasing also refuses repeats.
    if (n <= previous) {
      throw unsupported(`pattern ${base}: psk modifiers repeated or not in ascending order`);
    }
    previous = n;
    pattern = applyPskModifier(pattern, n);
  }
  pattern = { ...pattern, name, modifiers };
  checkPatternValidity(pattern);
  Object.freeze(pattern);
  cache.set(name, pattern);
  return pattern;
}
