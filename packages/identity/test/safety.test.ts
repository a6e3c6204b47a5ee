import { nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { safetyNumber, safetyNumberHalf, shortAuthString } from '../src/index';
import { errorOf } from './helpers';

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('safety number', () => {
  test('is the same on both sides: symmetric, 60 digits in 12 groups of 5', () => {
    fc.assert(
      fc.property(key32, key32, (a, b) => {
        const ab = safetyNumber(a, b, { crypto: nodeBackend });
        expect(safetyNumber(b, a, { crypto: nodeBackend })).toBe(ab);
        expect(ab).toMatch(/^\d{5}( \d{5}){11}$/);
      }),
      { numRuns: 6 },
    );
  });

  test('is made of the two halves in order, so each side can check its own half', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    const digits = safetyNumber(a, b).replace(/ /g, '');
    const halves = [safetyNumberHalf(a), safetyNumberHalf(b)].sort();
    expect(digits).toBe(halves.join(''));
  });

  test('changes when either key changes (a different contact never matches)', () => {
    fc.assert(
      fc.property(key32, key32, fc.nat(255), (a, b, bit) => {
        const b2 = b.slice();
        b2[bit >> 3]! ^= 1 << (bit & 7);
        expect(safetyNumber(a, b2, { crypto: nodeBackend })).not.toBe(
          safetyNumber(a, b, { crypto: nodeBackend }),
        );
      }),
      { numRuns: 4 },
    );
  });

  test('both backends agree', () => {
    const a = new Uint8Array(32).fill(7);
    const b = new Uint8Array(32).fill(9);
    expect(safetyNumber(a, b, { crypto: nobleBackend })).toBe(
      safetyNumber(a, b, { crypto: nodeBackend }),
    );
  });
});

describe('short authentication string', () => {
  test('is words of the list, the same for the same transcript, different otherwise', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 3, max: 8 }),
        (h, n) => {
          const words = shortAuthString(h, { words: n });
          expect(words).toHaveLength(n);
          for (const w of words) expect(wordlist).toContain(w);
          expect(shortAuthString(h.slice(), { words: n })).toEqual(words);
          const other = h.slice();
          other[0]! ^= 1;
          // 33+ bits: a collision here would be a 2^-33 event.
          expect(shortAuthString(other, { words: n })).not.toEqual(words);
        },
      ),
    );
  });

  test('takes 32- or 64-byte hashes and 3 to 8 words only', () => {
    expect(shortAuthString(new Uint8Array(64))).toHaveLength(5);
    expect(errorOf(() => shortAuthString(new Uint8Array(16))).message).toBe(
      '"transcriptHash" expected Uint8Array of length 32 or 64, got length=16',
    );
    expect(errorOf(() => shortAuthString(new Uint8Array(32), { words: 2 })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(errorOf(() => shortAuthString(new Uint8Array(32), { words: 9 })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('safety number: what a partial comparison is worth', () => {
  test('a man in the middle matches the first 30 digits on both sides with a few tries', () => {
    // Alice and Bob each see a safety number with the man in the middle's key M. The halves are
    // sorted, so an M whose half sorts before both of theirs comes first on both phones: the
    // first 30 digits agree and only the last 30 reveal M. The README says: compare all 60.
    const crypto = nodeBackend;
    const alice = new Uint8Array(32).fill(0xa1);
    const bob = new Uint8Array(32).fill(0xb0);
    const lowest = [
      safetyNumberHalf(alice, { crypto }),
      safetyNumberHalf(bob, { crypto }),
    ].sort()[0]!;
    let tries = 0;
    let m: Uint8Array;
    do {
      tries++;
      m = new Uint8Array(32).fill(tries);
    } while (safetyNumberHalf(m, { crypto }) >= lowest && tries < 200);
    const seenByAlice = safetyNumber(alice, m, { crypto }).replace(/ /g, '');
    const seenByBob = safetyNumber(m, bob, { crypto }).replace(/ /g, '');
    expect(seenByAlice.slice(0, 30)).toBe(seenByBob.slice(0, 30));
    expect(seenByAlice.slice(30)).not.toBe(seenByBob.slice(30));
    // Expected about 1 / P(half(M) < both) = 3 tries; 200 would be a 2^-100-ish event.
    expect(tries).toBeLessThan(200);
  });
});
