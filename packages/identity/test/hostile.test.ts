/**
 * Hostile input for every decoder of outside bytes or text that had no such test of its own:
 * truncated, oversized, bit-flipped and random inputs must each be refused with a typed
 * P2peError (never a TypeError or RangeError, never a hang), and a signed certificate may not
 * vouch for a static key longer than MAX_STATIC_KEY_LIFETIME_MS.
 */
import { nodeBackend } from '@p2pe/crypto/node';
import { P2peError, ProtoWriter } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeRecoveryCode, encodeRecoveryCode } from '../src/code';
import { signedMessage } from '../src/common';
import { encodeEnvelope } from '../src/envelope';
import {
  decodeIdentity,
  encodeIdentity,
  identityWords,
  MAX_STATIC_KEY_LIFETIME_MS,
  parseIdentityWords,
  parseInviteUri,
  RevocationList,
  succeedIdentity,
  verifyRevocation,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '../src/index';
import { clockAt, errorOf, fixture, flipBit, idealSignatureBackend, T0 } from './helpers';

const crypto = nodeBackend;

/** Runs `fn`; it must throw, and what it throws must be a P2peError. */
function refusedTyped(fn: () => unknown): void {
  errorOf(fn);
}

/** Truncations, an oversized copy, sampled bit flips and random bytes of `valid`. */
function hostileBytes(valid: Uint8Array, maxBytes: number, check: (b: Uint8Array) => void): void {
  for (let n = 0; n < valid.length; n++) check(valid.subarray(0, n));
  check(new Uint8Array(maxBytes + 1));
  fc.assert(
    fc.property(fc.nat(valid.length * 8 - 1), (bit) => {
      check(flipBit(valid, bit));
    }),
    { numRuns: 100 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: Math.min(maxBytes, 600) }), (bytes) => {
      check(bytes);
    }),
    { numRuns: 300 },
  );
}

describe('static-key certificates', () => {
  test('a certificate vouching for a key longer than MAX_STATIC_KEY_LIFETIME_MS is refused', () => {
    const alice = fixture('alice');
    const k = alice.staticKeys[0]!;
    const certify = (notAfter: number) => {
      const body = new ProtoWriter()
        .uint(1, 1)
        .bytes(2, alice.publicKey)
        .message(
          3,
          new ProtoWriter()
            .string(1, '25519')
            .bytes(2, k.publicKey)
            .uint(3, T0)
            .uint(4, notAfter)
            .finish(),
        )
        .finish();
      const message = signedMessage('p2pe/identity/v1/static-key', body);
      return encodeEnvelope(body, [crypto.ed25519.sign(alice.secretKey, message)]);
    };
    const clock = clockAt();
    // The longest allowed validity verifies; one millisecond more does not.
    expect(
      verifyStaticKeyCertificate(certify(T0 + MAX_STATIC_KEY_LIFETIME_MS), { clock, crypto })
        .notAfter,
    ).toBe(T0 + MAX_STATIC_KEY_LIFETIME_MS);
    expect(
      errorOf(() =>
        verifyStaticKeyCertificate(certify(T0 + MAX_STATIC_KEY_LIFETIME_MS + 1), { clock, crypto }),
      ).code,
    ).toBe('STATIC_KEY_LIFETIME_TOO_LONG');
    expect(
      errorOf(() => verifyStaticKeyCertificate(certify(Number.MAX_SAFE_INTEGER), { clock, crypto }))
        .code,
    ).toBe('STATIC_KEY_LIFETIME_TOO_LONG');
  });

  test('every flipped bit of a certificate fails verification (exhaustive, ideal signatures)', () => {
    const ideal = idealSignatureBackend();
    const { identity } = succeedIdentity(fixture('alice'), { clock: clockAt(), crypto: ideal });
    const cert = identity.staticKeys[0]!.certificate;
    const clock = clockAt();
    verifyStaticKeyCertificate(cert, { clock, crypto: ideal });
    for (let bit = 0; bit < cert.length * 8; bit++) {
      refusedTyped(() => verifyStaticKeyCertificate(flipBit(cert, bit), { clock, crypto: ideal }));
    }
  });

  test('truncated, oversized, flipped and random certificates are refused with typed errors', () => {
    const clock = clockAt();
    hostileBytes(fixture('alice').staticKeys[0]!.certificate, 512, (b) =>
      refusedTyped(() => verifyStaticKeyCertificate(b, { clock, crypto })),
    );
  });
});

