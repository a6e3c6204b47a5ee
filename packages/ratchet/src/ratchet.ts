import { equalBytes, type KeyPair } from '@p2pe/crypto';
import {
  assertBytes,
  type Clock,
  DecodeError,
  LimitError,
  P2peError,
  type RandomBytes,
  StateError,
  systemClock,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  MAX_AD_BYTES,
  MAX_PLAINTEXT_BYTES,
  MAX_PREVIOUS_RECEIVE_KEYS,
  MAX_SKIP,
  MAX_SKIPPED_KEYS,
  RATCHET_WIRE_VERSION,
  SKIPPED_KEY_MAX_AGE_MS,
} from './constants';
import { kdfChain, kdfRoot } from './kdf';
import {
  allocateRatchetMessage,
  decodeHeader,
  decodeRatchetMessage,
  encodeHeader,
  type RatchetHeader,
} from './message';
import type { RatchetSuite } from './suite';

/** Bounds on skipped message keys (spec §3.2 MAX_SKIP, and a total with expiry). */
export interface RatchetLimits {
  /**
   * Most message keys one received message may skip in one chain.
   * @default MAX_SKIP (1000)
   */
  readonly maxSkip: number;
  /**
   * Most skipped message keys stored in total; the oldest are dropped beyond it.
   * @default MAX_SKIPPED_KEYS (2000)
   */
  readonly maxSkippedKeys: number;
  /**
   * Age after which a skipped message key is no longer used.
   * @default SKIPPED_KEY_MAX_AGE_MS (30 days)
   */
  readonly skippedKeyMaxAgeMs: number;
}

export const defaultRatchetLimits: RatchetLimits = Object.freeze({
  maxSkip: MAX_SKIP,
  maxSkippedKeys: MAX_SKIPPED_KEYS,
  skippedKeyMaxAgeMs: SKIPPED_KEY_MAX_AGE_MS,
});

/**
 * The limits with their defaults, checked: positive integers; no more skipped keys than a stored
 * state may hold (MAX_SKIPPED_KEYS), or a session could not be restored after a save; and a jump
 * of at most 25,000 keys (libsignal's MAX_FORWARD_JUMPS), the work one forged counter can cause.
 */
export function resolveRatchetLimits(limits: Partial<RatchetLimits> = {}): RatchetLimits {
  const out = { ...defaultRatchetLimits, ...limits };
  const check = (name: keyof RatchetLimits, max: number): void => {
    const v = out[name];
    if (!Number.isSafeInteger(v) || v < 1 || v > max) {
      throw new ValidationError(
        'RATCHET_LIMITS',
        `"limits.${name}" expected an integer from 1 to ${max}, got ${String(v)}`,
      );
    }
  };
  check('maxSkip', 25_000);
  check('maxSkippedKeys', MAX_SKIPPED_KEYS);
  check('skippedKeyMaxAgeMs', Number.MAX_SAFE_INTEGER);
  return out;
}

/** Collaborators of a ratchet session, injected. */
export interface RatchetOptions {
  /** @default systemClock() */
  readonly clock?: Clock;
  /** Source of new ratchet key pairs and header nonces. @default the backend's randomBytes */
  readonly random?: RandomBytes;
  readonly limits?: Partial<RatchetLimits>;
}

/** A stored skipped message key (spec §3.2 MKSKIPPED), with the time it was stored. */
export interface SkippedKey {
  /** The chain it belongs to: the sender's ratchet public key, or the header key (HE). */
  readonly chain: Uint8Array;
  readonly n: number;
  readonly messageKey: Uint8Array;
  readonly storedAt: number;
}

/**
 * The whole state of one Double Ratchet session (spec §3.2, §4.2), as plain data. Never mutated in
 * place: a transition builds the new values and swaps them in only when it succeeds.
 */
