/**
 * Identity codes and recovery codes: bech32m strings (BIP-173 §"Bech32" with the BIP-350
 * constant) with a fixed human-readable prefix and a version symbol:
 *
 *   identity code:  "p2pe"   "1"  version(1 symbol = 0)  key (32 bytes → 52 symbols)  checksum (6)
 *   recovery code:  "p2perc" "1"  version(1 symbol = 0)  secret (16 bytes → 26 symbols)  checksum (6)
 *
 * An identity code is 64 characters: within the 89 for which bech32m guarantees that any error
 * affecting at most 4 characters is detected (BIP-350 §"Bech32m"; BIP-173 §"Checksum design").
 * The alphabet `qpzry9x8gf2tvdw0s3jn54khce6mua7l` has no 1, b, i or o. Parsing is forgiving about
 * presentation and strict about content: case, spaces, dashes and dots are ignored, and the
 * look-alikes o→0, i→l, b→8 and 1→l (after the separator) are mapped before the checksum is
 * checked, so a mapping can never turn a wrong code into an accepted one without the checksum
 * agreeing. For a code with one wrong character, the error names the likely position: a single
 * substitution has exactly one correction at distance 1 (the code's minimum distance is ≥ 5),
 * found by trying every substitution. The corrected character is never suggested: the user must
 * look at the source again.
 */

import { DecodeError, ValidationError } from '@p2pe/transport-interfaces';
import { bech32m } from '@scure/base';
import {
  CODE_GROUP,
  CODE_PREFIX,
  CODE_VERSION,
  IDENTITY_KEY_LENGTH,
  RECOVERY_CODE_PREFIX,
  RECOVERY_SECRET_LENGTH,
} from './constants';

/** The bech32 alphabet (BIP-173 §"Bech32"). */
export const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** BIP-350 §"Bech32m": the checksum constant M. */
const BECH32M_CONST = 0x2bc830a3;
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const LOOK_ALIKES: Readonly<Record<string, string>> = { o: '0', i: 'l', b: '8', '1': 'l' };

/**
 * A code that does not parse. `position` is the 0-based index, in the characters after the
 * separator `1` (spaces and dashes not counted), of the character that is likely wrong, when one
 * can be named.
 */
export class CodeError extends DecodeError {
  readonly position: number | undefined;

  constructor(code: string, message: string, position?: number) {
    super(code, message);
    this.position = position;
  }
}

/** BIP-173 §"Checksum": the BCH polymod over GF(32), from a given starting state. */
function polymod(values: readonly number[], start = 1): number {
  let chk = start;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if (((top >>> i) & 1) === 1) chk ^= GENERATOR[i]!;
  }
  return chk;
}

/** BIP-173 §"Checksum": the expanded human-readable part. */
function hrpExpand(prefix: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < prefix.length; i++) out.push(prefix.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < prefix.length; i++) out.push(prefix.charCodeAt(i) & 31);
  return out;
}

/** True when `symbols` (data and checksum) carry a valid bech32m checksum under `prefix`. */
export function checksumValid(prefix: string, symbols: readonly number[]): boolean {
  return residue(prefix, symbols) === 0;
}

/** polymod XOR the bech32m constant: 0 exactly for a valid string. */
export function residue(prefix: string, symbols: readonly number[]): number {
  return (polymod([...hrpExpand(prefix), ...symbols]) ^ BECH32M_CONST) >>> 0;
}

/**
 * The polymod is affine over GF(2): changing symbol p by XOR with d changes the residue by
 * `effect[p][d]`, independent of the other symbols. The table turns the search for a single
 * substitution into table look-ups (32 × length entries, computed once per length).
 */
export function substitutionEffects(length: number): Uint32Array[] {
  const table: Uint32Array[] = [];
  const zeros = new Array<number>(length).fill(0);
  for (let p = 0; p < length; p++) {
    const row = new Uint32Array(32);
    for (let bit = 0; bit < 5; bit++) {
      zeros[p] = 1 << bit;
      row[1 << bit] = polymod(zeros, 0) >>> 0;
    }
    zeros[p] = 0;
    for (let d = 1; d < 32; d++) {
      let acc = 0;
      for (let bit = 0; bit < 5; bit++) if (((d >> bit) & 1) === 1) acc ^= row[1 << bit]!;
      row[d] = acc >>> 0;
    }
    table.push(row);
  }
  return table;
}

