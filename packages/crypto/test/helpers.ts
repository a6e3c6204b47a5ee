import { P2peError, toHex } from '@p2pe/transport-interfaces';
import fc from 'fast-check';

/** What a call did: its output as hex, or the class and code of the P2PE error it threw. */
export type Outcome = { ok: string } | { error: string; code: string };

/** Runs `fn` and records the outcome; a non-P2PE error fails the test (it would be a crash). */
export function outcome(fn: () => Uint8Array | boolean): Outcome {
  try {
    const out = fn();
    return { ok: typeof out === 'boolean' ? String(out) : toHex(out) };
  } catch (err) {
    if (!P2peError.is(err)) throw err;
    return { error: err.constructor.name, code: err.code };
  }
}

export const bytes = (min: number, max = min): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: min, maxLength: max });

/** Flips one bit of a copy of `data` at a position chosen from `seed`. */
export function flipBit(data: Uint8Array, seed: number): Uint8Array {
  const out = data.slice();
  const bit = seed % (out.length * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Little-endian encoding of a non-negative bigint in `length` bytes (curve test inputs). */
export function le(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** Big-endian encoding of a non-negative bigint in `length` bytes. */
export function be(n: bigint, length: number): Uint8Array {
  return le(n, length).reverse();
}

export const P25519 = 2n ** 255n - 19n;
export const P448 = 2n ** 448n - 2n ** 224n - 1n;
export const P256_P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** u-coordinates of small order on curve25519 and its twist (RFC 7748 §6.1; libsodium's list). */
export const X25519_SMALL_ORDER_U: readonly bigint[] = [
  0n,
  1n,
  P25519 - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
];

/** Encodings that decode to a small-order u: canonical, +p (non-canonical), and top bit set. */
export function x25519SmallOrderEncodings(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const u of X25519_SMALL_ORDER_U) {
    out.push(le(u, 32));
    if (u + P25519 < 2n ** 255n) out.push(le(u + P25519, 32));
    const high = le(u, 32);
    high[31]! |= 0x80; // RFC 7748 §5: the top bit is masked off
    out.push(high);
  }
  return out;
}

/** Small-order u on curve448 and its twist: 0, 1, p-1, and the non-canonical p, p+1. */
export function x448SmallOrderEncodings(): Uint8Array[] {
  return [0n, 1n, P448 - 1n, P448, P448 + 1n].map((u) => le(u, 56));
}

export const hex = toHex;
