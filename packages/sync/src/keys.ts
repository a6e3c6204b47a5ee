/** Record keys: a kind byte, keyed hashes of ids, big-endian counters (see storage.proto). */
import { concatBytes } from '@p2pe/transport-interfaces';
import { type EncryptedStore, RecordKind } from './store';

const TAG_CONVERSATION = 1;
const TAG_MESSAGE = 2;

export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

export function conversationTag(store: EncryptedStore, conversationId: Uint8Array): Uint8Array {
  return store.tag(TAG_CONVERSATION, conversationId);
}

export function messageTag(store: EncryptedStore, messageId: Uint8Array): Uint8Array {
  return store.tag(TAG_MESSAGE, messageId);
}

/** Outbox entries sort by conversation, then messages (0) before deletions (1), then counter. */
export function outboxKey(convTag: Uint8Array, control: boolean, order: number): Uint8Array {
  return concatBytes(
    Uint8Array.of(RecordKind.OUTBOX),
    convTag,
    Uint8Array.of(control ? 1 : 0),
    u64(order),
  );
}

export function outboxIndexKey(store: EncryptedStore, messageId: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(RecordKind.OUTBOX_INDEX), messageTag(store, messageId));
}

export function conversationKey(kind: number, convTag: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(kind), convTag);
}

/**
 * The inbox's seen record of a message, per conversation: a peer's deletion (or a replayed id)
 * in one conversation cannot touch the state of another conversation's messages.
 */
export function seenKey(convTag: Uint8Array, messageTagBytes: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(RecordKind.INBOX_SEEN), convTag, messageTagBytes);
}

export function pendingKey(
  convTag: Uint8Array,
  seq: number,
  messageTagBytes: Uint8Array,
): Uint8Array {
  return concatBytes(Uint8Array.of(RecordKind.INBOX_PENDING), convTag, u64(seq), messageTagBytes);
}

export function historyKey(convTag: Uint8Array, messageTagBytes: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(RecordKind.HISTORY), convTag, messageTagBytes);
}

/** Byte equality of public values (ids, fingerprints): not constant time. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Serialises async operations on one object, so reads and the batch that follows them are not interleaved. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