describe('other decoders', () => {
  test('revocations: truncated, oversized, flipped and random input', () => {
    hostileBytes(fixture('alice').revocation, 256, (b) =>
      refusedTyped(() => verifyRevocation(b, { crypto })),
    );
  });

  test('successions: truncated, oversized, flipped and random input', () => {
    const { succession } = succeedIdentity(fixture('alice'), { clock: clockAt(), crypto });
    hostileBytes(succession, 512, (b) => refusedTyped(() => verifySuccession(b, { crypto })));
  });

  test('revocation lists: truncated, flipped and random input', () => {
    const list = new RevocationList();
    list.add(fixture('alice').revocation, { crypto });
    list.add(fixture('bob').revocation, { crypto });
    const bytes = list.encode();
    for (let n = 0; n < bytes.length; n++) {
      // Cut between two entries, the rest is a valid, shorter list; anywhere else it is refused.
      try {
        expect(RevocationList.decode(bytes.subarray(0, n), { crypto }).size).toBeLessThan(2);
      } catch (e) {
        expect(P2peError.is(e)).toBe(true);
      }
    }
    fc.assert(
      fc.property(fc.nat(bytes.length * 8 - 1), (bit) => {
        // A flip may still leave a valid list (e.g. in the version's unused bits: refused too),
        // but never an untyped error.
        try {
          RevocationList.decode(flipBit(bytes, bit), { crypto });
        } catch (e) {
          expect(P2peError.is(e)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (b) => {
        try {
          RevocationList.decode(b, { crypto });
        } catch (e) {
          expect(P2peError.is(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('stored identity state: truncated, oversized and random input', () => {
    const state = encodeIdentity(fixture('alice'));
    for (let n = 0; n < state.length; n++) {
      // Cut between two repeated fields, the rest is valid state with fewer static keys (stored
      // state is protected by the encryption at rest, not by this decoder); anywhere else, refused.
      try {
        const cut = decodeIdentity(state.subarray(0, n), { crypto });
        expect(cut.publicKey).toEqual(fixture('alice').publicKey);
        expect(cut.staticKeys.length).toBeLessThan(fixture('alice').staticKeys.length);
      } catch (e) {
        expect(P2peError.is(e)).toBe(true);
      }
    }
    refusedTyped(() => decodeIdentity(new Uint8Array(32_769), { crypto }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        refusedTyped(() => decodeIdentity(b, { crypto }));
      }),
      { numRuns: 300 },
    );
  });

  test('word forms, invite links and recovery codes: random and oversized text', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .array(fc.constantFrom(...identityWords(fixture('alice').publicKey)), {
          minLength: 27,
          maxLength: 27,
        })
        .map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(text, (t) => {
        // 27 words of one real word form in random order: a valid checksum is a 2^-30 event.
        if (t === identityWords(fixture('alice').publicKey).join(' ')) return;
        refusedTyped(() => parseIdentityWords(t));
        refusedTyped(() => parseInviteUri(t));
        refusedTyped(() => decodeRecoveryCode(t));
      }),
      { numRuns: 300 },
    );
    refusedTyped(() => parseIdentityWords('abandon '.repeat(2000)));
    refusedTyped(() => parseInviteUri(`p2pe:inv1${'q'.repeat(1_000_000)}`));
    refusedTyped(() => parseInviteUri(`p2pe:inv1${' '.repeat(1_000_000)}`));
    refusedTyped(() => decodeRecoveryCode('q'.repeat(100_000)));
    const code = encodeRecoveryCode(new Uint8Array(16).fill(3));
    fc.assert(
      fc.property(fc.nat(code.length - 1), fc.constantFrom(...'qpzry9x8gf2tvdw0'), (i, c) => {
        const typo = code.slice(0, i) + c + code.slice(i + 1);
        if (typo.replace(/ /g, '') === code.replace(/ /g, '')) return;
        refusedTyped(() => decodeRecoveryCode(typo));
      }),
      { numRuns: 200 },
    );
  });
});
