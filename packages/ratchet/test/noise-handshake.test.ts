import { inspect } from 'node:util';
import {
  type CryptoBackend,
  deterministicRandomForTestsOnly,
  equalBytes,
  type KeyPair,
  nobleBackend,
} from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { concatBytes, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CipherState,
  DEFERRED_PATTERNS,
  NOISE_ERROR_CODES as E,
  FUNDAMENTAL_PATTERNS,
  HandshakeState,
  NOISE_MAX_MESSAGE_LENGTH,
  NOISE_MAX_NONCE,
  type NoiseSplit,
  noiseNonce,
  ONE_WAY_PATTERNS,
  parseProtocolName,
  SymmetricState,
} from '../src/noise/index';

const EMPTY = new Uint8Array(0);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (P2peError.is(err)) return err.code;
    throw err;
  }
  return undefined;
}

interface Parties {
  initiator: HandshakeState;
  responder: HandshakeState;
}

interface Setup {
  protocol: string;
  backend?: CryptoBackend;
  prologue?: Uint8Array;
  respPrologue?: Uint8Array;
  psks?: Uint8Array[];
  respPsks?: Uint8Array[];
  seed?: string;
  /** What the initiator believes the responder's static key is. */
  wrongRemoteStatic?: boolean;
}

/** Both sides of a protocol with keys from a seeded DRBG; pre-message keys given as needed. */
function parties(setup: Setup): Parties {
  const backend = setup.backend ?? nobleBackend;
  const protocol = parseProtocolName(setup.protocol);
  const dh = backend.dh(protocol.dh);
  const random = deterministicRandomForTestsOnly(setup.seed ?? 'noise-test');
  const iS = dh.generateKeyPair(random);
  const rS = dh.generateKeyPair(random);
  const other = dh.generateKeyPair(random);
  const { initiatorPreMessage: iPre, responderPreMessage: rPre } = protocol.pattern;
  const common = { protocol, backend, random };
  const initiator = new HandshakeState({
    ...common,
    initiator: true,
    prologue: setup.prologue ?? EMPTY,
    localStatic: iS,
    ...(rPre.includes('s')
      ? { remoteStatic: (setup.wrongRemoteStatic ? other : rS).publicKey }
      : {}),
    psks: setup.psks ?? pskList(protocol.pattern.pskCount),
  });
  const responder = new HandshakeState({
    ...common,
    initiator: false,
    prologue: setup.respPrologue ?? setup.prologue ?? EMPTY,
    localStatic: rS,
    ...(iPre.includes('s') ? { remoteStatic: iS.publicKey } : {}),
    psks: setup.respPsks ?? setup.psks ?? pskList(protocol.pattern.pskCount),
  });
  return { initiator, responder };
}

function pskList(n: number, fill = 7): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(fill + i));
}

/** Runs the handshake; `tamper(index, message)` may change a message in flight. */
function handshake(
  { initiator, responder }: Parties,
  payloads: (i: number) => Uint8Array = () => EMPTY,
  tamper: (i: number, m: Uint8Array) => Uint8Array = (_, m) => m,
): { initiator: NoiseSplit; responder: NoiseSplit; received: Uint8Array[] } {
  const received: Uint8Array[] = [];
  for (let i = 0; !initiator.isFinished; i++) {
    const [sender, receiver] = initiator.isMyTurn ? [initiator, responder] : [responder, initiator];
    const message = sender.writeMessage(payloads(i));
    received.push(receiver.readMessage(tamper(i, message)));
  }
  expect(responder.isFinished).toBe(true);
  return { initiator: initiator.split(), responder: responder.split(), received };
}

const ALL_PATTERNS = [
  ...Object.keys(ONE_WAY_PATTERNS),
  ...Object.keys(FUNDAMENTAL_PATTERNS),
  ...Object.keys(DEFERRED_PATTERNS),
];
const PSK_PATTERNS = [
  'NNpsk0',
  'NNpsk2',
  'NKpsk0+psk2',
  'XXpsk3',
  'XXpsk0+psk1+psk2+psk3',
  'IKpsk1',
  'IKpsk2',
  'Npsk0',
  'Kpsk0',
  'Xpsk1',
  'X1X1psk4',
  'KK1psk0',
];