export interface RatchetState {
  readonly headerEncryption: boolean;
  /** Session associated data: binds both identities and the session (see session.ts). */
  readonly ad: Uint8Array;
  readonly dhs: KeyPair;
  readonly dhr: Uint8Array | undefined;
  readonly rootKey: Uint8Array;
  readonly sendChainKey: Uint8Array | undefined;
  readonly receiveChainKey: Uint8Array | undefined;
  readonly ns: number;
  readonly nr: number;
  readonly pn: number;
  /**
   * A new peer ratchet key was received; the sending half of the DH ratchet step (new DHs,
   * KDF_RK) is done at the next send (spec §3.5 DHRatchet, deferred: see README).
   */
  readonly pendingSendRatchet: boolean;
  readonly hks: Uint8Array | undefined;
  readonly hkr: Uint8Array | undefined;
  readonly nhks: Uint8Array | undefined;
  readonly nhkr: Uint8Array | undefined;
  /** Skipped message keys in the order stored (oldest first), by `chainHex:n`. */
  readonly skipped: ReadonlyMap<string, SkippedKey>;
  /** Recent previous receiving chains (DHr, or HKr with HE): to recognise replays. */
  readonly previousChains: readonly Uint8Array[];
}

/** Parameters of the side that sends first (spec §3.3 RatchetInitAlice, §4.3). */
export interface SenderInit {
  /** SK, the shared secret of the handshake: the first root key. */
  readonly rootKey: Uint8Array;
  /** The peer's initial ratchet public key. */
  readonly remoteRatchetKey: Uint8Array;
  readonly ad: Uint8Array;
  /** Header encryption (§4.3): shared_hka (our first sending header key) and shared_nhkb. */
  readonly headerKeys?: { readonly send: Uint8Array; readonly nextReceive: Uint8Array };
  /**
   * Extension (seeding from Noise): the peer may send before it has heard from us, on a chain
   * seeded from the handshake under its initial ratchet key, with this chain key and (HE) header
   * key. See seed.ts.
   */
  readonly receiveChain?: { readonly chainKey: Uint8Array; readonly headerKey?: Uint8Array };
}

/** Parameters of the side that receives first (spec §3.3 RatchetInitBob, §4.3). */
export interface ReceiverInit {
  readonly rootKey: Uint8Array;
  /** Our initial ratchet key pair, whose public key the sender has. */
  readonly ratchetKeyPair: KeyPair;
  readonly ad: Uint8Array;
  /** Header encryption (§4.3): shared_nhkb (our next sending) and shared_hka (next receiving). */
  readonly headerKeys?: { readonly nextSend: Uint8Array; readonly nextReceive: Uint8Array };
  /** Extension: a sending chain seeded from the handshake, so we can send at once. */
  readonly sendChain?: { readonly chainKey: Uint8Array; readonly headerKey?: Uint8Array };
}

/** What `decrypt` returns: the plaintext and where it sat in the peer's chains. */
export interface Decrypted {
  readonly plaintext: Uint8Array;
  readonly header: RatchetHeader;
  /** True when the message key came from the skipped keys (the message was late). */
  readonly fromSkipped: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Headers up to this size build their AD in the session's scratch buffer. */
const AD_SCRATCH_HEADER = 256;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A skipped key a transition plans to add (kept out of the state until it commits). */
interface PlannedSkip {
  readonly key: string;
  readonly value: SkippedKey;
}

/**
 * One Double Ratchet session (Signal's "The Double Ratchet Algorithm", rev. 4, 2025).
 *
 * Every transition computes its results into local values first and commits them to the state
 * only after the AEAD has accepted the message, so a message that fails to decrypt (forged,
 * corrupted, replayed, over a limit) leaves the state exactly as it was.
 */
export class DoubleRatchet {
  readonly suite: RatchetSuite;
  #s: RatchetState;
  readonly #clock: Clock;
  readonly #random: RandomBytes;
  readonly #limits: RatchetLimits;
  /** H(ad) || version: the fixed prefix of every message's associated data. */
  #adPrefix: Uint8Array;
  /** Reused buffer for a message's AD (prefix || header): the AEAD reads it synchronously. */
  #adScratch: Uint8Array;

