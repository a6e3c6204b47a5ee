/** Codecs of the stored records (storage.proto). Values are opened by the store before these run. */
import { DecodeError, ProtoMessage, ProtoWriter } from '@p2pe/transport-interfaces';
import {
  MAX_CONVERSATION_ID_LENGTH,
  MAX_DELIVERY_BYTES,
  MAX_PAYLOAD_LENGTH,
  MAX_RECORD_BYTES,
  MESSAGE_ID_LENGTH,
} from './constants';

const RECORD_VERSION = 1;

function open(bytes: Uint8Array, known: number[]): ProtoMessage {
  const m = ProtoMessage.decode(bytes, MAX_RECORD_BYTES, 32);
  const version = m.requiredUint(1);
  if (version !== RECORD_VERSION) {
    throw new DecodeError('RECORD_VERSION', `unsupported record version ${version}`);
  }
  m.assertKnown(known);
  return m;
}

export interface OutboxEntry {
  conversationId: Uint8Array;
  messageId: Uint8Array;
  seq: number;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  nextAttemptAt: number;
  payload?: Uint8Array;
  notice?: Uint8Array;
  order: number;
}

export function encodeOutboxEntry(e: OutboxEntry): Uint8Array {
  const w = new ProtoWriter()
    .uint(1, RECORD_VERSION)
    .bytes(2, e.conversationId)
    .bytes(3, e.messageId)
    .uint(4, e.seq)
    .uint(5, e.createdAt)
    .uint(6, e.expiresAt)
    .uint(7, e.attempts)
    .uint(8, e.nextAttemptAt);
  if (e.payload !== undefined) w.bytes(9, e.payload);
  if (e.notice !== undefined) w.bytes(10, e.notice);
  return w.uint(11, e.order).finish();
}

export function decodeOutboxEntry(bytes: Uint8Array): OutboxEntry {
  const m = open(bytes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const payload = m.bytes(9, { maxLength: MAX_PAYLOAD_LENGTH });
  const notice = m.bytes(10, { maxLength: MAX_DELIVERY_BYTES });
  return {
    conversationId: m.requiredBytes(2, { maxLength: MAX_CONVERSATION_ID_LENGTH }),
    messageId: m.requiredBytes(3, { length: MESSAGE_ID_LENGTH }),
    seq: m.requiredUint(4),
    createdAt: m.requiredUint(5),
    expiresAt: m.requiredUint(6),
    attempts: m.requiredUint(7),
    nextAttemptAt: m.requiredUint(8),
    ...(payload === undefined ? {} : { payload }),
    ...(notice === undefined ? {} : { notice }),
    order: m.requiredUint(11),
  };
}

export function encodeIndex(key: Uint8Array): Uint8Array {
  return new ProtoWriter().uint(1, RECORD_VERSION).bytes(2, key).finish();
}

export function decodeIndex(bytes: Uint8Array): Uint8Array {
  return open(bytes, [1, 2]).requiredBytes(2, { maxLength: 64 });
}

export interface ConversationState {
  conversationId: Uint8Array;
  nextSeq: number;
  gapSince: number;
  nextControl: number;
}

export function encodeConversationState(s: ConversationState): Uint8Array {
  return new ProtoWriter()
    .uint(1, RECORD_VERSION)
    .bytes(2, s.conversationId)
    .uint(3, s.nextSeq)
    .uint(4, s.gapSince)
    .uint(5, s.nextControl)
    .finish();
}

export function decodeConversationState(bytes: Uint8Array): ConversationState {
  const m = open(bytes, [1, 2, 3, 4, 5]);
  return {
    conversationId: m.requiredBytes(2, { maxLength: MAX_CONVERSATION_ID_LENGTH }),
    nextSeq: m.requiredUint(3),
    gapSince: m.requiredUint(4),
    nextControl: m.requiredUint(5),
  };
}

export const SeenState = { PENDING: 1, DELIVERED: 2, DELETED: 3 } as const;
export type SeenState = (typeof SeenState)[keyof typeof SeenState];

export interface SeenRecord {
  state: SeenState;
  expiresAt: number;
  conversationId: Uint8Array;
  seq: number;
}

export function encodeSeen(s: SeenRecord): Uint8Array {
  return new ProtoWriter()
    .uint(1, RECORD_VERSION)
    .uint(2, s.state)
    .uint(3, s.expiresAt)
    .bytes(4, s.conversationId)
    .uint(5, s.seq)
    .finish();
}

export function decodeSeen(bytes: Uint8Array): SeenRecord {
  const m = open(bytes, [1, 2, 3, 4, 5]);
  const state = m.requiredUint(2);
  if (state < 1 || state > 3) throw new DecodeError('RECORD_VALUE', `bad seen state ${state}`);
  return {
    state: state as SeenState,
    expiresAt: m.requiredUint(3),
    conversationId: m.requiredBytes(4, { maxLength: MAX_CONVERSATION_ID_LENGTH }),
    seq: m.requiredUint(5),
  };
}

/** A message as the inbox holds it before delivery and the history keeps it after. */
export interface MessageRecord {
  conversationId: Uint8Array;
  messageId: Uint8Array;
  seq: number;
  minSeq: number;
  expiresAt: number;
  payload: Uint8Array;
  outgoing: boolean;
  deleted: boolean;
}

export function encodeMessageRecord(r: MessageRecord): Uint8Array {
  return new ProtoWriter()
    .uint(1, RECORD_VERSION)
    .bytes(2, r.conversationId)
    .bytes(3, r.messageId)
    .uint(4, r.seq)
    .uint(5, r.expiresAt)
    .bytes(6, r.payload)
    .bool(7, r.outgoing)
    .bool(8, r.deleted)
    .uint(9, r.minSeq)
    .finish();
}

export function decodeMessageRecord(bytes: Uint8Array): MessageRecord {
  const m = open(bytes, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return {
    conversationId: m.requiredBytes(2, { maxLength: MAX_CONVERSATION_ID_LENGTH }),
    messageId: m.requiredBytes(3, { length: MESSAGE_ID_LENGTH }),
    seq: m.requiredUint(4),
    expiresAt: m.requiredUint(5),
    payload: m.requiredBytes(6, { maxLength: MAX_PAYLOAD_LENGTH }),
    outgoing: m.bool(7) ?? false,
    deleted: m.bool(8) ?? false,
    minSeq: m.uint(9) ?? 0,
  };
}
