import { inspect } from 'node:util';
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  createIdentity,
  decodeIdentity,
  encodeIdentity,
  Identity,
  identityFromSecret,
  peerIdOf,
  RevocationList,
  rotateStaticKeys,
  succeedIdentity,
  verifyStaticKeyCertificate,
} from '../src/index';

const fieldsOf = (id: Identity) => ({
  publicKey: id.publicKey,
  secretKey: id.secretKey,
  peerId: id.peerId,
  revocation: id.revocation,
  recordSequence: id.recordSequence,
  staticKeys: id.staticKeys,
  successions: id.successions,
});

import { backends, clockAt, errorOf, fixture, flipBit, T0 } from './helpers';

const DAY = 86_400_000;

describe.each(backends)('identity ($name backend)', (crypto) => {
  test('the same seed gives the same identity on every backend', () => {
    const make = () =>
      createIdentity({
        random: deterministicRandomForTestsOnly('same'),
        clock: clockAt(),
        crypto,
        suites: ['25519', '448', 'P256'],
      });
    const a = make();
    const b = createIdentity({
      random: deterministicRandomForTestsOnly('same'),
      clock: clockAt(),
      crypto: nobleBackend,
      suites: ['25519', '448', 'P256'],
    });
    expect(encodeIdentity(a)).toEqual(encodeIdentity(b));
    expect(a.peerId).toEqual(peerIdOf(a.publicKey, { crypto }));
  });

  test('a static-key certificate binds the key to the identity for its period', () => {
    const alice = fixture('alice');
    const k = alice.staticKeys[0]!;
    const cert = verifyStaticKeyCertificate(k.certificate, {
      crypto,
      clock: clockAt(),
      identityKey: alice.publicKey,
      staticKey: k.publicKey,
      suite: '25519',
    });
    expect(cert.peerId).toEqual(alice.peerId);
    expect(cert.notAfter).toBe(T0 + 30 * DAY);
    const at = (ms: number) => () =>
      verifyStaticKeyCertificate(k.certificate, { crypto, clock: clockAt(ms) });
    expect(errorOf(at(T0 + 30 * DAY)).code).toBe('STATIC_KEY_EXPIRED');
    expect(errorOf(at(T0 - 3_600_000)).code).toBe('STATIC_KEY_NOT_YET_VALID');
    expect(at(T0 - 60_000)().suite).toBe('25519'); // within the clock-skew tolerance
    const other = fixture('bob').staticKeys[0]!;
    const mismatch = errorOf(() =>
      verifyStaticKeyCertificate(k.certificate, {
        crypto,
        clock: clockAt(),
        staticKey: other.publicKey,
      }),
    );
    expect(mismatch.code).toBe('STATIC_KEY_MISMATCH');
    expect(
      errorOf(() =>
        verifyStaticKeyCertificate(k.certificate, { crypto, clock: clockAt(), suite: '448' }),
      ).code,
    ).toBe('STATIC_KEY_MISMATCH');
    expect(
      errorOf(() =>
        verifyStaticKeyCertificate(k.certificate, {
          crypto,
          clock: clockAt(),
          identityKey: fixture('bob').publicKey,
        }),
      ).code,
    ).toBe('IDENTITY_MISMATCH');
  });
});