  /** Builds a session from a state (see `initSender`, `initReceiver`, `restoreRatchet`). */
  constructor(suite: RatchetSuite, state: RatchetState, options: RatchetOptions = {}) {
    this.suite = suite;
    this.#s = state;
    this.#clock = options.clock ?? systemClock();
    this.#random = options.random ?? suite.backend.randomBytes;
    this.#limits = resolveRatchetLimits(options.limits);
    // The session AD enters each message's AD as its hash (fixed 32/64 bytes, however long the
    // identities are), then the wire version, then the exact header bytes received.
    this.#adPrefix = concat2(suite.hash.digest(state.ad), Uint8Array.of(RATCHET_WIRE_VERSION));
    this.#adScratch = new Uint8Array(this.#adPrefix.length + AD_SCRATCH_HEADER);
    this.#adScratch.set(this.#adPrefix);
  }

  /** RatchetInitAlice (spec §3.3; §4.3 with header encryption). */
  static initSender(
    suite: RatchetSuite,
    init: SenderInit,
    options: RatchetOptions = {},
  ): DoubleRatchet {
    const hl = suite.hash.outputLength;
    const kl = suite.aead.keyLength;
    assertBytes(init.rootKey, 'rootKey', hl);
    assertBytes(init.remoteRatchetKey, 'remoteRatchetKey', suite.dh.publicKeyLength);
    checkAd(init.ad);
    const he = init.headerKeys !== undefined;
    if (he) {
      assertBytes(init.headerKeys.send, 'headerKeys.send', kl);
      assertBytes(init.headerKeys.nextReceive, 'headerKeys.nextReceive', kl);
    }
    if (init.receiveChain !== undefined) {
      assertBytes(init.receiveChain.chainKey, 'receiveChain.chainKey', hl);
      if (he) assertBytes(init.receiveChain.headerKey, 'receiveChain.headerKey', kl);
    }
    const random = options.random ?? suite.backend.randomBytes;
    const dhs = suite.dh.generateKeyPair(random);
    const step = kdfRoot(
      suite,
      init.rootKey,
      suite.dh.dh(dhs.secretKey, init.remoteRatchetKey),
      he,
    );
    const state: RatchetState = {
      headerEncryption: he,
      ad: init.ad.slice(),
      dhs,
      dhr: init.remoteRatchetKey.slice(),
      rootKey: step.rootKey,
      sendChainKey: step.chainKey,
      receiveChainKey: init.receiveChain?.chainKey.slice(),
      ns: 0,
      nr: 0,
      pn: 0,
      pendingSendRatchet: false,
      hks: init.headerKeys?.send.slice(),
      hkr: he ? init.receiveChain?.headerKey?.slice() : undefined,
      nhks: step.nextHeaderKey,
      nhkr: init.headerKeys?.nextReceive.slice(),
      skipped: new Map(),
      previousChains: [],
    };
    return new DoubleRatchet(suite, state, options);
  }

  /** RatchetInitBob (spec §3.3; §4.3 with header encryption). */
  static initReceiver(
    suite: RatchetSuite,
    init: ReceiverInit,
    options: RatchetOptions = {},
  ): DoubleRatchet {
    const hl = suite.hash.outputLength;
    const kl = suite.aead.keyLength;
    assertBytes(init.rootKey, 'rootKey', hl);
    assertBytes(
      init.ratchetKeyPair?.publicKey,
      'ratchetKeyPair.publicKey',
      suite.dh.publicKeyLength,
    );
    assertBytes(
      init.ratchetKeyPair.secretKey,
      'ratchetKeyPair.secretKey',
      suite.dh.secretKeyLength,
    );
    checkAd(init.ad);
    const he = init.headerKeys !== undefined;
    if (he) {
      assertBytes(init.headerKeys.nextSend, 'headerKeys.nextSend', kl);
      assertBytes(init.headerKeys.nextReceive, 'headerKeys.nextReceive', kl);
    }
    if (init.sendChain !== undefined) {
      assertBytes(init.sendChain.chainKey, 'sendChain.chainKey', hl);
      if (he) assertBytes(init.sendChain.headerKey, 'sendChain.headerKey', kl);
    }
    const state: RatchetState = {
      headerEncryption: he,
      ad: init.ad.slice(),
      dhs: {
        publicKey: init.ratchetKeyPair.publicKey.slice(),
        secretKey: init.ratchetKeyPair.secretKey.slice(),
      },
      dhr: undefined,
      rootKey: init.rootKey.slice(),
      sendChainKey: init.sendChain?.chainKey.slice(),
      receiveChainKey: undefined,
      ns: 0,
      nr: 0,
      pn: 0,
      pendingSendRatchet: false,
      hks: he ? init.sendChain?.headerKey?.slice() : undefined,
      hkr: undefined,
      nhks: init.headerKeys?.nextSend.slice(),
      nhkr: init.headerKeys?.nextReceive.slice(),
      skipped: new Map(),
      previousChains: [],
    };
    return new DoubleRatchet(suite, state, options);
  }

