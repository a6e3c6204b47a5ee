import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import {
  concatBytes,
  DecodeError,
  ProtoMessage,
  ProtoWriter,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  DELIVERY_VERSION,
  MAX_DELIVERY_BYTES,
  MAX_IDS_PER_NOTICE,
  MAX_PAYLOAD_LENGTH,
  MAX_SEQ,
  MAX_TIMESTAMP,
  MESSAGE_ID_LENGTH,
} from './constants';
import { IdSet } from './idset';
import { conversationTag, historyKey, messageTag } from './keys';
import { checkConversationId } from './outbox';
import { decodeMessageRecord, type MessageRecord } from './records';
import { type EncryptedStore, RecordKind } from './store';

/**
 * The set of message ids a conversation's history holds at `now`: every record, tombstones
 * included (so a deleted message is not fetched again), except those past their expiry, which
 * drop out on both sides so reconciliation never brings back what expired.
 */
export async function historyIdSet(
  store: EncryptedStore,
  conversationId: Uint8Array,
  now: number,
  backend: CryptoBackend = nobleBackend,
): Promise<IdSet> {
  checkConversationId(conversationId);
  const ids: Uint8Array[] = [];
  const prefix = concatBytes(
    Uint8Array.of(RecordKind.HISTORY),
    conversationTag(store, conversationId),
  );
  for await (const [, value] of store.scan(prefix)) {
    const record = decodeMessageRecord(value);
    if (record.expiresAt > now) ids.push(record.messageId);
  }
  return IdSet.from(ids, backend);
}

/** The history records of `ids` (those present and not expired at `now`). */
export async function historyRecords(
  store: EncryptedStore,
  conversationId: Uint8Array,
  ids: readonly Uint8Array[],
  now: number,
): Promise<MessageRecord[]> {
  checkConversationId(conversationId);
  const convTag = conversationTag(store, conversationId);
  const out: MessageRecord[] = [];
  for (const id of ids) {
    const raw = await store.get(historyKey(convTag, messageTag(store, id)));
    if (raw === undefined) continue;
    const record = decodeMessageRecord(raw);
    if (record.expiresAt > now) out.push(record);
  }
  return out;
}

/**
 * After reconciliation, what one side sends the other (delivery.proto `HistoryTransfer`): the
 * records the peer lacks, and the ids this side lacks (for the peer to send back).
 */
export interface HistoryTransfer {
  readonly items: readonly MessageRecord[];
  readonly wanted: readonly Uint8Array[];
}

/** Most items in one transfer message (each up to a full payload); larger sets go in several. */
export const MAX_TRANSFER_ITEMS = 16;
const MAX_TRANSFER_BYTES = MAX_TRANSFER_ITEMS * (MAX_PAYLOAD_LENGTH + 256) + 64 * 40;

/**
 * Encodes a transfer from the sender's view: `from_sender` is set on items the sender authored,
 * so the recipient stores them as incoming (and its own restored messages as outgoing).
 */
export function encodeHistoryTransfer(transfer: HistoryTransfer): Uint8Array {
  if (transfer.items.length > MAX_TRANSFER_ITEMS || transfer.wanted.length > MAX_IDS_PER_NOTICE) {
    throw new ValidationError('TRANSFER_TOO_LARGE', 'too many items or wanted ids in one transfer');
  }
  const w = new ProtoWriter().uint(1, DELIVERY_VERSION);
  for (const r of transfer.items) {
    const item = new ProtoWriter()
      .bytes(1, r.messageId)
      .uint(2, r.seq)
      .uint(3, r.expiresAt)
      .bytes(4, r.payload)
      .bool(5, r.outgoing)
      .bool(6, r.deleted)
      .finish();
    w.bytes(2, item);
  }
  for (const id of transfer.wanted) w.bytes(3, id);
  return w.finish();
}

/** Decodes a transfer received in `conversationId`, flipping authorship to the recipient's view. */
export function decodeHistoryTransfer(
  bytes: Uint8Array,
  conversationId: Uint8Array,
): HistoryTransfer {
  checkConversationId(conversationId);
  const m = ProtoMessage.decode(
    bytes,
    MAX_TRANSFER_BYTES,
    MAX_TRANSFER_ITEMS + MAX_IDS_PER_NOTICE + 1,
  );
  const version = m.requiredUint(1);
  if (version !== DELIVERY_VERSION) {
    throw new DecodeError('DELIVERY_VERSION', `unsupported transfer version ${version}`);
  }
  m.assertKnown([1, 2, 3]);
  const items = m
    .repeatedBytes(2, MAX_TRANSFER_ITEMS, { maxLength: MAX_DELIVERY_BYTES })
    .map((raw) => {
      const f = ProtoMessage.decode(raw, MAX_DELIVERY_BYTES, 8);
      f.assertKnown([1, 2, 3, 4, 5, 6]);
      const seq = f.uint(2) ?? 0;
      const expiresAt = f.requiredUint(3);
      if (seq > MAX_SEQ || expiresAt > MAX_TIMESTAMP) {
        throw new DecodeError(
          'TRANSFER_RANGE',
          'a history item has its seq or expiry out of range',
        );
      }
      return {
        conversationId: conversationId.slice(),
        messageId: f.requiredBytes(1, { length: MESSAGE_ID_LENGTH }),
        seq,
        minSeq: 0,
        expiresAt,
        payload: f.bytes(4, { maxLength: MAX_PAYLOAD_LENGTH }) ?? new Uint8Array(0),
        outgoing: !(f.bool(5) ?? false),
        deleted: f.bool(6) ?? false,
      };
    });
  const wanted = m.repeatedBytes(3, MAX_IDS_PER_NOTICE, { length: MESSAGE_ID_LENGTH });
  return { items, wanted };
}
