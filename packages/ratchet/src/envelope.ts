import { DecodeError, ProtoMessage, ProtoWriter, utf8 } from '@p2pe/transport-interfaces';
import {
  LABELS,
  MAX_ENVELOPE_BYTES,
  MAX_MESSAGE_ID_BYTES,
  MAX_PLAINTEXT_BYTES,
  SESSION_WIRE_VERSION,
} from './constants';

/** What an envelope carries (wire.proto SessionEnvelope.kind). */
export const EnvelopeKind = { HANDSHAKE: 1, RATCHET: 2, NOTICE: 3 } as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

export type HandshakePattern = 'IK' | 'XX' | 'KK';
const PATTERNS: readonly string[] = ['IK', 'XX', 'KK'];

export interface SessionEnvelope {
  readonly fromPeer: Uint8Array;
  readonly toPeer: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly messageId: Uint8Array;
  readonly kind: EnvelopeKind;
  readonly body: Uint8Array;
  readonly handshakeStep?: number;
  readonly pattern?: HandshakePattern;
  readonly responderStatic?: Uint8Array;
}

const MAX_ID = 64;

export function encodeEnvelope(e: SessionEnvelope): Uint8Array {
  const w = new ProtoWriter()
    .uint(1, SESSION_WIRE_VERSION)
    .bytes(2, e.fromPeer)
    .bytes(3, e.toPeer)
    .bytes(4, e.sessionId)
    .bytes(5, e.messageId)
    .uint(6, e.kind)
    .bytes(7, e.body);
  if (e.handshakeStep !== undefined) w.uint(8, e.handshakeStep);
  if (e.pattern !== undefined) w.string(9, e.pattern);
  if (e.responderStatic !== undefined) w.bytes(10, e.responderStatic);
  return w.finish();
}