describe('noise handshake: every pattern and suite', () => {
  const suite = fc.record({
    pattern: fc.constantFrom(...ALL_PATTERNS, ...PSK_PATTERNS),
    // Weighted to the cheap curve; 448 and P256 still come up in every run.
    dh: fc.constantFrom('25519', '25519', '25519', '448', 'P256'),
    cipher: fc.constantFrom('ChaChaPoly', 'AESGCM', 'XChaChaPoly'),
    hash: fc.constantFrom('SHA256', 'SHA512', 'BLAKE2b', 'BLAKE2s'),
    backend: fc.constantFrom(nobleBackend, nodeBackend),
    prologue: fc.uint8Array({ maxLength: 40 }),
    payloads: fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 4, maxLength: 4 }),
    seed: fc.string({ maxLength: 8 }),
  });

  it('completes, and both sides agree on the handshake hash, payloads and transport keys', () => {
    fc.assert(
      fc.property(suite, (s) => {
        const protocol = `Noise_${s.pattern}_${s.dh}_${s.cipher}_${s.hash}`;
        const p = parties({ protocol, backend: s.backend, prologue: s.prologue, seed: s.seed });
        const oneWay = p.initiator.protocol.pattern.oneWay;
        const out = handshake(p, (i) => s.payloads[i]!);
        out.received.forEach((payload, i) => {
          expect(toHex(payload)).toBe(toHex(s.payloads[i]!));
        });
        expect(toHex(out.initiator.handshakeHash)).toBe(toHex(out.responder.handshakeHash));
        const hashLength = s.hash === 'SHA512' || s.hash === 'BLAKE2b' ? 64 : 32;
        expect(out.initiator.handshakeHash).toHaveLength(hashLength);
        // c1: initiator → responder.
        const c1 = out.initiator.send!;
        expect(equalBytes(c1.exportKey(), out.responder.receive!.exportKey())).toBe(true);
        const ad = s.prologue;
        const ct = c1.encryptWithAd(ad, s.payloads[3]!);
        expect(toHex(out.responder.receive!.decryptWithAd(ad, ct))).toBe(toHex(s.payloads[3]!));
        if (oneWay) {
          expect(out.initiator.receive).toBeNull();
          expect(out.responder.send).toBeNull();
        } else {
          const c2 = out.responder.send!;
          expect(equalBytes(c2.exportKey(), out.initiator.receive!.exportKey())).toBe(true);
          expect(equalBytes(c1.exportKey(), c2.exportKey())).toBe(false);
          const back = c2.encryptWithAd(EMPTY, s.payloads[2]!);
          expect(toHex(out.initiator.receive!.decryptWithAd(EMPTY, back))).toBe(
            toHex(s.payloads[2]!),
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('every base pattern completes once on 25519 (deferred and one-way included)', () => {
    for (const pattern of ALL_PATTERNS) {
      const out = handshake(
        parties({ protocol: `Noise_${pattern}_25519_ChaChaPoly_BLAKE2s`, backend: nodeBackend }),
      );
      expect(equalBytes(out.initiator.handshakeHash, out.responder.handshakeHash)).toBe(true);
    }
  });

  it('XX completes on every DH × cipher × hash, on both backends, with identical bytes', () => {
    for (const dh of ['25519', '448', 'P256']) {
      for (const cipher of ['ChaChaPoly', 'AESGCM', 'XChaChaPoly']) {
        for (const hash of ['SHA256', 'SHA512', 'BLAKE2b', 'BLAKE2s']) {
          const protocol = `Noise_XX_${dh}_${cipher}_${hash}`;
          const runs = [nodeBackend, nobleBackend].map((backend) =>
            handshake(parties({ protocol, backend, seed: protocol }), (i) => utf8(`m${i}`)),
          );
          const [node, noble] = runs as [
            ReturnType<typeof handshake>,
            ReturnType<typeof handshake>,
          ];
          expect(toHex(node.initiator.handshakeHash)).toBe(toHex(node.responder.handshakeHash));
          expect(toHex(noble.initiator.handshakeHash), protocol).toBe(
            toHex(node.initiator.handshakeHash),
          );
        }
      }
    }
  }, 30_000);

  it('refuses a missing protocol or role with a typed error', () => {
    const bad = [undefined, null, 42, {}, { name: 7 }];
    for (const protocol of bad) {
      expect(codeOf(() => new HandshakeState({ protocol, initiator: true } as never))).toBe(
        E.INVALID_PROTOCOL_NAME,
      );
    }
    const protocol = 'Noise_NN_25519_ChaChaPoly_SHA256';
    expect(codeOf(() => new HandshakeState({ protocol } as never))).toBe('INVALID_ARGUMENT');
  });

  it('learns the remote static key exactly when the pattern transmits or pre-shares it', () => {
    const backend = nodeBackend;
    const xx = parties({ protocol: 'Noise_XX_25519_ChaChaPoly_SHA256', backend, seed: 'rs' });
    const dh = backend.dh('25519');
    const random = deterministicRandomForTestsOnly('rs');
    const iS = dh.generateKeyPair(random);
    const rS = dh.generateKeyPair(random);
    expect(xx.initiator.remoteStatic).toBeUndefined();
    const out = handshake(xx);
    expect(toHex(out.initiator.remoteStatic!)).toBe(toHex(rS.publicKey));
    expect(toHex(out.responder.remoteStatic!)).toBe(toHex(iS.publicKey));
    const nn = handshake(parties({ protocol: 'Noise_NN_25519_ChaChaPoly_SHA256', backend }));
    expect(nn.initiator.remoteStatic).toBeUndefined();
  });
});

describe('noise handshake: attacks and mistakes', () => {
  it('a tampered handshake message is rejected (property over patterns, messages and bits)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_PATTERNS, ...PSK_PATTERNS),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (pattern, pick, at, bit) => {
          const p = parties({
            protocol: `Noise_${pattern}_25519_ChaChaPoly_SHA256`,
            backend: nodeBackend,
          });
          const target = pick % p.initiator.protocol.pattern.messages.length;
          const flip = (i: number, m: Uint8Array) => {
            if (i !== target) return m;
            const copy = m.slice();
            copy[at % copy.length]! ^= 1 << bit;
            return copy;
          };
          // The flip is caught by the read of that message or of a later one (an unencrypted
          // field changes h, which every later AEAD authenticates), at the latest by the
          // first transport message in each direction.
          const code = codeOf(() => {
            const out = handshake(p, () => utf8('payload'), flip);
            const ct = out.initiator.send!.encryptWithAd(EMPTY, utf8('x'));
            out.responder.receive!.decryptWithAd(EMPTY, ct);
            if (out.responder.send !== null) {
              const back = out.responder.send.encryptWithAd(EMPTY, utf8('y'));
              out.initiator.receive!.decryptWithAd(EMPTY, back);
            }
          });
          expect([E.DECRYPT_FAILED, E.BAD_PUBLIC_KEY]).toContain(code);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a failed readMessage leaves the HandshakeState unchanged: the genuine message still works', () => {
    const p = parties({ protocol: 'Noise_XX_25519_ChaChaPoly_BLAKE2b' });
    const m1 = p.initiator.writeMessage(utf8('one'));
    p.responder.readMessage(m1);
    const m2 = p.responder.writeMessage(utf8('two'));
    const before = toHex(p.initiator.getHandshakeHash());
    for (const bad of [
      m2.slice(0, 40),
      m2.slice(0, m2.length - 1),
      flipAt(m2, 50),
      flipAt(m2, m2.length - 1),
    ]) {
      expect(codeOf(() => p.initiator.readMessage(bad))).toMatch(
        /^NOISE_(DECRYPT_FAILED|BAD_MESSAGE_LENGTH)$/,
      );
      expect(toHex(p.initiator.getHandshakeHash())).toBe(before);
      expect(p.initiator.messageIndex).toBe(1);
      expect(p.initiator.isMyTurn).toBe(false);
    }
    expect(new TextDecoder().decode(p.initiator.readMessage(m2))).toBe('two');
    p.responder.readMessage(p.initiator.writeMessage(utf8('three')));
    const a = p.initiator.split();
    const b = p.responder.split();
    expect(toHex(a.handshakeHash)).toBe(toHex(b.handshakeHash));
  });

  it('a rejected message changes nothing: the run ends exactly as a clean run (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_PATTERNS, ...PSK_PATTERNS),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.nat(),
        (pattern, pick, mask, at) => {
          const protocol = `Noise_${pattern}_25519_AESGCM_BLAKE2s`;
          const setup = { protocol, backend: nodeBackend, seed: `${pattern}${pick}` };
          const clean = handshake(parties(setup), (i) => utf8(`m${i}`));
          const p = parties(setup);
          const target = pick % p.initiator.protocol.pattern.messages.length;
          const accepted = new Error('forgery of unauthenticated bytes accepted');
          let out: ReturnType<typeof handshake>;
          try {
            out = handshake(
              p,
              (i) => utf8(`m${i}`),
              (i, m) => {
                if (i !== target) return m;
                const receiver = p.initiator.isMyTurn ? p.responder : p.initiator;
                const forged = m.slice();
                for (let j = 0; j < mask.length; j++)
                  forged[(at + j) % forged.length]! ^= mask[j]! | 1;
                const h = toHex(receiver.getHandshakeHash());
                const index = receiver.messageIndex;
                try {
                  receiver.readMessage(forged);
                } catch (err) {
                  expect(P2peError.is(err)).toBe(true);
                  expect(toHex(receiver.getHandshakeHash())).toBe(h);
                  expect(receiver.messageIndex).toBe(index);
                  return m; // the genuine message, to the same receiver
                }
                throw accepted;
              },
            );
          } catch (err) {
            // Bytes no AEAD covers yet (an ephemeral, a first plaintext payload) can be read
            // without error; such a run fails later (see the tamper test). Compare only the
            // runs whose forgery was rejected.
            if (err === accepted) return fc.pre(false);
            throw err;
          }
          expect(toHex(out.initiator.handshakeHash)).toBe(toHex(clean.initiator.handshakeHash));
          expect(toHex(out.initiator.send!.exportKey())).toBe(
            toHex(clean.initiator.send!.exportKey()),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a wrong psk fails the handshake at the first payload it authenticates', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(31), (psk, at) => {
        const other = psk.slice();
        other[at]! ^= 0x80;
        const p = parties({
          protocol: 'Noise_NNpsk0_25519_ChaChaPoly_SHA256',
          backend: nodeBackend,
          psks: [psk],
          respPsks: [other],
        });
        const m1 = p.initiator.writeMessage(EMPTY);
        expect(codeOf(() => p.responder.readMessage(m1))).toBe(E.DECRYPT_FAILED);
      }),
      { numRuns: 20 },
    );
  });

  it('a different prologue fails the handshake', () => {
    const p = parties({
      protocol: 'Noise_NN_25519_ChaChaPoly_SHA256',
      prologue: utf8('v1'),
      respPrologue: utf8('v2'),
    });
    p.responder.readMessage(p.initiator.writeMessage(EMPTY));
    expect(codeOf(() => p.initiator.readMessage(p.responder.writeMessage(EMPTY)))).toBe(
      E.DECRYPT_FAILED,
    );
  });

  it('IK to the wrong responder key fails at the responder', () => {
    const p = parties({ protocol: 'Noise_IK_25519_ChaChaPoly_SHA256', wrongRemoteStatic: true });
    expect(codeOf(() => p.responder.readMessage(p.initiator.writeMessage(EMPTY)))).toBe(
      E.DECRYPT_FAILED,
    );
  });

  it('a small-order ephemeral (all zeros) is refused with NOISE_BAD_PUBLIC_KEY', () => {
    const p = parties({ protocol: 'Noise_NK_25519_ChaChaPoly_SHA256' });
    const m1 = p.initiator.writeMessage(EMPTY);
    const forged = m1.slice();
    forged.fill(0, 0, 32);
    expect(codeOf(() => p.responder.readMessage(forged))).toBe(E.BAD_PUBLIC_KEY);
    expect(p.responder.readMessage(m1)).toHaveLength(0);
  });

  it('an off-curve P-256 ephemeral is refused with NOISE_BAD_PUBLIC_KEY', () => {
    const p = parties({ protocol: 'Noise_NK_P256_ChaChaPoly_SHA256', backend: nodeBackend });
    const m1 = p.initiator.writeMessage(EMPTY);
    expect(codeOf(() => p.responder.readMessage(flipAt(m1, 64)))).toBe(E.BAD_PUBLIC_KEY);
    expect(codeOf(() => p.responder.readMessage(flipAt(m1, 0)))).toBe(E.BAD_PUBLIC_KEY);
  });

  it('truncated, empty and oversized messages are NOISE_BAD_MESSAGE_LENGTH', () => {
    const p = parties({ protocol: 'Noise_XX_25519_ChaChaPoly_SHA256' });
    const m1 = p.initiator.writeMessage(EMPTY);
    expect(codeOf(() => p.responder.readMessage(EMPTY))).toBe(E.BAD_MESSAGE_LENGTH);
    expect(codeOf(() => p.responder.readMessage(m1.slice(0, 31)))).toBe(E.BAD_MESSAGE_LENGTH);
    const big = new Uint8Array(NOISE_MAX_MESSAGE_LENGTH + 1);
    expect(codeOf(() => p.responder.readMessage(big))).toBe(E.BAD_MESSAGE_LENGTH);
    p.responder.readMessage(m1);
    const m2 = p.responder.writeMessage(EMPTY);
    // e (32) + encrypted s (48) + tag (16): one byte short of each part.
    for (const length of [31, 32 + 47, 32 + 48 + 15]) {
      expect(codeOf(() => p.initiator.readMessage(m2.slice(0, length)))).toBe(E.BAD_MESSAGE_LENGTH);
    }
  });

  it('a payload that would make a message over 65535 bytes is refused before anything changes', () => {
    const p = parties({ protocol: 'Noise_NN_25519_ChaChaPoly_SHA256' });
    const max = NOISE_MAX_MESSAGE_LENGTH - 32; // e, then a plaintext payload (no key yet)
    expect(codeOf(() => p.initiator.writeMessage(new Uint8Array(max + 1)))).toBe(
      E.MESSAGE_TOO_LARGE,
    );
    expect(p.initiator.messageIndex).toBe(0);
    const m1 = p.initiator.writeMessage(new Uint8Array(max));
    expect(m1).toHaveLength(NOISE_MAX_MESSAGE_LENGTH);
    p.responder.readMessage(m1);
    expect(codeOf(() => p.responder.writeMessage(new Uint8Array(max - 16 + 1)))).toBe(
      E.MESSAGE_TOO_LARGE,
    );
    expect(p.responder.writeMessage(new Uint8Array(max - 16))).toHaveLength(65535);
  });

  it('writing or reading out of turn is NOISE_WRONG_TURN; split early or twice is refused', () => {
    const p = parties({ protocol: 'Noise_NN_25519_ChaChaPoly_SHA256' });
    expect(codeOf(() => p.responder.writeMessage(EMPTY))).toBe(E.WRONG_TURN);
    expect(codeOf(() => p.initiator.readMessage(new Uint8Array(48)))).toBe(E.WRONG_TURN);
    expect(codeOf(() => p.initiator.split())).toBe(E.NOT_FINISHED);
    handshake(p);
    expect(codeOf(() => p.initiator.split())).toBe(E.ALREADY_SPLIT);
    expect(codeOf(() => p.initiator.writeMessage(EMPTY))).toBe(E.WRONG_TURN);
    expect(codeOf(() => p.responder.readMessage(new Uint8Array(48)))).toBe(E.WRONG_TURN);
  });

  it('missing, unexpected and malformed keys are refused at construction', () => {
    const backend = nobleBackend;
    const dh = backend.dh('25519');
    const kp = dh.generateKeyPair(deterministicRandomForTestsOnly('keys'));
    const make =
      (protocol: string, extra: object, initiator = true) =>
      () =>
        new HandshakeState({ protocol, initiator, backend, ...extra });
    expect(codeOf(make('Noise_XX_25519_ChaChaPoly_SHA256', {}))).toBe(E.MISSING_KEY);
    expect(codeOf(make('Noise_IK_25519_ChaChaPoly_SHA256', { localStatic: kp }))).toBe(
      E.MISSING_KEY,
    );
    expect(codeOf(make('Noise_KK_25519_ChaChaPoly_SHA256', { localStatic: kp }, false))).toBe(
      E.MISSING_KEY,
    );
    expect(
      codeOf(
        make('Noise_XX_25519_ChaChaPoly_SHA256', { localStatic: kp, remoteStatic: kp.publicKey }),
      ),
    ).toBe(E.UNEXPECTED_KEY);
    expect(
      codeOf(make('Noise_NN_25519_ChaChaPoly_SHA256', { remoteEphemeral: kp.publicKey })),
    ).toBe(E.UNEXPECTED_KEY);
    expect(codeOf(make('Noise_NNpsk0_25519_ChaChaPoly_SHA256', {}))).toBe(E.MISSING_KEY);
    expect(
      codeOf(make('Noise_NNpsk0_25519_ChaChaPoly_SHA256', { psks: [new Uint8Array(31)] })),
    ).toBe(E.BAD_PSK);
    expect(codeOf(make('Noise_NN_25519_ChaChaPoly_SHA256', { psks: [new Uint8Array(32)] }))).toBe(
      E.BAD_PSK,
    );
    const short = { publicKey: kp.publicKey.slice(1), secretKey: kp.secretKey } as KeyPair;
    expect(codeOf(make('Noise_XX_25519_ChaChaPoly_SHA256', { localStatic: short }))).toBe(
      'INVALID_LENGTH',
    );
    expect(
      codeOf(make('Noise_NK_25519_ChaChaPoly_SHA256', { remoteStatic: new Uint8Array(33) })),
    ).toBe('INVALID_LENGTH');
  });

  it('a fixed ephemeral (vectors) gives the same first message twice; a fresh one does not', () => {
    const dh = nobleBackend.dh('25519');
    const e = dh.generateKeyPair(deterministicRandomForTestsOnly('e'));
    const protocol = 'Noise_NN_25519_ChaChaPoly_SHA256';
    const fixed = () => new HandshakeState({ protocol, initiator: true, localEphemeral: e });
    expect(toHex(fixed().writeMessage(EMPTY))).toBe(toHex(fixed().writeMessage(EMPTY)));
    const fresh = () => new HandshakeState({ protocol, initiator: true });
    expect(toHex(fresh().writeMessage(EMPTY))).not.toBe(toHex(fresh().writeMessage(EMPTY)));
  });

  it('states print as redacted, never as key bytes', () => {
    const p = parties({ protocol: 'Noise_NN_25519_ChaChaPoly_SHA256' });
    const out = handshake(p);
    const key = toHex(out.initiator.send!.exportKey());
    for (const shown of [
      String(out.initiator.send),
      JSON.stringify(out.initiator.send),
      String(p.initiator),
    ]) {
      expect(shown).toContain('[redacted]');
      expect(shown).not.toContain(key);
    }
  });
});

describe('noise CipherState (§5.1, §11.3)', () => {
  const aead = nobleBackend.aead('ChaChaPoly');
  const key = new Uint8Array(32).fill(3);

  it('without a key, encryption is the identity (§5.1)', () => {
    const cs = new CipherState(aead);
    expect(cs.hasKey()).toBe(false);
    expect(toHex(cs.encryptWithAd(EMPTY, utf8('hi')))).toBe(toHex(utf8('hi')));
    expect(cs.nonce).toBe(0n);
  });

  it('nonces count up per message; a failed decrypt does not move them', () => {
    const a = new CipherState(aead, key);
    const b = new CipherState(aead, key);
    const c0 = a.encryptWithAd(EMPTY, utf8('zero'));
    const c1 = a.encryptWithAd(EMPTY, utf8('one'));
    expect(a.nonce).toBe(2n);
    expect(codeOf(() => b.decryptWithAd(EMPTY, c1))).toBe(E.DECRYPT_FAILED);
    expect(codeOf(() => b.decryptWithAd(utf8('ad'), c0))).toBe(E.DECRYPT_FAILED);
    expect(codeOf(() => b.decryptWithAd(EMPTY, c0.subarray(0, 15)))).toBe(E.BAD_MESSAGE_LENGTH);
    expect(b.nonce).toBe(0n);
    expect(new TextDecoder().decode(b.decryptWithAd(EMPTY, c0))).toBe('zero');
    expect(new TextDecoder().decode(b.decryptWithAd(EMPTY, c1))).toBe('one');
  });

  it('NOISE_DECRYPT_FAILED carries the AEAD VerificationError as cause', () => {
    const a = new CipherState(aead, key);
    const b = new CipherState(aead, new Uint8Array(32));
    try {
      b.decryptWithAd(EMPTY, a.encryptWithAd(EMPTY, utf8('x')));
      expect.unreachable();
    } catch (err) {
      expect(P2peError.is(err, E.DECRYPT_FAILED)).toBe(true);
      expect(P2peError.is((err as Error).cause)).toBe(true);
      expect(((err as Error).cause as P2peError).category).toBe('verification');
    }
  });

  it('nonce 2^64-1 is reserved: the last usable nonce is 2^64-2 (§5.1)', () => {
    const a = new CipherState(aead, key);
    const b = new CipherState(aead, key);
    a.setNonce(NOISE_MAX_NONCE - 1n);
    b.setNonce(NOISE_MAX_NONCE - 1n);
    const ct = a.encryptWithAd(EMPTY, utf8('last'));
    expect(new TextDecoder().decode(b.decryptWithAd(EMPTY, ct))).toBe('last');
    expect(codeOf(() => a.encryptWithAd(EMPTY, utf8('more')))).toBe(E.NONCE_EXHAUSTED);
    expect(codeOf(() => b.decryptWithAd(EMPTY, ct))).toBe(E.NONCE_EXHAUSTED);
    expect(codeOf(() => a.setNonce(NOISE_MAX_NONCE + 1n))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => a.setNonce(-1n))).toBe('INVALID_ARGUMENT');
  });

  it('transport messages are limited to 65535 bytes (§3)', () => {
    const a = new CipherState(aead, key);
    expect(a.encryptWithAd(EMPTY, new Uint8Array(65535 - 16))).toHaveLength(65535);
    expect(codeOf(() => a.encryptWithAd(EMPTY, new Uint8Array(65535 - 15)))).toBe(
      E.MESSAGE_TOO_LARGE,
    );
    expect(codeOf(() => a.decryptWithAd(EMPTY, new Uint8Array(65536)))).toBe(E.BAD_MESSAGE_LENGTH);
  });

  it.each(['ChaChaPoly', 'AESGCM', 'XChaChaPoly'] as const)(
    '%s rekey: k = ENCRYPT(k, 2^64-1, empty, 32 zeros)[0:32] on both sides (§4.2, §11.3)',
    (name) => {
      const suite = nobleBackend.aead(name);
      const a = new CipherState(suite, key);
      const b = new CipherState(suite, key);
      const before = a.encryptWithAd(EMPTY, utf8('m'));
      b.decryptWithAd(EMPTY, before);
      a.rekey();
      b.rekey();
      const expected = suite
        .encrypt(key, noiseNonce(name, NOISE_MAX_NONCE), new Uint8Array(32), EMPTY)
        .slice(0, 32);
      expect(toHex(a.exportKey())).toBe(toHex(expected));
      expect(a.nonce).toBe(1n);
      const after = a.encryptWithAd(EMPTY, utf8('m'));
      expect(new TextDecoder().decode(b.decryptWithAd(EMPTY, after))).toBe('m');
      const stale = new CipherState(suite, key);
      stale.setNonce(1n);
      expect(codeOf(() => stale.decryptWithAd(EMPTY, after))).toBe(E.DECRYPT_FAILED);
    },
  );

  it('prints every error message for review, none holding key bytes', () => {
    const messages: string[] = [];
    const record = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        messages.push(`${(err as P2peError).code}: ${(err as Error).message}`);
      }
    };
    const p = parties({ protocol: 'Noise_XX_25519_ChaChaPoly_SHA256' });
    record(() => p.responder.writeMessage(EMPTY));
    record(() => p.initiator.split());
    record(() => parseProtocolName('Noise_XXfallback_25519_ChaChaPoly_SHA256'));
    record(() => parseProtocolName('Noise_XX_25519_ChaChaPoly_SHA3'));
    record(() => parseProtocolName('nope'));
    const m1 = p.initiator.writeMessage(EMPTY);
    record(() => p.responder.readMessage(m1.slice(0, 5)));
    p.responder.readMessage(m1);
    const m2 = p.responder.writeMessage(EMPTY);
    record(() => p.initiator.readMessage(flipAt(m2, 40)));
    record(() => new CipherState(aead).rekey());
    console.log(messages.join('\n'));
    expect(messages).toHaveLength(8);
    for (const m of messages) expect(m).not.toMatch(/[0-9a-f]{16}/);
  });
});

