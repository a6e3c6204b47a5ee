import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { assertBytes, utf8, ValidationError } from '@p2pe/transport-interfaces';
import {
  FINGERPRINT_LABEL,
  FINGERPRINT_LENGTH,
  MESSAGE_ID_LENGTH,
  RECONCILE_MAX_DEPTH,
} from './constants';

const ID = MESSAGE_ID_LENGTH;
const LIMBS = ID / 4; // 32-bit limbs of a 256-bit sum

/**
 * A node of the reconciliation trie: the ids whose first `depth` hex digits (4-bit nibbles, most
 * significant first) equal those of `prefix`. `prefix` is 32 bytes with every nibble past
 * `depth` zero; the root is depth 0.
 */
export interface TrieNode {
  readonly depth: number;
  readonly prefix: Uint8Array;
}

export const ROOT_NODE: TrieNode = Object.freeze({
  depth: 0,
  prefix: new Uint8Array(ID),
});

/** The `index`-th child (0..15) of `node`. */
export function childNode(node: TrieNode, index: number): TrieNode {
  const prefix = node.prefix.slice();
  const d = node.depth;
  const byte = d >> 1;
  prefix[byte] = (prefix[byte]! | (d % 2 === 0 ? index << 4 : index)) & 0xff;
  return { depth: d + 1, prefix };
}

/** Whether `id` lies under `node`. */
export function nodeContains(node: TrieNode, id: Uint8Array): boolean {
  const full = node.depth >> 1;
  for (let i = 0; i < full; i++) if (id[i] !== node.prefix[i]) return false;
  if (node.depth % 2 === 1 && (id[full]! & 0xf0) !== node.prefix[full]) return false;
  return true;
}

/** Compares two 32-byte ids as unsigned big-endian numbers. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * The fingerprint of a range: 8 zero bytes for an empty range, else the first 8 bytes of
 * SHA-256(`p2pe/sync/v1/fingerprint` || 0x00 || count as u64 big-endian || sum), where `sum` is
 * the sum of the ids as 256-bit big-endian numbers modulo 2^256 (the additive accumulator of
 * negentropy's range-based set reconciliation, here over a fixed trie of id prefixes).
 */
export function fingerprint(
  count: number,
  sum: Uint8Array,
  backend: CryptoBackend = nobleBackend,
): Uint8Array {
  if (count === 0) return new Uint8Array(FINGERPRINT_LENGTH);
  const input = new Uint8Array(LABEL.length + 1 + 8 + ID);
  input.set(LABEL, 0);
  const view = new DataView(input.buffer);
  view.setBigUint64(LABEL.length + 1, BigInt(count), false);
  input.set(sum, LABEL.length + 9);
  return backend.hash('SHA256').digest(input).slice(0, FINGERPRINT_LENGTH);
}
const LABEL = utf8(FINGERPRINT_LABEL);

/**
 * An immutable, sorted set of 32-byte message ids with prefix sums, so the count, sum and
 * fingerprint of any trie node cost two binary searches. Build it once per reconciliation.
 */
export class IdSet {
  /** Number of distinct ids. */
  readonly size: number;
  private readonly ids: Uint8Array; // size × 32, sorted ascending
  private readonly sums: Uint32Array; // (size + 1) × 8 limbs, least significant limb first
  private readonly backend: CryptoBackend;

  private constructor(ids: Uint8Array, size: number, backend: CryptoBackend) {
    this.ids = ids;
    this.size = size;
    this.backend = backend;
    this.sums = new Uint32Array((size + 1) * LIMBS);
    const view = new DataView(ids.buffer, ids.byteOffset, ids.byteLength);
    for (let i = 0; i < size; i++) {
      let carry = 0;
      const base = i * LIMBS;
      for (let l = 0; l < LIMBS; l++) {
        const limb = view.getUint32(i * ID + ID - 4 * (l + 1), false);
        const s = this.sums[base + l]! + limb + carry;
        this.sums[base + LIMBS + l] = s >>> 0;
        carry = s > 0xffff_ffff ? 1 : 0;
      }
    }
  }