/** Size limit, version, then fields. */
export function decodeEnvelope(bytes: Uint8Array): SessionEnvelope {
  const m = ProtoMessage.decode(bytes, MAX_ENVELOPE_BYTES, 16);
  const version = m.requiredUint(1);
  if (version !== SESSION_WIRE_VERSION) {
    throw new DecodeError(
      'SESSION_VERSION',
      `envelope version ${version}, expected ${SESSION_WIRE_VERSION}`,
    );
  }
  m.assertKnown([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const kind = m.requiredUint(6);
  if (kind !== 1 && kind !== 2 && kind !== 3) {
    throw new DecodeError('SESSION_ENVELOPE_KIND', `unknown envelope kind ${kind}`);
  }
  const pattern = m.string(9, 8);
  if (pattern !== undefined && !PATTERNS.includes(pattern)) {
    throw new DecodeError('SESSION_PATTERN', 'unsupported handshake pattern');
  }
  const step = m.uint(8);
  if (step !== undefined && step > 2)
    throw new DecodeError('SESSION_HANDSHAKE_STEP', `step ${step}`);
  const responderStatic = m.bytes(10, { maxLength: 133 });
  return {
    fromPeer: m.requiredBytes(2, { maxLength: MAX_ID }),
    toPeer: m.requiredBytes(3, { maxLength: MAX_ID }),
    sessionId: m.requiredBytes(4, { maxLength: MAX_ID }),
    messageId: m.requiredBytes(5, { maxLength: MAX_MESSAGE_ID_BYTES }),
    kind: kind as EnvelopeKind,
    body: m.requiredBytes(7),
    ...(step === undefined ? {} : { handshakeStep: step }),
    ...(pattern === undefined ? {} : { pattern: pattern as HandshakePattern }),
    ...(responderStatic === undefined ? {} : { responderStatic }),
  };
}

export interface HandshakePayload {
  readonly certificate?: Uint8Array;
  readonly successions: readonly Uint8Array[];
  readonly ratchetKey?: Uint8Array;
  readonly data?: Uint8Array;
  readonly sentAt: number;
}

export function encodeHandshakePayload(p: HandshakePayload): Uint8Array {
  const w = new ProtoWriter().uint(1, SESSION_WIRE_VERSION);
  if (p.certificate !== undefined) w.bytes(2, p.certificate);
  for (const s of p.successions) w.bytes(3, s);
  if (p.ratchetKey !== undefined) w.bytes(4, p.ratchetKey);
  if (p.data !== undefined) w.bytes(5, p.data);
  w.uint(6, p.sentAt);
  return w.finish();
}

export function decodeHandshakePayload(bytes: Uint8Array): HandshakePayload {
  const m = ProtoMessage.decode(bytes, MAX_ENVELOPE_BYTES, 64);
  const version = m.requiredUint(1);
  if (version !== SESSION_WIRE_VERSION) {
    throw new DecodeError('SESSION_VERSION', `handshake payload version ${version}`);
  }
  m.assertKnown([1, 2, 3, 4, 5, 6]);
  const certificate = m.bytes(2, { maxLength: 512 });
  const ratchetKey = m.bytes(4, { maxLength: 133 });
  const data = m.bytes(5, { maxLength: MAX_PLAINTEXT_BYTES });
  return {
    successions: m.repeatedBytes(3, 32, { maxLength: 512 }).map((b) => b.slice()),
    sentAt: m.requiredUint(6),
    ...(certificate === undefined ? {} : { certificate: certificate.slice() }),
    ...(ratchetKey === undefined ? {} : { ratchetKey: ratchetKey.slice() }),
    ...(data === undefined ? {} : { data: data.slice() }),
  };
}

/** Why a message could not be read (wire.proto Notice.reason). */
export const NoticeReason = { NO_SESSION: 1, CANNOT_DECRYPT: 2 } as const;
export type NoticeReason = (typeof NoticeReason)[keyof typeof NoticeReason];

export interface Notice {
  readonly fromPeer: Uint8Array;
  readonly toPeer: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly messageId: Uint8Array;
  readonly issuedAt: number;
  readonly nonce: Uint8Array;
  readonly reason: NoticeReason;
}

export function encodeNotice(n: Notice): Uint8Array {
  return new ProtoWriter()
    .uint(1, SESSION_WIRE_VERSION)
    .bytes(2, n.fromPeer)
    .bytes(3, n.toPeer)
    .bytes(4, n.sessionId)
    .bytes(5, n.messageId)
    .uint(6, n.issuedAt)
    .bytes(7, n.nonce)
    .uint(8, n.reason)
    .finish();
}

export function decodeNotice(bytes: Uint8Array): Notice {
  const m = ProtoMessage.decode(bytes, 1024, 16);
  const version = m.requiredUint(1);
  if (version !== SESSION_WIRE_VERSION) {
    throw new DecodeError('SESSION_VERSION', `notice version ${version}`);
  }
  m.assertKnown([1, 2, 3, 4, 5, 6, 7, 8]);
  const reason = m.requiredUint(8);
  if (reason !== 1 && reason !== 2)
    throw new DecodeError('SESSION_NOTICE_REASON', `reason ${reason}`);
  return {
    fromPeer: m.requiredBytes(2, { maxLength: MAX_ID }),
    toPeer: m.requiredBytes(3, { maxLength: MAX_ID }),
    sessionId: m.requiredBytes(4, { maxLength: MAX_ID }),
    messageId: m.requiredBytes(5, { maxLength: MAX_MESSAGE_ID_BYTES }),
    issuedAt: m.requiredUint(6),
    nonce: m.requiredBytes(7, { length: 16 }),
    reason: reason as NoticeReason,
  };
}

export interface SignedNotice {
  /** The exact Notice bytes that were signed. */
  readonly notice: Uint8Array;
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeSignedNotice(s: SignedNotice): Uint8Array {
  return new ProtoWriter()
    .bytes(1, s.notice)
    .bytes(2, s.identityKey)
    .bytes(3, s.signature)
    .finish();
}

export function decodeSignedNotice(bytes: Uint8Array): SignedNotice {
  const m = ProtoMessage.decode(bytes, 2048, 8);
  m.assertKnown([1, 2, 3]);
  return {
    notice: m.requiredBytes(1, { maxLength: 1024 }),
    identityKey: m.requiredBytes(2, { length: 32 }),
    signature: m.requiredBytes(3, { length: 64 }),
  };
}

const NOTICE_LABEL = utf8(LABELS.notice);

/** The bytes a notice signature covers: label || 0x00 || notice. */
export function noticeSigningInput(notice: Uint8Array): Uint8Array {
  const out = new Uint8Array(NOTICE_LABEL.length + 1 + notice.length);
  out.set(NOTICE_LABEL, 0);
  out.set(notice, NOTICE_LABEL.length + 1);
  return out;
}