function flipAt(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 1;
  return copy;
}

/**
 * Everything a HandshakeState shows about itself, as one string: the turn, the handshake hash h
 * (which every token and payload so far went into) and the remote static key. Its hidden parts
 * (ck, the handshake cipher key and nonce) are checked by running on: after any failure, the
 * rest of the handshake must give the same bytes and transport keys as a run without it.
 */
function encodeHandshake(hs: HandshakeState): string {
  return JSON.stringify({
    message: hs.messageIndex,
    myTurn: hs.isMyTurn,
    finished: hs.isFinished,
    h: toHex(hs.getHandshakeHash()),
    rs: hs.remoteStatic === undefined ? null : toHex(hs.remoteStatic),
  });
}

/** Everything a CipherState holds: k (or none) and n. */
function encodeCipher(cs: CipherState): string {
  return JSON.stringify({
    hasKey: cs.hasKey(),
    k: cs.hasKey() ? toHex(cs.exportKey()) : null,
    n: cs.nonce.toString(),
  });
}

/** Both sides with fixed static and ephemeral keys, so a run depends on its inputs only. */
function fixedParties(protocol: string): Parties {
  const parsed = parseProtocolName(protocol);
  const dh = nodeBackend.dh(parsed.dh);
  const random = deterministicRandomForTestsOnly(`fixed ${protocol}`);
  const [iS, rS, iE, rE] = [0, 1, 2, 3].map(() => dh.generateKeyPair(random)) as [
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
  ];
  const { initiatorPreMessage: iPre, responderPreMessage: rPre, pskCount } = parsed.pattern;
  const common = { protocol, backend: nodeBackend, psks: pskList(pskCount) };
  return {
    initiator: new HandshakeState({
      ...common,
      initiator: true,
      localStatic: iS,
      localEphemeral: iE,
      ...(rPre.includes('s') ? { remoteStatic: rS.publicKey } : {}),
    }),
    responder: new HandshakeState({
      ...common,
      initiator: false,
      localStatic: rS,
      localEphemeral: rE,
      ...(iPre.includes('s') ? { remoteStatic: iS.publicKey } : {}),
    }),
  };
}