  /** Builds a set from ids (each 32 bytes; duplicates are merged). The ids are copied. */
  static from(ids: Iterable<Uint8Array>, backend: CryptoBackend = nobleBackend): IdSet {
    const list: Uint8Array[] = [];
    for (const id of ids) list.push(assertBytes(id, 'id', ID));
    const n = list.length;
    // Sort indices by the first 48 bits (exact in a double), then by the whole id.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const id = list[i]!;
      keys[i] =
        id[0]! * 2 ** 40 +
        id[1]! * 2 ** 32 +
        ((id[2]! << 24) >>> 0) +
        (id[3]! << 16) +
        (id[4]! << 8) +
        id[5]!;
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => keys[a]! - keys[b]! || compareIds(list[a]!, list[b]!));
    const out = new Uint8Array(n * ID);
    let size = 0;
    for (let i = 0; i < n; i++) {
      const id = list[order[i]!]!;
      if (size > 0 && compareIds(out.subarray((size - 1) * ID, size * ID), id) === 0) continue;
      out.set(id, size * ID);
      size++;
    }
    return new IdSet(out, size, backend);
  }

  /** The `i`-th smallest id (a view; copy it to keep it). */
  at(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new ValidationError('INVALID_ARGUMENT', `index ${i} out of range 0..${this.size}`);
    }
    return this.ids.subarray(i * ID, (i + 1) * ID);
  }

  has(id: Uint8Array): boolean {
    const i = this.lowerBound(id);
    return i < this.size && compareIds(this.at(i), id) === 0;
  }

  /** Every id, ascending (copies). */
  toArray(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.at(i).slice());
    return out;
  }

  /** Index of the first id ≥ `key`. */
  lowerBound(key: Uint8Array, lo = 0, hi = this.size): number {
    const ids = this.ids;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let c = 0;
      const off = mid * ID;
      for (let i = 0; i < ID; i++) {
        c = ids[off + i]! - key[i]!;
        if (c !== 0) break;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index range [lo, hi) of the ids under `node`. */
  range(node: TrieNode): [number, number] {
    if (node.depth === 0) return [0, this.size];
    const lo = this.lowerBound(node.prefix);
    const end = nodeEnd(node);
    return [lo, end === undefined ? this.size : this.lowerBound(end, lo)];
  }

  /** Sum of ids[lo..hi) modulo 2^256, big-endian. */
  sum(lo: number, hi: number): Uint8Array {
    const out = new Uint8Array(ID);
    const view = new DataView(out.buffer);
    let borrow = 0;
    for (let l = 0; l < LIMBS; l++) {
      const d = this.sums[hi * LIMBS + l]! - this.sums[lo * LIMBS + l]! - borrow;
      borrow = d < 0 ? 1 : 0;
      view.setUint32(ID - 4 * (l + 1), d >>> 0, false);
    }
    return out;
  }

  /** Count and fingerprint of the ids under `node`. */
  nodeFingerprint(node: TrieNode): { count: number; fingerprint: Uint8Array } {
    const [lo, hi] = this.range(node);
    return { count: hi - lo, fingerprint: fingerprint(hi - lo, this.sum(lo, hi), this.backend) };
  }
}

/** The first 32-byte key after every id under `node`, or undefined past the top of the space. */
function nodeEnd(node: TrieNode): Uint8Array | undefined {
  if (node.depth > RECONCILE_MAX_DEPTH) throw new ValidationError('INVALID_ARGUMENT', 'bad depth');
  const end = node.prefix.slice();
  // Add one at the last nibble of the prefix, carrying into earlier bytes.
  let byte = (node.depth - 1) >> 1;
  let add = node.depth % 2 === 1 ? 0x10 : 0x01;
  while (byte >= 0) {
    const v = end[byte]! + add;
    end[byte] = v & 0xff;
    if (v <= 0xff) return end;
    add = 1;
    byte--;
  }
  return undefined;
}
