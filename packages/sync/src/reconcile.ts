import {
  DecodeError,
  LimitError,
  ProtoMessage,
  ProtoWriter,
  StateError,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  defaultReconcileLimits,
  FINGERPRINT_LENGTH,
  LIST_THRESHOLD,
  MESSAGE_ID_LENGTH,
  MIN_RECONCILE_MESSAGE_BYTES,
  RECONCILE_BRANCHING,
  RECONCILE_MAX_DEPTH,
  RECONCILE_VERSION,
  type ReconcileLimits,
} from './constants';
import { childNode, compareIds, type IdSet, nodeContains, ROOT_NODE, type TrieNode } from './idset';
import { sameBytes } from './keys';

const ID = MESSAGE_ID_LENGTH;
const SPLIT_BYTES = RECONCILE_BRANCHING * FINGERPRINT_LENGTH;
/** Upper bound of the fixed part of a message: tags, lengths, version and count varints. */
const HEADER_BYTES = 40;

/** The decoded fields of one `ReconcileMessage` (reconcile.proto). */
export interface ReconcileFrame {
  readonly version: number;
  readonly bitmaps: Uint8Array;
  readonly addressed: number;
  readonly modes: Uint8Array;
  readonly fingerprints: Uint8Array;
  readonly lists: Uint8Array;
}

export function encodeReconcileFrame(frame: ReconcileFrame): Uint8Array {
  const w = new ProtoWriter().uint(1, frame.version);
  if (frame.bitmaps.length > 0) w.bytes(2, frame.bitmaps);
  if (frame.addressed > 0) w.uint(3, frame.addressed);
  if (frame.modes.length > 0) w.bytes(4, frame.modes);
  if (frame.fingerprints.length > 0) w.bytes(5, frame.fingerprints);
  if (frame.lists.length > 0) w.bytes(6, frame.lists);
  return w.finish();
}

/** Decodes a frame: size limit, then version, then fields. Does not interpret the contents. */
export function decodeReconcileFrame(bytes: Uint8Array, maxBytes: number): ReconcileFrame {
  const m = ProtoMessage.decode(bytes, maxBytes, 16);
  const version = m.requiredUint(1);
  if (version !== RECONCILE_VERSION) {
    throw new DecodeError('RECONCILE_VERSION', `unsupported reconcile version ${version}`);
  }
  m.assertKnown([1, 2, 3, 4, 5, 6]);
  const empty = new Uint8Array(0);
  return {
    version,
    bitmaps: m.bytes(2) ?? empty,
    addressed: m.uint(3) ?? 0,
    modes: m.bytes(4) ?? empty,
    fingerprints: m.bytes(5) ?? empty,
    lists: m.bytes(6) ?? empty,
  };
}

/** What one side learnt: ids it holds that the peer lacks, and ids the peer holds that it lacks. */
export interface ReconcileDifference {
  readonly have: readonly Uint8Array[];
  readonly need: readonly Uint8Array[];
}

/** Counters of one side's traffic. */
export interface ReconcileStats {
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
}

/**
 * One side of a range-based set reconciliation over a trie of id prefixes (README
 * "Reconciliation"; after negentropy's range-based set reconciliation, with fixed nibble
 * boundaries instead of transmitted bounds). Call `initiate()` on one side and feed every
 * received message to `receive()`, which returns the reply or `undefined` when this side is done.
 * When both sides are done, the union of their `have`/`need` is the symmetric difference: each
 * id is found by exactly one side (the one that received the list or the empty fingerprint
 * covering it). Ids are only ever added to `have`/`need`; the set itself is never changed.
 */
