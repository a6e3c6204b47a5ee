import {
  assertBytes,
  concatBytes,
  DecodeError,
  ProtoMessage,
  ProtoWriter,
  toHex,
  utf8,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  DELIVERY_VERSION,
  MAX_CONVERSATION_ID_LENGTH,
  MAX_DELIVERY_BYTES,
  MAX_IDS_PER_NOTICE,
  MAX_PAYLOAD_LENGTH,
  MAX_SEQ,
  MAX_TIMESTAMP,
  MESSAGE_ID_LENGTH,
  SIGNATURE_LABELS,
} from './constants';

/** A delivery envelope (delivery.proto `DeliveryEnvelope`). */
export interface DeliveryEnvelope {
  readonly messageId: Uint8Array;
  /** Order in the conversation, from 1; 0 for a control envelope carrying a notice. */
  readonly seq: number;
  /** Every seq below this is settled at the sender (acked, expired or deleted). */
  readonly minSeq: number;
  readonly expiresAt: number;
  readonly payload?: Uint8Array;
  readonly notice?: Uint8Array;
}

export function encodeEnvelope(e: DeliveryEnvelope): Uint8Array {
  assertBytes(e.messageId, 'messageId', MESSAGE_ID_LENGTH);
  const w = new ProtoWriter()
    .uint(1, DELIVERY_VERSION)
    .bytes(2, e.messageId)
    .uint(3, e.seq)
    .uint(4, e.minSeq)
    .uint(5, e.expiresAt);
  if (e.payload !== undefined) w.bytes(6, e.payload);
  if (e.notice !== undefined) w.bytes(7, e.notice);
  return w.finish();
}

/** Decodes an envelope: size limit, version, then fields; a typed error for every rejection. */
export function decodeEnvelope(bytes: Uint8Array): DeliveryEnvelope {
  const m = ProtoMessage.decode(bytes, MAX_DELIVERY_BYTES, 16);
  checkVersion(m);
  m.assertKnown([1, 2, 3, 4, 5, 6, 7]);
  const seq = m.uint(3) ?? 0;
  const payload = m.bytes(6, { maxLength: MAX_PAYLOAD_LENGTH });
  const notice = m.bytes(7, { maxLength: MAX_DELIVERY_BYTES });
  if (
    (seq === 0) !== (notice !== undefined) ||
    (payload !== undefined) === (notice !== undefined)
  ) {
    throw new DecodeError(
      'ENVELOPE_SHAPE',
      'an envelope carries a payload with a seq, or a notice without',
    );
  }
  const minSeq = m.uint(4) ?? 0;
  const expiresAt = m.uint(5) ?? 0;
  if (seq > MAX_SEQ || minSeq > MAX_SEQ || expiresAt > MAX_TIMESTAMP) {
    throw new DecodeError(
      'ENVELOPE_RANGE',
      `seq, min_seq or expiry out of range (seq ≤ ${MAX_SEQ}, expiry ≤ ${MAX_TIMESTAMP})`,
    );
  }
  return {
    messageId: m.requiredBytes(2, { length: MESSAGE_ID_LENGTH }),
    seq,
    minSeq,
    expiresAt,
    ...(payload === undefined ? {} : { payload }),
    ...(notice === undefined ? {} : { notice }),
  };
}

export const NoticeKind = { ACK: 1, DELETION: 2 } as const;
export type NoticeKind = (typeof NoticeKind)[keyof typeof NoticeKind];

/** A notice body (delivery.proto `NoticeBody`). */
export interface NoticeBody {
  readonly kind: NoticeKind;
  readonly conversationId: Uint8Array;
  readonly messageIds: readonly Uint8Array[];
  readonly time: number;
}

