/**
 * The signed envelope every signed statement of this package travels in (identity.proto
 * `Signed`, and `SignedSuccession` with two signatures):
 *
 *   message Signed { bytes body = 1; bytes signature = 2; }
 *   message SignedSuccession { bytes body = 1; bytes old_signature = 2; bytes new_signature = 3; }
 *
 * The body is kept as received and signatures are checked over exactly those bytes (never a
 * re-encoding). Internal: the public functions are per statement (record, invite, …).
 */
import { ProtoMessage, ProtoWriter } from '@p2pe/transport-interfaces';
import { SIGNATURE_LENGTH } from './constants';

export interface Envelope {
  /** The body exactly as received (a view into the input). */
  readonly body: Uint8Array;
  /** Signatures in field order (2, 3, …). */
  readonly signatures: readonly Uint8Array[];
}

export function encodeEnvelope(body: Uint8Array, signatures: readonly Uint8Array[]): Uint8Array {
  const w = new ProtoWriter().bytes(1, body);
  signatures.forEach((sig, i) => {
    w.bytes(2 + i, sig);
  });
  return w.finish();
}

/**
 * Size limit first, then the envelope's fields: exactly one body and `signatureCount`
 * 64-byte signatures, nothing else.
 */
export function decodeEnvelope(
  bytes: Uint8Array,
  maxBytes: number,
  signatureCount: 1 | 2,
): Envelope {
  const msg = ProtoMessage.decode(bytes, maxBytes, 8);
  const known = [1, 2, 3].slice(0, 1 + signatureCount);
  msg.assertKnown(known);
  const body = msg.requiredBytes(1);
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < signatureCount; i++) {
    signatures.push(msg.requiredBytes(2 + i, { length: SIGNATURE_LENGTH }));
  }
  return { body, signatures };
}