const EFFECTS = new Map<number, Uint32Array[]>();

export function effectsFor(length: number): Uint32Array[] {
  let table = EFFECTS.get(length);
  if (table === undefined) {
    table = substitutionEffects(length);
    EFFECTS.set(length, table);
  }
  return table;
}

/** Positions p where some single substitution of `symbols[p]` gives a valid checksum. */
function singleErrorPositions(prefix: string, symbols: readonly number[]): number[] {
  const r = residue(prefix, symbols);
  if (r === 0) return [];
  const effects = effectsFor(symbols.length);
  const found: number[] = [];
  for (let p = 0; p < symbols.length; p++) {
    if (effects[p]!.includes(r)) found.push(p);
  }
  return found;
}

/** Removes presentation (case, spaces, dashes, dots) from a code as typed. */
function normalise(text: string): string {
  return text.replace(/[\s\-.]/g, '').toLowerCase();
}

function encodeCode(prefix: string, payload: Uint8Array, grouped: boolean): string {
  const code = bech32m.encode(prefix, [CODE_VERSION, ...bech32m.toWords(payload)], false);
  if (!grouped) return code;
  const data = code.slice(prefix.length + 1);
  const groups: string[] = [];
  for (let i = 0; i < data.length; i += CODE_GROUP) groups.push(data.slice(i, i + CODE_GROUP));
  return `${prefix}1 ${groups.join(' ')}`;
}

/** Symbols of the data part (version, payload, checksum) of a code of `payloadLength` bytes. */
function dataLength(payloadLength: number): number {
  return 1 + Math.ceil((payloadLength * 8) / 5) + 6;
}

function decodeCode(text: string, prefix: string, payloadLength: number, what: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new ValidationError('INVALID_ARGUMENT', `"${what}" expected string`);
  }
  if (text.length > 1024) throw new CodeError('CODE_LENGTH', `${what} is too long`);
  const compact = normalise(text);
  const head = `${prefix}1`;
  if (!compact.startsWith(head)) {
    throw new CodeError('CODE_PREFIX', `${what} must start with "${head}"`);
  }
  const expected = dataLength(payloadLength);
  const raw = compact.slice(head.length);
  if (raw.length !== expected) {
    const position =
      Math.abs(raw.length - expected) === 1
        ? lengthErrorPosition(prefix, raw, expected)
        : undefined;
    const hint =
      position === undefined
        ? ''
        : raw.length < expected
          ? `: a character is likely missing before ${describePosition(position)}`
          : `: ${describePosition(position)} is likely extra`;
    throw new CodeError(
      'CODE_LENGTH',
      `${what} has ${raw.length} characters after "${head}", expected ${expected}${hint}`,
      position,
    );
  }
  const symbols: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = LOOK_ALIKES[raw[i]!] ?? raw[i]!;
    const v = BECH32_CHARSET.indexOf(c);
    if (v < 0) {
      throw new CodeError(
        'CODE_CHARACTER',
        `${what} has an invalid character at ${describePosition(i)}`,
        i,
      );
    }
    symbols.push(v);
  }
  if (!checksumValid(prefix, symbols)) {
    const positions = singleErrorPositions(prefix, symbols);
    if (positions.length === 1) {
      const p = positions[0]!;
      throw new CodeError(
        'CODE_CHECKSUM',
        `${what} checksum does not match: ${describePosition(p)} is likely wrong`,
        p,
      );
    }
    throw new CodeError(
      'CODE_CHECKSUM',
      `${what} checksum does not match: more than one character is wrong`,
    );
  }
  if (symbols[0] !== CODE_VERSION) {
    throw new CodeError('CODE_VERSION', `${what} version ${symbols[0]} is not supported`);
  }
  const payload = bech32m.fromWordsUnsafe(symbols.slice(1, -6));
  if (payload === undefined || payload.length !== payloadLength) {
    throw new CodeError('CODE_PADDING', `${what} has non-zero padding bits`);
  }
  return payload;
}