  /** A snapshot of the current state (for storage and tests). */
  get state(): RatchetState {
    return { ...this.#s };
  }

  /** True when `encrypt` can be called (a sending chain exists or can be made). */
  get canSend(): boolean {
    const s = this.#s;
    return s.sendChainKey !== undefined || (s.pendingSendRatchet && s.dhr !== undefined);
  }

  /** Number of stored skipped message keys. */
  get skippedKeyCount(): number {
    return this.#s.skipped.size;
  }

  /**
   * RatchetEncrypt (spec §3.4; RatchetEncryptHE §4.4). Returns the encoded RatchetMessage.
   * The message key encrypts exactly one message, so the AEAD nonce is fixed at zero (as a
   * one-time key needs no nonce; spec §5.2 derives the IV from the key for the same reason).
   */
  encrypt(plaintext: Uint8Array, associatedData?: Uint8Array): Uint8Array {
    assertBytes(plaintext, 'plaintext');
    if (associatedData !== undefined) checkExtraAd(associatedData);
    if (plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new LimitError(
        'RATCHET_PLAINTEXT_TOO_LARGE',
        `plaintext of ${plaintext.length} bytes exceeds ${MAX_PLAINTEXT_BYTES}`,
      );
    }
    const suite = this.suite;
    let s = this.#s;
    if (s.pendingSendRatchet) {
      // The sending half of DHRatchet (spec §3.5), deferred from the receive that saw the key.
      const dhr = s.dhr!;
      const dhs = suite.dh.generateKeyPair(this.#random);
      const step = kdfRoot(suite, s.rootKey, suite.dh.dh(dhs.secretKey, dhr), s.headerEncryption);
      s = {
        ...s,
        pn: s.ns,
        ns: 0,
        dhs,
        rootKey: step.rootKey,
        sendChainKey: step.chainKey,
        hks: s.headerEncryption ? s.nhks : undefined,
        nhks: step.nextHeaderKey,
        pendingSendRatchet: false,
      };
    }
    if (s.sendChainKey === undefined) {
      throw new StateError(
        'RATCHET_CANNOT_SEND',
        'no sending chain yet: the peer must send the first message',
      );
    }
    if (s.ns >= 0xffff_ffff) {
      throw new LimitError('RATCHET_CHAIN_EXHAUSTED', 'sending chain reached 2^32 - 1 messages');
    }
    const { chainKey, messageKey } = kdfChain(suite, s.sendChainKey);
    let headerField = encodeHeader({ dh: s.dhs.publicKey, pn: s.pn, n: s.ns });
    if (s.headerEncryption) {
      if (s.hks === undefined) {
        throw new StateError('RATCHET_CANNOT_SEND', 'no sending header key yet');
      }
      headerField = this.#sealHeader(s.hks, headerField);
    }
    const out = allocateRatchetMessage(headerField, plaintext.length + suite.aead.tagLength);
    suite.aead.encrypt(
      messageKey,
      suite.zeroNonce,
      plaintext,
      this.#ad(headerField, associatedData),
      out.body,
    );
    if (s === this.#s) {
      // Hot path (no DH step): commit the two fields in place; nothing failed after this point.
      const m = s as Mutable<RatchetState>;
      m.sendChainKey = chainKey;
      m.ns = s.ns + 1;
    } else {
      this.#s = { ...s, sendChainKey: chainKey, ns: s.ns + 1 };
    }
    return out.bytes;
  }

  /**
   * RatchetDecrypt (spec §3.5; RatchetDecryptHE §4.4). Throws, with the state unchanged:
   * DecodeError for malformed bytes; VerificationError `RATCHET_DECRYPT_FAILED` (or a DH error of
   * the suite) when the message does not authenticate; StateError `RATCHET_DUPLICATE` for a
   * message whose key was already used or deleted; LimitError `RATCHET_TOO_MANY_SKIPPED` when it
   * would skip more than `maxSkip` keys in a chain.
   */
  decrypt(message: Uint8Array, associatedData?: Uint8Array): Decrypted {
    if (associatedData !== undefined) checkExtraAd(associatedData);
    const parts = decodeRatchetMessage(message);
    const now = this.#clock.now();
    const ad = this.#ad(parts.header, associatedData);
    return this.#s.headerEncryption
      ? this.#decryptHe(parts.header, parts.body, ad, now)
      : this.#decryptPlain(parts.header, parts.body, ad, now);
  }

  /**
   * AD of one message (spec §3.4 "AD || header"): H(session AD) || version || the exact header
   * bytes, then, when the caller binds more (e.g. the envelope's message id), len || extra.
   */
  #ad(header: Uint8Array, extra: Uint8Array | undefined): Uint8Array {
    const p = this.#adPrefix.length;
    const extraLength = extra === undefined ? 0 : 1 + extra.length;
    if (header.length + extraLength > AD_SCRATCH_HEADER) {
      const out = new Uint8Array(p + header.length + extraLength);
      out.set(this.#adPrefix, 0);
      out.set(header, p);
      if (extra !== undefined) {
        out[p + header.length] = extra.length;
        out.set(extra, p + header.length + 1);
      }
      return out;
    }
    this.#adScratch.set(header, p);
    if (extra !== undefined) {
      this.#adScratch[p + header.length] = extra.length;
      this.#adScratch.set(extra, p + header.length + 1);
    }
    return this.#adScratch.subarray(0, p + header.length + extraLength);
  }

  #decryptPlain(headerBytes: Uint8Array, body: Uint8Array, ad: Uint8Array, now: number): Decrypted {
    const s = this.#s;
    const header = decodeHeader(headerBytes, this.suite.dh.publicKeyLength);
    // TrySkippedMessageKeys (§3.5).
    const skipped = this.#findSkipped(header.dh, header.n, now);
    if (skipped !== undefined) {
      const plaintext = this.#open(skipped.value.messageKey, body, ad);
      this.#commitSkippedUse(skipped.key, now);
      return { plaintext, header, fromSkipped: true };
    }
    if (s.dhr !== undefined && equalBytes(header.dh, s.dhr)) {
      return this.#receiveInChain(s, header, header.dh, body, ad, now);
    }
    if (s.previousChains.some((k) => equalBytes(k, header.dh))) {
      throw duplicate();
    }
    // A new ratchet key: DHRatchet (§3.5), receiving half now, sending half at the next send.
    return this.#receiveNewChain(s, header, s.dhr, header.dh, body, ad, now);
  }

  #decryptHe(headerField: Uint8Array, body: Uint8Array, ad: Uint8Array, now: number): Decrypted {
    const s = this.#s;
    const dhLength = this.suite.dh.publicKeyLength;
    // TrySkippedMessageKeysHE (§4.4): one header trial per distinct header key, each key tried
    // once in all: at most the current, NHKr and 16 previous (MAX_PREVIOUS_RECEIVE_KEYS).
    const tried = new Set<string>();
    for (const entry of s.skipped.values()) {
      const chainHex = hex(entry.chain);
      if (tried.has(chainHex)) continue;
      tried.add(chainHex);
      const hb = this.#openHeader(entry.chain, headerField);
      if (hb === undefined) continue;
      const header = decodeHeader(hb, dhLength);
      const found = this.#findSkippedByHex(chainHex, header.n, now);
      if (found === undefined) {
        if (s.hkr !== undefined && equalBytes(entry.chain, s.hkr)) {
          return this.#receiveInChain(s, header, s.hkr, body, ad, now); // current chain
        }
        throw duplicate();
      }
      const plaintext = this.#open(found.value.messageKey, body, ad);
      this.#commitSkippedUse(found.key, now);
      return { plaintext, header, fromSkipped: true };
    }
    if (s.hkr !== undefined && !tried.has(hex(s.hkr))) {
      const hb = this.#openHeader(s.hkr, headerField);
      if (hb !== undefined) {
        const header = decodeHeader(hb, dhLength);
        return this.#receiveInChain(s, header, s.hkr, body, ad, now);
      }
    }
    const hb = s.nhkr === undefined ? undefined : this.#openHeader(s.nhkr, headerField);
    if (hb === undefined) {
      const old = s.previousChains.filter((k) => !tried.has(hex(k)));
      if (old.some((k) => this.#openHeader(k, headerField) !== undefined)) {
        throw duplicate();
      }
      throw new VerificationError(
        'RATCHET_DECRYPT_FAILED',
        'message header does not decrypt under any header key of the session',
      );
    }
    const header = decodeHeader(hb, dhLength);
    // DHRatchetHE (§4.4), receiving half: the new chain's header key is NHKr.
    return this.#receiveNewChain(s, header, s.hkr, s.nhkr!, body, ad, now);
  }

  /**
   * The receiving half of DHRatchet (§3.5) / DHRatchetHE (§4.4), planned and committed only if
   * the message opens: skip the rest of the current receiving chain (`current`, to header.pn),
   * one DH with the new key, then the new chain (`next`: the key, or NHKr with HE) to header.n.
   * The sending half waits for our next send (`pendingSendRatchet`).
   */
  #receiveNewChain(
    s: RatchetState,
    header: RatchetHeader,
    current: Uint8Array | undefined,
    next: Uint8Array,
    body: Uint8Array,
    ad: Uint8Array,
    now: number,
  ): Decrypted {
    checkCounter(header);
    const he = s.headerEncryption;
    const plannedOld =
      s.receiveChainKey !== undefined && current !== undefined
        ? this.#planSkip(s.receiveChainKey, s.nr, header.pn, current, now)
        : { chainKey: s.receiveChainKey, skips: [] };
    this.#checkSkip(0, header.n);
    const step = kdfRoot(this.suite, s.rootKey, this.suite.dh.dh(s.dhs.secretKey, header.dh), he);
    const planned = this.#planSkip(step.chainKey, 0, header.n, next, now);
    const { chainKey, messageKey } = kdfChain(this.suite, planned.chainKey!);
    const plaintext = this.#open(messageKey, body, ad);
    const previousChains = pushBounded(s.previousChains, current);
    this.#commit(
      {
        ...s,
        dhr: header.dh.slice(),
        rootKey: step.rootKey,
        receiveChainKey: chainKey,
        nr: header.n + 1,
        pendingSendRatchet: true,
        previousChains,
        ...(he ? { hkr: next, nhkr: step.nextHeaderKey } : {}),
      },
      [...plannedOld.skips, ...planned.skips],
      now,
      // HE: every header is tried under each chain that holds skipped keys, so only the chains
      // still remembered keep them: a forged header costs at most 2 + 16 trials.
      he ? s.previousChains.filter((c) => !previousChains.includes(c)) : [],
    );
    return { plaintext, header, fromSkipped: false };
  }

