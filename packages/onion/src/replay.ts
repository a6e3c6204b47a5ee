/**
 * Replay protection (Sphinx §3: a mix remembers the tags h_τ(s) it has seen and drops a
 * repeat). Tags are kept per epoch for the lifetime of that epoch's onion key: once a key is gone,
 * its packets cannot be processed at all, so its tags can go too.
 */
import {
  assertBytes,
  DecodeError,
  LimitError,
  toHex,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  DEFAULT_REPLAY_CACHE_MAX_TAGS,
  MAX_EPOCH_NUMBER,
  MAX_REPLAY_CACHE_EPOCHS,
  REPLAY_CACHE_STATE_VERSION,
  REPLAY_TAG_LENGTH,
} from './constants';

/** Where a relay remembers replay tags. `insert` must be atomic (check and add in one step). */
export interface ReplayCache {
  /** Adds `tag` under `epoch`; resolves false when it was already there (a replay). */
  insert(epoch: number, tag: Uint8Array): Promise<boolean>;
  has(epoch: number, tag: Uint8Array): Promise<boolean>;
  /** Forgets every epoch before `epoch` (their keys are gone). */
  forgetBefore(epoch: number): Promise<void>;
}

export interface MemoryReplayCacheInit {
  /** Most tags per epoch; beyond it `insert` throws LimitError. @default 500_000 */
  maxTagsPerEpoch?: number;
}

/** An in-memory ReplayCache; `encode`/`MemoryReplayCache.decode` keep it across restarts. */
export class MemoryReplayCache implements ReplayCache {
  private readonly epochs = new Map<number, Set<string>>();
  private readonly maxTags: number;

  constructor(init: MemoryReplayCacheInit = {}) {
    const max = init.maxTagsPerEpoch ?? DEFAULT_REPLAY_CACHE_MAX_TAGS;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"maxTagsPerEpoch" expected a positive integer, got ${max}`,
      );
    }
    this.maxTags = max;
  }

  async insert(epoch: number, tag: Uint8Array): Promise<boolean> {
    return this.insertSync(epoch, tag);
  }

  /**
   * Synchronous `insert`. Epochs must fit the saved state's u32 field (a larger one would be
   * saved as another epoch); at most MAX_REPLAY_CACHE_EPOCHS epochs and `maxTagsPerEpoch` tags
   * per epoch are held, so whatever the cache holds can be saved and read back.
   */
  insertSync(epoch: number, tag: Uint8Array): boolean {
    checkEpoch(epoch);
    const key = toHex(assertBytes(tag, 'tag', REPLAY_TAG_LENGTH));
    let set = this.epochs.get(epoch);
    if (set?.has(key)) return false;
    if (set !== undefined && set.size >= this.maxTags) {
      throw new LimitError(
        'ONION_REPLAY_CACHE_FULL',
        `replay cache holds ${set.size} tags for epoch ${epoch}`,
      );
    }
    if (set === undefined) {
      if (this.epochs.size >= MAX_REPLAY_CACHE_EPOCHS) {
        throw new LimitError(
          'ONION_REPLAY_CACHE_FULL',
          `replay cache holds ${this.epochs.size} epochs (forget old ones first)`,
        );
      }
      set = new Set();
      this.epochs.set(epoch, set);
    }
    set.add(key);
    return true;
  }

  async has(epoch: number, tag: Uint8Array): Promise<boolean> {
    checkEpoch(epoch);
    return this.epochs.get(epoch)?.has(toHex(assertBytes(tag, 'tag', REPLAY_TAG_LENGTH))) ?? false;
  }

  async forgetBefore(epoch: number): Promise<void> {
    for (const e of [...this.epochs.keys()]) if (e < epoch) this.epochs.delete(e);
  }

  /** Number of tags held, all epochs. */
  get size(): number {
    let n = 0;
    for (const set of this.epochs.values()) n += set.size;
    return n;
  }

  /**
   * Versioned bytes: version[1] || epochs[4] || per epoch (epoch[4] || count[4] || tags[16·count]),
   * all big-endian, epochs ascending.
   */
  encode(): Uint8Array {
    const entries = [...this.epochs.entries()].sort((a, b) => a[0] - b[0]);
    let length = 5;
    for (const [, set] of entries) length += 8 + set.size * REPLAY_TAG_LENGTH;
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    out[0] = REPLAY_CACHE_STATE_VERSION;
    view.setUint32(1, entries.length);
    let at = 5;
    for (const [epoch, set] of entries) {
      view.setUint32(at, epoch);
      view.setUint32(at + 4, set.size);
      at += 8;
      for (const hex of [...set].sort()) {
        for (let i = 0; i < REPLAY_TAG_LENGTH; i++) {
          out[at++] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        }
      }
    }
    return out;
  }

  /**
   * Reads `encode()` output and nothing else: size limit, version, then epochs in ascending order,
   * each with its tags in ascending order (so every state has one encoding and a duplicate can
   * never merge into, or overflow, an epoch). DecodeError `ONION_REPLAY_STATE_MALFORMED`.
   */
  static decode(bytes: Uint8Array, init: MemoryReplayCacheInit = {}): MemoryReplayCache {
    assertBytes(bytes, 'bytes');
    const cache = new MemoryReplayCache(init);
    const bad = (why: string) => new DecodeError('ONION_REPLAY_STATE_MALFORMED', why);
    const limit = 5 + MAX_REPLAY_CACHE_EPOCHS * (8 + cache.maxTags * REPLAY_TAG_LENGTH);
    if (bytes.length < 5 || bytes.length > limit) {
      throw bad(`replay state of length ${bytes.length} is outside [5, ${limit}]`);
    }
    if (bytes[0] !== REPLAY_CACHE_STATE_VERSION) {
      throw bad(`replay state version ${bytes[0]} is not supported`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const count = view.getUint32(1);
    if (count > MAX_REPLAY_CACHE_EPOCHS) {
      throw bad(`replay state with ${count} epochs exceeds ${MAX_REPLAY_CACHE_EPOCHS}`);
    }
    let at = 5;
    let previousEpoch = -1;
    for (let e = 0; e < count; e++) {
      if (at + 8 > bytes.length) throw bad('replay state truncated in an epoch header');
      const epoch = view.getUint32(at);
      const n = view.getUint32(at + 4);
      at += 8;
      if (epoch <= previousEpoch) throw bad('replay state epochs are not in ascending order');
      previousEpoch = epoch;
      if (n < 1 || n > cache.maxTags || at + n * REPLAY_TAG_LENGTH > bytes.length) {
        throw bad(`replay state epoch with ${n} tags does not fit`);
      }
      let previousTag: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const tag = bytes.subarray(at, at + REPLAY_TAG_LENGTH);
        if (previousTag !== undefined && compareBytes(previousTag, tag) >= 0) {
          throw bad('replay state tags are not in ascending order');
        }
        previousTag = tag;
        cache.insertSync(epoch, tag);
        at += REPLAY_TAG_LENGTH;
      }
    }
    if (at !== bytes.length) throw bad(`replay state has ${bytes.length - at} trailing bytes`);
    return cache;
  }
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH_NUMBER) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"epoch" expected an integer in [0, ${MAX_EPOCH_NUMBER}], got ${epoch}`,
    );
  }
}

/** Lexicographic order of two equal-length byte strings (public tags: no constant time needed). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