/**
 * For a code one character short or long: the position where inserting (or deleting) one
 * character gives a valid checksum, when all such corrections agree on the result (a character
 * repeated in a run can be inserted or deleted at any place in the run: the first is named).
 * Insertions shift every later symbol, so this tries each candidate in full: 60 × 32 checksums.
 */
function lengthErrorPosition(prefix: string, raw: string, expected: number): number | undefined {
  const symbols: number[] = [];
  for (const ch of raw) {
    const v = BECH32_CHARSET.indexOf(LOOK_ALIKES[ch] ?? ch);
    if (v < 0) return undefined;
    symbols.push(v);
  }
  const results = new Map<string, number>();
  if (symbols.length < expected) {
    for (let p = 0; p <= symbols.length; p++) {
      for (let v = 0; v < 32; v++) {
        const candidate = [...symbols.slice(0, p), v, ...symbols.slice(p)];
        if (checksumValid(prefix, candidate)) {
          const key = candidate.join(',');
          if (!results.has(key)) results.set(key, p);
        }
      }
    }
  } else {
    for (let p = 0; p < symbols.length; p++) {
      const candidate = [...symbols.slice(0, p), ...symbols.slice(p + 1)];
      if (checksumValid(prefix, candidate)) {
        const key = candidate.join(',');
        if (!results.has(key)) results.set(key, p);
      }
    }
  }
  return results.size === 1 ? [...results.values()][0] : undefined;
}

function describePosition(p: number): string {
  return `character ${p + 1} (group ${Math.floor(p / CODE_GROUP) + 1}, character ${(p % CODE_GROUP) + 1})`;
}

/** Options of `identityCode`. */
export interface CodeFormatOptions {
  /** Groups of 4 separated by spaces, for reading aloud. @default true */
  readonly grouped?: boolean;
}

/**
 * The identity code of an identity public key: `p2pe1` + 59 characters, lower case, grouped by
 * 4 for reading aloud unless `grouped: false` (64 characters, for links and QR codes).
 */
export function identityCode(identityKey: Uint8Array, options?: CodeFormatOptions): string {
  checkPayload(identityKey, IDENTITY_KEY_LENGTH, 'identityKey');
  return encodeCode(CODE_PREFIX, identityKey, options?.grouped ?? true);
}

/**
 * The identity public key in an identity code, as typed or scanned (any case, spaces, dashes).
 * Throws CodeError: `CODE_PREFIX`, `CODE_LENGTH`, `CODE_CHARACTER` (with position),
 * `CODE_CHECKSUM` (with the likely wrong position for a single error), `CODE_VERSION`,
 * `CODE_PADDING`.
 */
export function parseIdentityCode(text: string): Uint8Array {
  return decodeCode(text, CODE_PREFIX, IDENTITY_KEY_LENGTH, 'identity code');
}

/** Internal: a recovery code for a 16-byte recovery secret (`p2perc1` + 33 characters). */
export function encodeRecoveryCode(secret: Uint8Array): string {
  checkPayload(secret, RECOVERY_SECRET_LENGTH, 'secret');
  return encodeCode(RECOVERY_CODE_PREFIX, secret, true);
}

/** Internal: the recovery secret of a recovery code; CodeError as `parseIdentityCode`. */
export function decodeRecoveryCode(text: string): Uint8Array {
  return decodeCode(text, RECOVERY_CODE_PREFIX, RECOVERY_SECRET_LENGTH, 'recovery code');
}

/** Internal (words): the 59 symbols of an identity code's data part. */
export function codeSymbols(identityKey: Uint8Array): number[] {
  const code = identityCode(identityKey, { grouped: false });
  return [...code.slice(CODE_PREFIX.length + 1)].map((c) => BECH32_CHARSET.indexOf(c));
}

/** Internal (words): the identity key of 59 symbols, or the reason they are not a code. */
export function keyFromSymbols(symbols: readonly number[]): Uint8Array {
  const text = `${CODE_PREFIX}1${symbols.map((v) => BECH32_CHARSET[v]).join('')}`;
  return parseIdentityCode(text);
}

function checkPayload(bytes: unknown, length: number, name: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"${name}" expected Uint8Array of length ${length}, got ${bytes instanceof Uint8Array ? `length=${bytes.length}` : typeof bytes}`,
    );
  }
}