/**
 * True when message `index`'s payload is encrypted: a DH or psk token came before it (§5.3), or,
 * in psk mode, an `e` (which then also calls MixKey, §9.2).
 */
function payloadEncrypted(protocol: string, index: number): boolean {
  const { messages, pskCount } = parseProtocolName(protocol).pattern;
  const keyed = (t: string) => t !== 's' && (t !== 'e' || pskCount > 0);
  return messages.slice(0, index + 1).some((m) => m.tokens.some(keyed));
}

/** Runs `fn`, which must throw a P2peError, and returns its code. */
function failCode(fn: () => unknown): string {
  const code = codeOf(fn);
  if (code === undefined) throw new Error('expected a P2peError');
  return code;
}

describe('noise: a failed call leaves the state byte-identical (encoded before and after)', () => {
  const protocols = [...ALL_PATTERNS, ...PSK_PATTERNS].map(
    (pattern) => `Noise_${pattern}_25519_ChaChaPoly_SHA256`,
  );

  it.each(protocols)(
    '%s: every rejected read and write changes nothing, and the run ends as a clean run',
    (protocol) => {
      const payload = (i: number) => utf8(`payload ${i}`);
      const clean = handshake(fixedParties(protocol), payload);
      const p = fixedParties(protocol);
      const codes = new Set<string>();
      for (let i = 0; !p.initiator.isFinished; i++) {
        const [sender, receiver] = p.initiator.isMyTurn
          ? [p.initiator, p.responder]
          : [p.responder, p.initiator];
        // Writes that must fail: too large (up front, and only once the tokens are added),
        // not bytes, and writing out of turn.
        const senderBefore = encodeHandshake(sender);
        const receiverBefore = encodeHandshake(receiver);
        const badWrites: (() => unknown)[] = [
          () => sender.writeMessage(new Uint8Array(NOISE_MAX_MESSAGE_LENGTH + 1)),
          () => sender.writeMessage(new Uint8Array(NOISE_MAX_MESSAGE_LENGTH - 15)),
          () => sender.writeMessage('payload' as never),
          () => receiver.writeMessage(EMPTY),
        ];
        for (const bad of badWrites) {
          codes.add(failCode(bad));
          expect(encodeHandshake(sender)).toBe(senderBefore);
          expect(encodeHandshake(receiver)).toBe(receiverBefore);
        }
        const message = sender.writeMessage(payload(i));
        // Reads that must fail: empty, one byte short of every token boundary and of the end
        // when the payload is authenticated, over 65535 bytes, not bytes, a flipped tag, a
        // small-order ephemeral, and reading on the wrong side.
        const badReads: Uint8Array[] = [EMPTY, new Uint8Array(NOISE_MAX_MESSAGE_LENGTH + 1)];
        if (payloadEncrypted(protocol, i)) {
          badReads.push(
            message.subarray(0, message.length - 1),
            flipAt(message, message.length - 1),
          );
          if (p.initiator.protocol.pattern.messages[i]!.tokens.includes('e')) {
            const zeroE = message.slice();
            zeroE.fill(0, 0, 32); // `e` comes first in every message that has one
            badReads.push(zeroE);
          }
        }
        const before = encodeHandshake(receiver);
        for (const bad of badReads) {
          codes.add(failCode(() => receiver.readMessage(bad)));
          expect(encodeHandshake(receiver)).toBe(before);
        }
        codes.add(failCode(() => receiver.readMessage(42 as never)));
        codes.add(failCode(() => sender.readMessage(message)));
        expect(encodeHandshake(receiver)).toBe(before);
        expect(toHex(receiver.readMessage(message))).toBe(toHex(payload(i)));
      }
      const out = { initiator: p.initiator.split(), responder: p.responder.split() };
      expect(toHex(out.initiator.handshakeHash)).toBe(toHex(clean.initiator.handshakeHash));
      expect(encodeCipher(out.initiator.send!)).toBe(encodeCipher(clean.initiator.send!));
      expect(encodeCipher(out.responder.receive!)).toBe(encodeCipher(clean.responder.receive!));
      if (out.responder.send !== null) {
        expect(encodeCipher(out.responder.send)).toBe(encodeCipher(clean.responder.send!));
      }
      for (const code of [E.MESSAGE_TOO_LARGE, E.WRONG_TURN, 'INVALID_ARGUMENT']) {
        expect(codes).toContain(code);
      }
      // Every pattern's last payload is authenticated, so tampering was caught by the AEAD too.
      expect(codes).toContain(E.BAD_MESSAGE_LENGTH);
      expect(codes).toContain(E.DECRYPT_FAILED);
    },
  );

  it('a small-order ephemeral that only the next written message uses fails that write, changing nothing', () => {
    // NN: the responder reads `e` in message 1 (no DH yet, so nothing to refuse) and computes
    // `ee` in message 2: the bad key surfaces from writeMessage, as NOISE_BAD_PUBLIC_KEY.
    const p = fixedParties('Noise_NN_25519_ChaChaPoly_SHA256');
    const m1 = p.initiator.writeMessage(EMPTY);
    p.responder.readMessage(concatBytes(new Uint8Array(32), m1.subarray(32)));
    const before = encodeHandshake(p.responder);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(codeOf(() => p.responder.writeMessage(EMPTY))).toBe(E.BAD_PUBLIC_KEY);
      expect(encodeHandshake(p.responder)).toBe(before);
    }
  });

  it('CipherState: failed decrypts and encrypts leave k and n byte-identical (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ChaChaPoly', 'AESGCM', 'XChaChaPoly') as fc.Arbitrary<
          'ChaChaPoly' | 'AESGCM' | 'XChaChaPoly'
        >,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: NOISE_MAX_NONCE - 2n }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.nat(),
        (name, key, n, plaintext, ad, at) => {
          const suite = nobleBackend.aead(name);
          const a = new CipherState(suite, key);
          const b = new CipherState(suite, key);
          a.setNonce(n);
          b.setNonce(n);
          const ct = a.encryptWithAd(ad, plaintext);
          const before = encodeCipher(b);
          const bit = at % (ct.length * 8);
          const flipped = ct.slice();
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          for (const [badAd, badCt] of [
            [ad, flipped],
            [concatBytes(ad, Uint8Array.of(0)), ct],
            [ad, ct.subarray(0, ct.length - 1)],
            [ad, ct.subarray(0, 15)],
            [ad, new Uint8Array(NOISE_MAX_MESSAGE_LENGTH + 1)],
            ['ad' as never, ct],
          ] as const) {
            failCode(() => b.decryptWithAd(badAd, badCt));
            expect(encodeCipher(b)).toBe(before);
          }
          failCode(() => b.encryptWithAd(ad, new Uint8Array(NOISE_MAX_MESSAGE_LENGTH - 15)));
          failCode(() => b.encryptWithAd(ad, 'pt' as never));
          expect(encodeCipher(b)).toBe(before);
          expect(toHex(b.decryptWithAd(ad, ct))).toBe(toHex(plaintext));
          expect(b.nonce).toBe(n + 1n);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('CipherState: at the reserved nonce every call fails and nothing moves', () => {
    const suite = nobleBackend.aead('ChaChaPoly');
    const cs = new CipherState(suite, new Uint8Array(32).fill(5));
    cs.setNonce(NOISE_MAX_NONCE);
    const before = encodeCipher(cs);
    expect(codeOf(() => cs.encryptWithAd(EMPTY, EMPTY))).toBe(E.NONCE_EXHAUSTED);
    expect(codeOf(() => cs.decryptWithAd(EMPTY, new Uint8Array(16)))).toBe(E.NONCE_EXHAUSTED);
    expect(encodeCipher(cs)).toBe(before);
    const empty = new CipherState(suite);
    expect(codeOf(() => empty.rekey())).toBe(E.NO_KEY);
    expect(codeOf(() => empty.exportKey())).toBe(E.NO_KEY);
    expect(encodeCipher(empty)).toBe(encodeCipher(new CipherState(suite)));
  });
});

