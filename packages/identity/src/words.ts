/**
 * Word form of an identity: the 59 five-bit symbols of the identity code's data part (version,
 * key, bech32m checksum) — 295 bits, followed by 2 zero bits — cut into 27 groups of 11 bits,
 * each a word of the BIP-39 English list (BIP-39 §"Wordlist"; only the list is BIP-39's, not its
 * mnemonic format).
 *
 * Why the code's checksum rather than BIP-39's: BIP-39 checks 8 bits for 256 bits of entropy,
 * so one wrong word in 256 goes unnoticed. Here one word spans at most 3 symbols of the code, so
 * any single wrong word is an error of ≤ 3 characters, which bech32m always detects; several
 * wrong words slip through with probability about 2^-32 (30-bit checksum, 2 zero bits).
 *
 * Parsing takes any case and any separators (spaces, commas, dashes, newlines). A word may be
 * shortened to its first 4 letters or more: the first 4 letters of every word in the list are
 * unique (BIP-39 §"Wordlist"). A misspelled word is either unknown (rejected, with its position)
 * or another word of the list (caught by the checksum, with the likely position).
 */

import { ValidationError } from '@p2pe/transport-interfaces';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { CodeError, checksumValid, codeSymbols, effectsFor, keyFromSymbols, residue } from './code';
import { CODE_PREFIX, WORD_COUNT } from './constants';

const BITS = 11;
const SYMBOLS = 59;

const WORD_INDEX = new Map<string, number>(wordlist.map((w, i) => [w, i]));
const PREFIX_INDEX = new Map<string, number>(wordlist.map((w, i) => [w.slice(0, 4), i]));

/** The 27 words of an identity public key. */
export function identityWords(identityKey: Uint8Array): string[] {
  return indicesFromSymbols(codeSymbols(identityKey)).map((i) => wordlist[i]!);
}

/**
 * The identity public key of its word form (a string of words, or an array).
 * Throws CodeError `WORDS_COUNT`, `WORDS_UNKNOWN_WORD` (position = index of the word),
 * `WORDS_CHECKSUM` (position = the likely wrong word when one word is wrong), `WORDS_PADDING`.
 */
export function parseIdentityWords(words: string | readonly string[]): Uint8Array {
  if (typeof words !== 'string' && !Array.isArray(words)) {
    throw new ValidationError('INVALID_ARGUMENT', '"words" expected string or string[]');
  }
  const text = typeof words === 'string' ? words : words.join(' ');
  if (text.length > 4096) throw new CodeError('WORDS_COUNT', 'word form is too long');
  const tokens = text
    .toLowerCase()
    .split(/[\s,;\-.]+/)
    .filter((t) => t.length > 0);
  if (tokens.length !== WORD_COUNT) {
    throw new CodeError('WORDS_COUNT', `expected ${WORD_COUNT} words, got ${tokens.length}`);
  }
  const indices = tokens.map((token, position) => {
    const index =
      WORD_INDEX.get(token) ??
      (token.length >= 4 ? PREFIX_INDEX.get(token.slice(0, 4)) : undefined);
    if (index === undefined) {
      throw new CodeError(
        'WORDS_UNKNOWN_WORD',
        `word ${position + 1} is not in the list`,
        position,
      );
    }
    return index;
  });
  const { symbols, padding } = symbolsFromIndices(indices);
  if (!checksumValid(CODE_PREFIX, symbols)) {
    const likely = likelyWrongWord(indices);
    throw new CodeError(
      'WORDS_CHECKSUM',
      likely === undefined
        ? 'word form checksum does not match: more than one word is wrong'
        : `word form checksum does not match: word ${likely + 1} is likely wrong`,
      likely,
    );
  }
  if (padding !== 0) throw new CodeError('WORDS_PADDING', 'word form has non-zero padding bits');
  try {
    return keyFromSymbols(symbols);
  } catch (cause) {
    if (cause instanceof CodeError) {
      throw new CodeError(
        cause.code.replace('CODE_', 'WORDS_'),
        cause.message.replace('identity code', 'word form'),
      );
    }
    throw cause;
  }
}

const TOTAL_BITS = WORD_COUNT * BITS; // 297 = 59 × 5 + 2 zero bits

function indicesFromSymbols(symbols: readonly number[]): number[] {
  const bits = new Uint8Array(TOTAL_BITS);
  symbols.forEach((s, i) => {
    for (let b = 0; b < 5; b++) bits[i * 5 + b] = (s >> (4 - b)) & 1;
  });
  const out: number[] = [];
  for (let w = 0; w < WORD_COUNT; w++) out.push(readBits(bits, w * BITS, BITS));
  return out;
}

function readBits(bits: Uint8Array, start: number, count: number): number {
  let v = 0;
  for (let b = 0; b < count; b++) v = (v << 1) | bits[start + b]!;
  return v;
}

function writeWord(bits: Uint8Array, position: number, index: number): void {
  for (let b = 0; b < BITS; b++) bits[position * BITS + b] = (index >> (BITS - 1 - b)) & 1;
}

function bitsFromIndices(indices: readonly number[]): Uint8Array {
  const bits = new Uint8Array(TOTAL_BITS);
  indices.forEach((index, position) => {
    writeWord(bits, position, index);
  });
  return bits;
}

function symbolsFromIndices(indices: readonly number[]): { symbols: number[]; padding: number } {
  const bits = bitsFromIndices(indices);
  const symbols: number[] = [];
  for (let i = 0; i < SYMBOLS; i++) symbols.push(readBits(bits, i * 5, 5));
  return { symbols, padding: readBits(bits, SYMBOLS * 5, TOTAL_BITS - SYMBOLS * 5) };
}

/**
 * The one word position whose replacement by some other word gives a valid code, if unique.
 * Replacing word p changes only the ≤ 3 symbols its 11 bits overlap (plus the padding for the
 * last word); the checksum residue changes by the XOR of those symbols' effects (see
 * `substitutionEffects`), so each candidate word costs a few integer operations.
 */
function likelyWrongWord(indices: readonly number[]): number | undefined {
  const { symbols, padding } = symbolsFromIndices(indices);
  const r = residue(CODE_PREFIX, symbols);
  const effects = effectsFor(SYMBOLS);
  const padShift = 5 - (TOTAL_BITS - SYMBOLS * 5); // padding as the top bits of symbol 59
  const extended = [...symbols, padding << padShift];
  const found: number[] = [];
  for (let p = 0; p < WORD_COUNT; p++) {
    const first = Math.floor((p * BITS) / 5);
    const last = Math.floor((p * BITS + BITS - 1) / 5);
    const spanBits = (last - first + 1) * 5;
    let span = 0;
    for (let i = first; i <= last; i++) span = (span << 5) | extended[i]!;
    const shift = spanBits - (p * BITS - first * 5) - BITS;
    const keep = span & ~(0x7ff << shift);
    for (let w = 0; w < wordlist.length; w++) {
      if (w === indices[p]) continue;
      const diff = (keep | (w << shift)) ^ span;
      let change = 0;
      let ok = true;
      for (let i = first; i <= last; i++) {
        const d = (diff >> (5 * (last - i))) & 31;
        if (i === SYMBOLS) ok = (extended[i]! ^ d) === 0;
        else change ^= effects[i]![d]!;
      }
      if (ok && change === r) {
        found.push(p);
        break;
      }
    }
  }
  return found.length === 1 ? found[0] : undefined;
}