  /** A message in the current receiving chain (`chain` names it). */
  #receiveInChain(
    s: RatchetState,
    header: RatchetHeader,
    chain: Uint8Array,
    body: Uint8Array,
    ad: Uint8Array,
    now: number,
  ): Decrypted {
    if (header.n < s.nr || s.receiveChainKey === undefined) throw duplicate();
    checkCounter(header);
    const planned = this.#planSkip(s.receiveChainKey, s.nr, header.n, chain, now);
    const { chainKey, messageKey } = kdfChain(this.suite, planned.chainKey!);
    const plaintext = this.#open(messageKey, body, ad);
    if (planned.skips.length === 0 && s === this.#s) {
      // Hot path (in order, nothing skipped): commit the two fields in place, after success.
      const m = s as Mutable<RatchetState>;
      m.receiveChainKey = chainKey;
      m.nr = header.n + 1;
      this.#commit(s, [], now);
    } else {
      this.#commit({ ...s, receiveChainKey: chainKey, nr: header.n + 1 }, planned.skips, now);
    }
    return { plaintext, header, fromSkipped: false };
  }

  /** SkipMessageKeys (§3.5), planned: derives keys nr..until-1 without touching the state. */
  #planSkip(
    chainKey: Uint8Array | undefined,
    nr: number,
    until: number,
    chainId: Uint8Array,
    now: number,
  ): { chainKey: Uint8Array | undefined; skips: PlannedSkip[] } {
    if (chainKey === undefined || until <= nr) return { chainKey, skips: [] };
    this.#checkSkip(nr, until);
    const chain = chainId.slice();
    const chainHex = hex(chain);
    const skips: PlannedSkip[] = [];
    let ck = chainKey;
    for (let n = nr; n < until; n++) {
      const step = kdfChain(this.suite, ck);
      skips.push({
        key: `${chainHex}:${n}`,
        value: { chain, n, messageKey: step.messageKey, storedAt: now },
      });
      ck = step.chainKey;
    }
    return { chainKey: ck, skips };
  }

  #checkSkip(nr: number, until: number): void {
    if (until - nr > this.#limits.maxSkip) {
      throw new LimitError(
        'RATCHET_TOO_MANY_SKIPPED',
        `message would skip ${until - nr} keys in one chain, at most ${this.#limits.maxSkip}`,
      );
    }
  }

  #findSkipped(chain: Uint8Array, n: number, now: number): PlannedSkip | undefined {
    if (this.#s.skipped.size === 0) return undefined;
    return this.#findSkippedByHex(hex(chain), n, now);
  }

  #findSkippedByHex(chainHex: string, n: number, now: number): PlannedSkip | undefined {
    const key = `${chainHex}:${n}`;
    const value = this.#s.skipped.get(key);
    if (value === undefined) return undefined;
    if (now - value.storedAt >= this.#limits.skippedKeyMaxAgeMs) {
      throw new StateError('RATCHET_KEY_EXPIRED', 'the message key of this late message expired');
    }
    return { key, value };
  }

  #open(messageKey: Uint8Array, body: Uint8Array, ad: Uint8Array): Uint8Array {
    try {
      return this.suite.aead.decrypt(messageKey, this.suite.zeroNonce, body, ad);
    } catch (err) {
      if (P2peError.is(err) && err.category === 'verification') {
        throw new VerificationError('RATCHET_DECRYPT_FAILED', 'message did not authenticate', {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** HENCRYPT: nonce || AEAD(hk, nonce, header, ad). Random nonces: a header key is reused. */
  #sealHeader(hk: Uint8Array, header: Uint8Array): Uint8Array {
    const nonce = this.#random(this.suite.aead.nonceLength);
    return concat2(nonce, this.suite.aead.encrypt(hk, nonce, header, this.#s.ad));
  }

  /** HDECRYPT: the header bytes, or undefined when `hk` does not open it. */
  #openHeader(hk: Uint8Array, field: Uint8Array): Uint8Array | undefined {
    const nl = this.suite.aead.nonceLength;
    if (field.length < nl + this.suite.aead.tagLength) return undefined;
    try {
      return this.suite.aead.decrypt(hk, field.subarray(0, nl), field.subarray(nl), this.#s.ad);
    } catch (err) {
      if (P2peError.is(err) && err.category === 'verification') return undefined;
      throw err;
    }
  }

  #commitSkippedUse(key: string, now: number): void {
    const skipped = new Map(this.#s.skipped);
    skipped.delete(key);
    pruneExpired(skipped, now, this.#limits.skippedKeyMaxAgeMs);
    this.#s = { ...this.#s, skipped };
  }

  #commit(
    next: RatchetState,
    adds: PlannedSkip[],
    now: number,
    forgetChains: readonly Uint8Array[] = [],
  ): void {
    let skipped = next.skipped as Map<string, SkippedKey>;
    const maxAge = this.#limits.skippedKeyMaxAgeMs;
    const needsPrune = skipped.size > 0 && now - skipped.values().next().value!.storedAt >= maxAge;
    if (adds.length > 0 || needsPrune || forgetChains.length > 0) {
      skipped = new Map(skipped);
      if (forgetChains.length > 0) {
        const prefixes = forgetChains.map((c) => `${hex(c)}:`);
        for (const key of skipped.keys()) {
          if (prefixes.some((p) => key.startsWith(p))) skipped.delete(key);
        }
      }
      for (const a of adds) skipped.set(a.key, a.value);
      pruneExpired(skipped, now, maxAge);
      // Total bound: drop the oldest.
      const excess = skipped.size - this.#limits.maxSkippedKeys;
      if (excess > 0) {
        let i = 0;
        for (const key of skipped.keys()) {
          if (i++ >= excess) break;
          skipped.delete(key);
        }
      }
    }
    this.#s = skipped === next.skipped ? next : { ...next, skipped };
  }

  /** Drops expired skipped keys now (also done by every successful decrypt). */
  pruneExpired(): number {
    const before = this.#s.skipped.size;
    const skipped = new Map(this.#s.skipped);
    pruneExpired(skipped, this.#clock.now(), this.#limits.skippedKeyMaxAgeMs);
    if (skipped.size !== before) this.#s = { ...this.#s, skipped };
    return before - skipped.size;
  }

  /** Counters only: never key bytes. */
  toString(): string {
    const s = this.#s;
    return `DoubleRatchet(${this.suite.names.dh}, ns=${s.ns}, nr=${s.nr}, pn=${s.pn}, skipped=${s.skipped.size})`;
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Senders stop at n = 2^32 - 2 (`encrypt` refuses to go on), so n = 2^32 - 1 is never sent; were
 * it accepted, Nr would become 2^32, which the stored state cannot hold.
 */
function checkCounter(header: RatchetHeader): void {
  if (header.n >= 0xffff_ffff) {
    throw new DecodeError('RATCHET_COUNTER_RANGE', 'message number 2^32 - 1 is never sent');
  }
}

function duplicate(): StateError {
  return new StateError(
    'RATCHET_DUPLICATE',
    'message key already used or deleted (a duplicate or replayed message)',
  );
}

function checkExtraAd(ad: Uint8Array): void {
  assertBytes(ad, 'associatedData');
  if (ad.length > 255) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"associatedData" of ${ad.length} bytes exceeds 255`,
    );
  }
}

function checkAd(ad: Uint8Array): void {
  assertBytes(ad, 'ad');
  if (ad.length > MAX_AD_BYTES) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"ad" of ${ad.length} bytes exceeds ${MAX_AD_BYTES}`,
    );
  }
}

function pushBounded(list: readonly Uint8Array[], key: Uint8Array | undefined): Uint8Array[] {
  if (key === undefined) return list.slice();
  const out = [...list, key];
  return out.length > MAX_PREVIOUS_RECEIVE_KEYS
    ? out.slice(out.length - MAX_PREVIOUS_RECEIVE_KEYS)
    : out;
}

/** Entries are stored oldest first, so pruning stops at the first fresh one. */
function pruneExpired(skipped: Map<string, SkippedKey>, now: number, maxAge: number): void {
  for (const [key, value] of skipped) {
    if (now - value.storedAt < maxAge) break;
    skipped.delete(key);
  }
}

/** Exposed for the codec: the map key of a skipped entry. */
export function skippedKeyId(chain: Uint8Array, n: number): string {
  return `${hex(chain)}:${n}`;
}