describe('noise: after split', () => {
  it('the handshake hash is h after the last message, the same from split() and getHandshakeHash()', () => {
    for (const protocol of [
      'Noise_XX_25519_ChaChaPoly_BLAKE2b',
      'Noise_N_25519_AESGCM_SHA256',
      'Noise_NNpsk2_448_ChaChaPoly_SHA512',
    ]) {
      const p = fixedParties(protocol);
      while (!p.initiator.isFinished) {
        const [s, r] = p.initiator.isMyTurn
          ? [p.initiator, p.responder]
          : [p.responder, p.initiator];
        r.readMessage(s.writeMessage(EMPTY));
      }
      const h = toHex(p.initiator.getHandshakeHash());
      const a = p.initiator.split();
      const b = p.responder.split();
      expect(toHex(a.handshakeHash)).toBe(h);
      expect(toHex(b.handshakeHash)).toBe(h);
      // Still readable for channel binding (§11.2) after the secrets are wiped.
      expect(toHex(p.initiator.getHandshakeHash())).toBe(h);
      expect(toHex(p.responder.getHandshakeHash())).toBe(h);
      expect(codeOf(() => p.initiator.writeMessage(EMPTY))).toBe(E.WRONG_TURN);
      expect(codeOf(() => p.responder.readMessage(new Uint8Array(64)))).toBe(E.WRONG_TURN);
    }
  });

  it('psks that are not an array are refused with NOISE_BAD_PSK, not a TypeError', () => {
    const protocol = 'Noise_NNpsk0_25519_ChaChaPoly_SHA256';
    for (const psks of [{}, { length: 1 }, new Uint8Array(32), 'psk', 7]) {
      expect(codeOf(() => new HandshakeState({ protocol, initiator: true, psks } as never))).toBe(
        E.BAD_PSK,
      );
    }
  });

  it('SymmetricState and HandshakeState print and serialise as redacted', () => {
    const p = fixedParties('Noise_XX_25519_ChaChaPoly_SHA256');
    p.responder.readMessage(p.initiator.writeMessage(EMPTY));
    const sym = new SymmetricState(
      'Noise_NN_25519_ChaChaPoly_SHA256',
      nobleBackend.hash('SHA256'),
      nobleBackend.aead('ChaChaPoly'),
    );
    sym.mixKey(new Uint8Array(32).fill(9));
    for (const shown of [
      JSON.stringify(sym),
      String(sym),
      inspect(sym),
      JSON.stringify(p.initiator),
      inspect(p.initiator),
    ]) {
      expect(shown).not.toMatch(/[0-9a-f]{16}/);
    }
    expect(JSON.stringify(sym)).toBe('"[redacted]"');
    expect(JSON.stringify(p.initiator)).toBe('"[redacted]"');
  });

  it('SymmetricState: a clone is independent of the original, also after the original is destroyed', () => {
    const make = () =>
      new SymmetricState(
        'Noise_NN_25519_ChaChaPoly_SHA256',
        nobleBackend.hash('SHA256'),
        nobleBackend.aead('ChaChaPoly'),
      );
    const run = (s: SymmetricState) => {
      s.mixKey(new Uint8Array(32).fill(1));
      const c = s.encryptAndHash(utf8('x'));
      const [c1] = s.split();
      return `${toHex(c)}/${toHex(s.getHandshakeHash())}/${toHex(c1.exportKey())}`;
    };
    const reference = run(make());
    for (const destroyOriginal of [false, true]) {
      const original = make();
      const copy = original.clone();
      if (destroyOriginal) original.destroy();
      else run(original);
      expect(run(copy)).toBe(reference);
    }
  });
});