export class Reconciler {
  private readonly set: IdSet;
  private readonly limits: ReconcileLimits;
  /** The first depth at which the mean node of our set holds fewer than LIST_THRESHOLD ids. */
  private readonly listDepth: number;
  private started = false;
  private finished = false;
  /** Nodes this side must address next, in order. */
  private mine: TrieNode[] = [];
  /** Nodes the peer must address next, in order (our model of its queue). */
  private theirs: TrieNode[] = [];
  /** Nodes we split in our last message, awaiting the peer's bitmaps. */
  private ourSplits: TrieNode[] = [];
  /** Bitmaps answering the peer's last splits, to send in our next message. */
  private pendingBitmaps: number[] = [];
  private readonly haveList: Uint8Array[] = [];
  private readonly needList: Uint8Array[] = [];
  readonly stats: ReconcileStats = {
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };

  constructor(set: IdSet, limits: Partial<ReconcileLimits> = {}) {
    this.set = set;
    this.limits = { ...defaultReconcileLimits, ...limits };
    let depth = 0;
    while (set.size / RECONCILE_BRANCHING ** depth >= LIST_THRESHOLD) depth++;
    this.listDepth = depth;
    const { maxMessageBytes, maxMessages } = this.limits;
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < MIN_RECONCILE_MESSAGE_BYTES) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"maxMessageBytes" expected an integer ≥ ${MIN_RECONCILE_MESSAGE_BYTES}, got ${maxMessageBytes}`,
      );
    }
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 2) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"maxMessages" expected an integer ≥ 2, got ${maxMessages}`,
      );
    }
    const { maxDifferences } = this.limits;
    if (!Number.isSafeInteger(maxDifferences) || maxDifferences < 1) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"maxDifferences" expected an integer ≥ 1, got ${maxDifferences}`,
      );
    }
  }

  /** True once this side has nothing more to send or receive. */
  get done(): boolean {
    return this.finished;
  }

  get difference(): ReconcileDifference {
    return { have: this.haveList, need: this.needList };
  }

  /** The first message; makes this side the initiator. */
  initiate(): Uint8Array {
    if (this.started) throw new StateError('RECONCILE_STARTED', 'reconciliation already started');
    this.started = true;
    this.mine = [ROOT_NODE];
    return this.send();
  }

  /**
   * Processes one message from the peer and returns the reply, or `undefined` when this side is
   * done. A malformed or inconsistent message throws (DecodeError / LimitError) and leaves the
   * state unchanged; the reconciliation should then be abandoned.
   */
  receive(message: Uint8Array): Uint8Array | undefined {
    if (this.finished) throw new StateError('RECONCILE_DONE', 'reconciliation already finished');
    if (this.stats.messagesReceived + this.stats.messagesSent >= this.limits.maxMessages) {
      throw new LimitError(
        'RECONCILE_TOO_MANY_MESSAGES',
        `reconciliation exceeded ${this.limits.maxMessages} messages`,
      );
    }
    const frame = decodeReconcileFrame(message, this.limits.maxMessageBytes);
    // The first message received makes this side the responder: the peer addresses the root.
    const step = this.apply(frame, this.started ? this.theirs : [ROOT_NODE]);
    const differences =
      this.haveList.length + this.needList.length + step.have.length + step.need.length;
    if (differences > this.limits.maxDifferences) {
      throw new LimitError(
        'RECONCILE_TOO_MANY_DIFFERENCES',
        `reconciliation found more than ${this.limits.maxDifferences} differences`,
      );
    }
    // Commit only after the whole message was checked.
    this.started = true;
    this.theirs = step.theirs;
    this.mine = step.mine;
    this.pendingBitmaps = step.bitmaps;
    this.ourSplits = [];
    for (const id of step.have) this.haveList.push(id);
    for (const id of step.need) this.needList.push(id);
    this.stats.messagesReceived++;
    this.stats.bytesReceived += message.length;
    if (this.mine.length === 0 && this.theirs.length === 0 && this.pendingBitmaps.length === 0) {
      this.finished = true;
      return undefined;
    }
    return this.send();
  }

  /** Checks and interprets a frame against the current state without changing it. */
  private apply(
    frame: ReconcileFrame,
    peerQueue: readonly TrieNode[],
  ): {
    theirs: TrieNode[];
    mine: TrieNode[];
    bitmaps: number[];
    have: Uint8Array[];
    need: Uint8Array[];
  } {
    const theirs = peerQueue.slice();
    const mine = this.mine.slice();
    const bitmaps: number[] = [];
    const have: Uint8Array[] = [];
    const need: Uint8Array[] = [];

    // 1. Bitmaps answer our splits: the open children join the peer's queue, in order.
    if (frame.bitmaps.length !== 2 * this.ourSplits.length) {
      throw new DecodeError(
        'RECONCILE_BITMAPS',
        `expected ${this.ourSplits.length} bitmaps, got ${frame.bitmaps.length} bytes`,
      );
    }
    this.ourSplits.forEach((node, k) => {
      const mask = (frame.bitmaps[2 * k]! << 8) | frame.bitmaps[2 * k + 1]!;
      for (let i = 0; i < RECONCILE_BRANCHING; i++) {
        if ((mask & (0x8000 >>> i)) !== 0) theirs.push(childNode(node, i));
      }
    });

    // 2. The nodes the peer addresses: a prefix of its queue, at least one if it has any.
    const k = frame.addressed;
    if (k > theirs.length || (k === 0 && theirs.length > 0)) {
      throw new DecodeError(
        'RECONCILE_ADDRESSED',
        `peer addressed ${k} nodes, its queue holds ${theirs.length}`,
      );
    }
    if (frame.modes.length !== Math.ceil(k / 8)) {
      throw new DecodeError('RECONCILE_MODES', `expected ${Math.ceil(k / 8)} mode bytes`);
    }
    let fpOffset = 0;
    let listOffset = 0;
    const lists = frame.lists;
    for (let j = 0; j < k; j++) {
      const node = theirs[j]!;
      const split = (frame.modes[j >> 3]! & (0x80 >>> (j & 7))) !== 0;
      if (split) {
        if (node.depth >= RECONCILE_MAX_DEPTH) {
          throw new DecodeError('RECONCILE_DEPTH', `split below depth ${RECONCILE_MAX_DEPTH}`);
        }
        if (fpOffset + SPLIT_BYTES > frame.fingerprints.length) {
          throw new DecodeError('RECONCILE_FINGERPRINTS', 'fingerprints truncated');
        }
        let mask = 0;
        for (let i = 0; i < RECONCILE_BRANCHING; i++) {
          const child = childNode(node, i);
          const theirFp = frame.fingerprints.subarray(fpOffset, fpOffset + FINGERPRINT_LENGTH);
          fpOffset += FINGERPRINT_LENGTH;
          const [lo, hi] = this.set.range(child);
          const ours = this.set.nodeFingerprint(child).fingerprint;
          if (sameBytes(ours, theirFp)) continue;
          if (isZero(theirFp)) {
            // The peer holds nothing here: every id of ours under the child is one it lacks.
            for (let x = lo; x < hi; x++) have.push(this.set.at(x).slice());
            continue;
          }
          mask |= 0x8000 >>> i;
          mine.push(child);
        }
        bitmaps.push(mask);
      } else {
        const count = readVarint(lists, listOffset);
        listOffset = count.next;
        if (count.value > Math.floor((lists.length - listOffset) / ID)) {
          throw new DecodeError('RECONCILE_LIST', 'list longer than the bytes left');
        }
        const [lo, hi] = this.set.range(node);
        let x = lo;
        let previous: Uint8Array | undefined;
        for (let i = 0; i < count.value; i++) {
          const id = lists.subarray(listOffset, listOffset + ID);
          listOffset += ID;
          if (!nodeContains(node, id)) {
            throw new DecodeError('RECONCILE_LIST', 'listed id outside its node');
          }
          if (previous !== undefined && compareIds(previous, id) >= 0) {
            throw new DecodeError('RECONCILE_LIST', 'listed ids not strictly ascending');
          }
          previous = id;
          // Merge step: ours below `id` are ids the peer lacks.
          while (x < hi && compareIds(this.set.at(x), id) < 0) have.push(this.set.at(x++).slice());
          if (x < hi && compareIds(this.set.at(x), id) === 0) x++;
          else need.push(id.slice());
        }
        while (x < hi) have.push(this.set.at(x++).slice());
      }
    }
    if (fpOffset !== frame.fingerprints.length || listOffset !== lists.length) {
      throw new DecodeError('RECONCILE_TRAILING', 'bytes left after the addressed nodes');
    }
    return {
      theirs: theirs.slice(k),
      mine,
      bitmaps,
      have,
      need,
    };
  }

  /**
   * Split or list: below LIST_THRESHOLD ids a list is cheaper than another round trip. Trie nodes
   * hold a Poisson-distributed count around size / 16^depth (negentropy's buckets are exact), so
   * at the depth where the mean falls under the threshold we also list nodes of up to twice the
   * threshold: that keeps the number of round trips at or under negentropy's.
   */
  private shouldSplit(depth: number, count: number): boolean {
    if (count < LIST_THRESHOLD) return false;
    if (count >= 2 * LIST_THRESHOLD) return true;
    return depth < this.listDepth;
  }

  /** Builds our next message: bitmaps, then as many of our nodes as fit the frame. */
  private send(): Uint8Array {
    if (this.stats.messagesReceived + this.stats.messagesSent >= this.limits.maxMessages) {
      throw new LimitError(
        'RECONCILE_TOO_MANY_MESSAGES',
        `reconciliation exceeded ${this.limits.maxMessages} messages`,
      );
    }
    const bitmaps = new Uint8Array(2 * this.pendingBitmaps.length);
    this.pendingBitmaps.forEach((mask, i) => {
      bitmaps[2 * i] = mask >>> 8;
      bitmaps[2 * i + 1] = mask & 0xff;
    });
    let size = HEADER_BYTES + bitmaps.length;
    const modes: number[] = [];
    const fps: Uint8Array[] = [];
    const lists: Uint8Array[] = [];
    const splits: TrieNode[] = [];
    let k = 0;
    for (const node of this.mine) {
      const [lo, hi] = this.set.range(node);
      const count = hi - lo;
      const split = node.depth < RECONCILE_MAX_DEPTH && this.shouldSplit(node.depth, count);
      const cost = (k % 8 === 0 ? 1 : 0) + (split ? SPLIT_BYTES : varintLength(count) + count * ID);
      if (k > 0 && size + cost > this.limits.maxMessageBytes) break;
      size += cost;
      if (k % 8 === 0) modes.push(0);
      if (split) {
        modes[modes.length - 1]! |= 0x80 >>> (k % 8);
        for (let i = 0; i < RECONCILE_BRANCHING; i++) {
          fps.push(this.set.nodeFingerprint(childNode(node, i)).fingerprint);
        }
        splits.push(node);
      } else {
        lists.push(varintBytes(count));
        for (let x = lo; x < hi; x++) lists.push(this.set.at(x));
      }
      k++;
    }
    const message = encodeReconcileFrame({
      version: RECONCILE_VERSION,
      bitmaps,
      addressed: k,
      modes: Uint8Array.from(modes),
      fingerprints: concat(fps),
      lists: concat(lists),
    });
    this.mine = this.mine.slice(k);
    this.pendingBitmaps = [];
    this.ourSplits = splits;
    this.stats.messagesSent++;
    this.stats.bytesSent += message.length;
    // Done after sending when nothing is left on either side: the peer answers only splits.
    if (this.mine.length === 0 && this.theirs.length === 0 && splits.length === 0) {
      this.finished = true;
    }
    return message;
  }
}

function isZero(a: Uint8Array): boolean {
  for (const b of a) if (b !== 0) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** A list count: at most 4 bytes (counts are bounded by the frame size anyway). */
function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= bytes.length) throw new DecodeError('RECONCILE_LIST', 'truncated count');
    const b = bytes[offset + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  throw new DecodeError('RECONCILE_LIST', 'list count longer than 4 bytes');
}