describe('identity', () => {
  test('state round-trips through its bytes', () => {
    const random = deterministicRandomForTestsOnly('state');
    fc.assert(
      fc.property(
        fc.subarray(['25519', '448', 'P256'] as const, { minLength: 1 }),
        fc.integer({ min: 0, max: 100 }),
        (suites, days) => {
          const clock = clockAt(T0 + days * DAY);
          const id = createIdentity({ random, clock, crypto: nodeBackend, suites });
          const bytes = encodeIdentity(id);
          const back = decodeIdentity(bytes, { crypto: nodeBackend });
          expect(encodeIdentity(back)).toEqual(bytes);
          expect(back.publicKey).toEqual(id.publicKey);
          expect(back.peerId).toEqual(id.peerId);
        },
      ),
      { numRuns: 20 },
    );
  });

  test('a succeeded identity keeps its chain through its bytes; a foreign chain is refused', () => {
    const random = deterministicRandomForTestsOnly('chain-state');
    const clock = clockAt();
    const first = createIdentity({ random, clock, crypto: nodeBackend });
    const second = succeedIdentity(first, { random, clock, crypto: nodeBackend }).identity;
    const third = succeedIdentity(second, { random, clock, crypto: nodeBackend }).identity;
    const back = decodeIdentity(encodeIdentity(third), { crypto: nodeBackend });
    expect(back.successions).toEqual(third.successions);
    // Second's state carrying third's chain: the chain does not end at second's key.
    const forged = new Identity({ ...fieldsOf(second), successions: third.successions });
    expect(
      errorOf(() => decodeIdentity(encodeIdentity(forged), { crypto: nodeBackend })).code,
    ).toBe('INVALID_IDENTITY_STATE');
  });

  test('identityFromSecret gives back the key pair', () => {
    const alice = fixture('alice');
    const again = identityFromSecret(alice.secretKey, { clock: clockAt(), crypto: nodeBackend });
    expect(again.publicKey).toEqual(alice.publicKey);
    expect(again.revocation).toEqual(alice.revocation); // Ed25519 signatures are deterministic
  });

  test('a flipped bit in stored state never yields other keys (sampled)', () => {
    // Stored state is protected by the store's encryption (or the backup's AEAD); decoding
    // alone must still never turn a damaged file into an identity with other keys.
    const alice = fixture('alice');
    const bytes = encodeIdentity(alice);
    fc.assert(
      fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
        let back: ReturnType<typeof decodeIdentity>;
        try {
          back = decodeIdentity(flipBit(bytes, bit), { crypto: nodeBackend });
        } catch {
          return;
        }
        expect(back.publicKey).toEqual(alice.publicKey);
        expect(back.secretKey).toEqual(alice.secretKey);
        // Static secrets are compared by their public keys: X25519 clamps bits 0-2, 254 and 255
        // of the scalar (RFC 7748 §5), so a flip there gives an equivalent key, not another one.
        const publicParts = (id: typeof alice) =>
          id.staticKeys.map(({ secretKey: _, ...rest }) => rest);
        expect(publicParts(back)).toEqual(publicParts(alice));
        expect(back.revocation).toEqual(alice.revocation);
      }),
      { numRuns: 300 },
    );
  });

  test('state whose parts belong to different keys is refused', () => {
    const alice = encodeIdentity(fixture('alice'));
    const bob = fixture('bob');
    // Alice's state with Bob's revocation certificate.
    const mixed = encodeIdentity(
      new Identity({ ...fieldsOf(fixture('alice')), revocation: bob.revocation }),
    );
    expect(mixed).not.toEqual(alice);
    expect(errorOf(() => decodeIdentity(mixed, { crypto: nodeBackend })).code).toBe(
      'INVALID_IDENTITY_STATE',
    );
  });

  test('rotation keeps the previous static key until it expires, then drops it', () => {
    const random = deterministicRandomForTestsOnly('rotate');
    const id = createIdentity({ random, clock: clockAt(), crypto: nodeBackend });
    const r1 = rotateStaticKeys(id, { random, clock: clockAt(T0 + 20 * DAY), crypto: nodeBackend });
    expect(r1.staticKeys).toHaveLength(2);
    expect(r1.staticKey('25519', { clock: clockAt(T0 + 20 * DAY) })?.notBefore).toBe(T0 + 20 * DAY);
    expect(r1.findStaticKey('25519', id.staticKeys[0]!.publicKey)).toBeDefined();
    const r2 = rotateStaticKeys(r1, { random, clock: clockAt(T0 + 31 * DAY), crypto: nodeBackend });
    expect(r2.staticKeys).toHaveLength(2);
    expect(r2.findStaticKey('25519', id.staticKeys[0]!.publicKey)).toBeUndefined();
    expect(id.staticKeys).toHaveLength(1); // the old state is unchanged
  });

  test('secrets never print', () => {
    const alice = fixture('alice');
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const pair = alice.staticKeys[0]!;
    for (const text of [
      JSON.stringify(alice),
      inspect(alice),
      String(alice),
      `${alice}`,
      JSON.stringify(pair),
      inspect(pair),
      inspect(alice.staticKeys),
    ]) {
      expect(text).not.toContain(hex(alice.secretKey));
      expect(text).not.toContain(hex(alice.staticKeys[0]!.secretKey));
    }
    expect(JSON.stringify(new RevocationList())).toBe('{"revoked":0}');
  });

  test('secrets do not leak through copies, key listings or inspect without custom hooks', () => {
    const alice = fixture('alice');
    const secretJson = JSON.stringify(alice.secretKey);
    const secretInspect = inspect(alice.secretKey);
    expect(Object.keys(alice)).not.toContain('secretKey');
    expect(JSON.stringify({ ...alice })).not.toContain(secretJson);
    expect(JSON.stringify(Object.entries(alice))).not.toContain(secretJson);
    expect(inspect(alice, { customInspect: false })).not.toContain(secretInspect);
    // Still there for whoever asks for it by name.
    expect(alice.secretKey).toHaveLength(32);
  });

  test('bad arguments read like noble', () => {
    expect(errorOf(() => peerIdOf(new Uint8Array(31))).message).toBe(
      '"identityKey" expected Uint8Array of length 32, got length=31',
    );
    expect(errorOf(() => createIdentity({ suites: [] })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => createIdentity({ suites: ['25519', '25519'] })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(errorOf(() => createIdentity({ staticKeyLifetimeMs: 0 })).code).toBe('INVALID_ARGUMENT');
  });
});