describe('noise §9.2: the order of MixKeyAndHash(psk), MixHash(e) and MixKey(e)', () => {
  // The first message of NNpsk0 and the second of NNpsk2, rebuilt step by step from §5.2/§5.3/§9.2
  // with SymmetricState alone, must be the bytes the engine writes.
  const hash = nobleBackend.hash('SHA256');
  const aead = nobleBackend.aead('ChaChaPoly');
  const dh = nobleBackend.dh('25519');
  const random = deterministicRandomForTestsOnly('psk order');
  const [iE, rE] = [dh.generateKeyPair(random), dh.generateKeyPair(random)];
  const psk = new Uint8Array(32).fill(0x5a);
  const prologue = utf8('prologue');
  const payload = utf8('payload');

  it('psk0: psk first, then e (MixHash then MixKey), then the encrypted payload', () => {
    const name = 'Noise_NNpsk0_25519_ChaChaPoly_SHA256';
    const sym = new SymmetricState(name, hash, aead);
    sym.mixHash(prologue);
    sym.mixKeyAndHash(psk);
    sym.mixHash(iE.publicKey);
    sym.mixKey(iE.publicKey);
    const expected = concatBytes(iE.publicKey, sym.encryptAndHash(payload));
    const hs = new HandshakeState({
      protocol: name,
      initiator: true,
      prologue,
      localEphemeral: iE,
      psks: [psk],
    });
    expect(toHex(hs.writeMessage(payload))).toBe(toHex(expected));
    expect(toHex(hs.getHandshakeHash())).toBe(toHex(sym.getHandshakeHash()));
  });

  it('psk2: e, ee, then psk at the end of message 2, before its payload', () => {
    const name = 'Noise_NNpsk2_25519_ChaChaPoly_SHA256';
    const sym = new SymmetricState(name, hash, aead);
    sym.mixHash(prologue);
    sym.mixHash(iE.publicKey);
    sym.mixKey(iE.publicKey);
    // Message 1's empty payload: already encrypted, as MixKey(e) gave a key (§3, §9.2).
    const m1Payload = sym.encryptAndHash(EMPTY);
    expect(m1Payload).toHaveLength(16);
    sym.mixHash(rE.publicKey);
    sym.mixKey(rE.publicKey);
    sym.mixKey(dh.dh(rE.secretKey, iE.publicKey));
    sym.mixKeyAndHash(psk);
    const expected = concatBytes(rE.publicKey, sym.encryptAndHash(payload));
    const options = { protocol: name, prologue, psks: [psk] };
    const initiator = new HandshakeState({ ...options, initiator: true, localEphemeral: iE });
    const responder = new HandshakeState({ ...options, initiator: false, localEphemeral: rE });
    responder.readMessage(initiator.writeMessage(EMPTY));
    const m2 = responder.writeMessage(payload);
    expect(toHex(m2)).toBe(toHex(expected));
    expect(toHex(initiator.readMessage(m2))).toBe(toHex(payload));
  });
});
