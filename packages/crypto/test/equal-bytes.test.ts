import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { equalBytes } from '@p2pe/crypto';
import { fromHex, toHex } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAcceptableEd25519PublicKey, isValidP256Scalar } from '../src/engine';
import { be, bytes, flipBit, P256_N } from './helpers';

describe('equalBytes', () => {
  it('agrees with a plain comparison, including on near-collisions of short arrays', () => {
    fc.assert(
      fc.property(bytes(0, 3), bytes(0, 3), (a, b) => {
        expect(equalBytes(a, b)).toBe(toHex(a) === toHex(b));
      }),
      { numRuns: 500 },
    );
  });

  it('is true for a copy and false after any single bit flip (a forged MAC one bit off)', () => {
    fc.assert(
      fc.property(bytes(1, 64), fc.nat(), (a, seed) => {
        expect(equalBytes(a, a.slice())).toBe(true);
        expect(equalBytes(a, flipBit(a, seed))).toBe(false);
      }),
    );
  });

  it('is false for different lengths and for non-bytes', () => {
    expect(equalBytes(new Uint8Array(2), new Uint8Array(3))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(equalBytes([0] as never, new Uint8Array(1))).toBe(false);
  });
});

describe('shared engine checks', () => {
  it('isValidP256Scalar is exactly 1 ≤ k < n', () => {
    const edges = [0n, 1n, 2n, P256_N - 2n, P256_N - 1n, P256_N, P256_N + 1n, 2n ** 256n - 1n];
    for (const k of edges) expect(isValidP256Scalar(be(k, 32))).toBe(k >= 1n && k < P256_N);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (k) => {
        expect(isValidP256Scalar(be(k, 32))).toBe(k >= 1n && k < P256_N);
      }),
    );
    // Near n, where a byte-wise comparison is most likely to go wrong.
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (d) => {
        const k = P256_N + d;
        expect(isValidP256Scalar(be(k, 32))).toBe(k >= 1n && k < P256_N);
      }),
    );
  });

  it('the Ed25519 small-order list covers every point of noble ED25519_TORSION_SUBGROUP', () => {
    for (const p of ED25519_TORSION_SUBGROUP) {
      expect(isAcceptableEd25519PublicKey(fromHex(p))).toBe(false);
    }
    expect(
      isAcceptableEd25519PublicKey(
        fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
      ),
    ).toBe(true);
  });
});
