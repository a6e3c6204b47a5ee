/**
 * Codecs of the demo application's messages (schema: app.proto). Size limit first, then version,
 * then fields, as every P2PE decoder.
 */
import { DecodeError, ProtoMessage, ProtoWriter } from '@p2pe/transport-interfaces';

const VERSION = 1;
/** A frame holds at most this many session envelopes (a reply: handshake answer + ack). */
export const MAX_FRAME_ENVELOPES = 4;
/** Bounds what we decode; the onion packet's message is shorter still. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const MAX_APP_MESSAGE_BYTES = 256 * 1024;

export const AppKind = { DELIVERY: 1, ACK: 2, RECONCILE: 3, HISTORY: 4 } as const;
export type AppKind = (typeof AppKind)[keyof typeof AppKind];

export function encodeFrame(envelopes: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter().uint(1, VERSION);
  for (const e of envelopes) w.bytes(2, e);
  return w.finish();
}

export function decodeFrame(bytes: Uint8Array): Uint8Array[] {
  const m = ProtoMessage.decode(bytes, MAX_FRAME_BYTES, MAX_FRAME_ENVELOPES + 1);
  checkVersion(m.requiredUint(1));
  m.assertKnown([1, 2]);
  return m.repeatedBytes(2, MAX_FRAME_ENVELOPES);
}

export function encodeAppMessage(kind: AppKind, body: Uint8Array): Uint8Array {
  return new ProtoWriter().uint(1, VERSION).uint(2, kind).bytes(3, body).finish();
}

export function decodeAppMessage(bytes: Uint8Array): { kind: AppKind; body: Uint8Array } {
  const m = ProtoMessage.decode(bytes, MAX_APP_MESSAGE_BYTES, 3);
  checkVersion(m.requiredUint(1));
  m.assertKnown([1, 2, 3]);
  const kind = m.requiredUint(2);
  if (kind < AppKind.DELIVERY || kind > AppKind.HISTORY) {
    throw new DecodeError('APP_MESSAGE_KIND', `unknown app message kind ${kind}`);
  }
  return { kind: kind as AppKind, body: m.requiredBytes(3) };
}

function checkVersion(version: number): void {
  if (version !== VERSION) {
    throw new DecodeError('APP_MESSAGE_VERSION', `unsupported app message version ${version}`);
  }
}