/** A decoded signed notice: the body and the exact body bytes the signature covers. */
export interface SignedNotice {
  readonly body: NoticeBody;
  readonly bodyBytes: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Signs and verifies notices: Ed25519 by the identity key of the author (the identity package
 * provides the signer; `backend.ed25519` verifies).
 */
export interface NoticeSigner {
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export function encodeNoticeBody(body: NoticeBody): Uint8Array {
  assertBytes(body.conversationId, 'conversationId');
  if (body.conversationId.length > MAX_CONVERSATION_ID_LENGTH) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"conversationId" longer than ${MAX_CONVERSATION_ID_LENGTH}`,
    );
  }
  if (body.messageIds.length === 0 || body.messageIds.length > MAX_IDS_PER_NOTICE) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `a notice names 1 to ${MAX_IDS_PER_NOTICE} ids, got ${body.messageIds.length}`,
    );
  }
  const ids = body.messageIds.map((id) => toHex(assertBytes(id, 'messageId', MESSAGE_ID_LENGTH)));
  if (new Set(ids).size !== ids.length) {
    throw new ValidationError('INVALID_ARGUMENT', 'a notice names the same message id twice');
  }
  const w = new ProtoWriter()
    .uint(1, DELIVERY_VERSION)
    .uint(2, body.kind)
    .bytes(3, body.conversationId);
  for (const id of body.messageIds) w.bytes(4, assertBytes(id, 'messageId', MESSAGE_ID_LENGTH));
  return w.uint(5, body.time).finish();
}

/** The bytes a notice signature covers: label || 0x00 || body bytes. */
export function noticeSignedBytes(kind: NoticeKind, bodyBytes: Uint8Array): Uint8Array {
  const label = kind === NoticeKind.ACK ? SIGNATURE_LABELS.ack : SIGNATURE_LABELS.deletion;
  return concatBytes(utf8(label), Uint8Array.of(0), bodyBytes);
}

export async function signNotice(body: NoticeBody, signer: NoticeSigner): Promise<Uint8Array> {
  const bodyBytes = encodeNoticeBody(body);
  const signature = assertBytes(
    await signer.sign(noticeSignedBytes(body.kind, bodyBytes)),
    'signature',
    64,
  );
  return new ProtoWriter().bytes(1, bodyBytes).bytes(2, signature).finish();
}

/** Decodes a signed notice (not yet verified): the caller verifies over `bodyBytes`. */
export function decodeSignedNotice(bytes: Uint8Array): SignedNotice {
  const outer = ProtoMessage.decode(bytes, MAX_DELIVERY_BYTES, 4);
  outer.assertKnown([1, 2]);
  const bodyBytes = outer.requiredBytes(1, { maxLength: 4096 });
  const signature = outer.requiredBytes(2, { length: 64 });
  const m = ProtoMessage.decode(bodyBytes, 4096, MAX_IDS_PER_NOTICE + 8);
  checkVersion(m);
  m.assertKnown([1, 2, 3, 4, 5]);
  const kind = m.requiredUint(2);
  if (kind !== NoticeKind.ACK && kind !== NoticeKind.DELETION) {
    throw new DecodeError('NOTICE_KIND', `unknown notice kind ${kind}`);
  }
  const messageIds = m.repeatedBytes(4, MAX_IDS_PER_NOTICE, { length: MESSAGE_ID_LENGTH });
  if (messageIds.length === 0) throw new DecodeError('DECODE_MISSING_FIELD', 'field 4 is missing');
  // A repeated id would settle (or report as deleted) the same message twice.
  if (new Set(messageIds.map(toHex)).size !== messageIds.length) {
    throw new DecodeError('NOTICE_DUPLICATE_ID', 'a notice names the same message id twice');
  }
  return {
    body: {
      kind,
      conversationId: m.requiredBytes(3, { maxLength: MAX_CONVERSATION_ID_LENGTH }),
      messageIds,
      time: m.uint(5) ?? 0,
    },
    bodyBytes,
    signature,
  };
}

function checkVersion(m: ProtoMessage): void {
  const version = m.requiredUint(1);
  if (version !== DELIVERY_VERSION) {
    throw new DecodeError('DELIVERY_VERSION', `unsupported delivery version ${version}`);
  }
}
