import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type CodeError, identityWords, parseIdentityWords, WORD_COUNT } from '../src/index';
import { errorOf } from './helpers';

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('word form', () => {
  test('round-trips every key as 27 words of the BIP-39 English list', () => {
    fc.assert(
      fc.property(key32, (key) => {
        const words = identityWords(key);
        expect(words).toHaveLength(WORD_COUNT);
        for (const w of words) expect(wordlist).toContain(w);
        expect(parseIdentityWords(words)).toEqual(key);
        expect(parseIdentityWords(words.join(' '))).toEqual(key);
      }),
      { numRuns: 100 },
    );
  });

  test('accepts any case, commas and dashes, and words cut to their first 4 letters', () => {
    fc.assert(
      fc.property(key32, (key) => {
        const words = identityWords(key);
        const typed = words.map((w, i) => (i % 2 === 0 ? w.slice(0, 4).toUpperCase() : w));
        expect(parseIdentityWords(typed.join(', '))).toEqual(key);
        expect(parseIdentityWords(words.join('-'))).toEqual(key);
      }),
      { numRuns: 30 },
    );
  });

  test('a single wrong word is always detected, and nearly always located', () => {
    // One word spans at most 3 code symbols, so bech32m always detects it. Locating is by
    // search and can be ambiguous when two neighbouring words could each be "the" error.
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 91 + 5) & 0xff);
    const words = identityWords(key);
    let located = 0;
    let total = 0;
    for (let p = 0; p < WORD_COUNT; p++) {
      // A stride over the list that starts at a different word per position: 22 words each,
      // 594 cases covering every position and word indices across the list.
      for (let w = p % 97; w < wordlist.length; w += 97) {
        if (wordlist[w] === words[p]) continue;
        const bad = [...words];
        bad[p] = wordlist[w]!;
        const e = errorOf(() => parseIdentityWords(bad));
        expect(e.code).toBe('WORDS_CHECKSUM');
        const position = (e as CodeError).position;
        expect(position === undefined || position === p).toBe(true);
        if (position === p) located++;
        total++;
      }
    }
    expect(located / total).toBeGreaterThan(0.95);
  });

  test('two or more wrong words are detected (sampled)', () => {
    fc.assert(
      fc.property(
        key32,
        fc.uniqueArray(fc.integer({ min: 0, max: WORD_COUNT - 1 }), { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 1, max: 2047 }),
        (key, positions, delta) => {
          const words = identityWords(key);
          for (const p of positions) {
            words[p] = wordlist[(wordlist.indexOf(words[p]!) + delta) % 2048]!;
          }
          expect(errorOf(() => parseIdentityWords(words)).code).toBe('WORDS_CHECKSUM');
        },
      ),
      { numRuns: 100 },
    );
  });

  test('an unknown word, a missing word or an extra word is named', () => {
    const words = identityWords(new Uint8Array(32).fill(3));
    const unknown = [...words];
    unknown[4] = 'xylophone';
    const e = errorOf(() => parseIdentityWords(unknown));
    expect(e.code).toBe('WORDS_UNKNOWN_WORD');
    expect((e as CodeError).position).toBe(4);
    expect(errorOf(() => parseIdentityWords(words.slice(1))).code).toBe('WORDS_COUNT');
    expect(errorOf(() => parseIdentityWords([...words, 'abandon'])).code).toBe('WORDS_COUNT');
    expect(errorOf(() => parseIdentityWords(7 as unknown as string)).code).toBe('INVALID_ARGUMENT');
  });

  test('non-zero padding bits are refused', () => {
    const words = identityWords(new Uint8Array(32));
    const last = wordlist.indexOf(words[WORD_COUNT - 1]!);
    words[WORD_COUNT - 1] = wordlist[last ^ 1]!;
    expect(errorOf(() => parseIdentityWords(words)).code).toMatch(/^WORDS_(PADDING|CHECKSUM)$/);
  });
});
