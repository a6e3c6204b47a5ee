/**
 * A strict DER reader for exactly one shape: a P-256 public key as an X.509 SubjectPublicKeyInfo
 * with a named curve (RFC 5280 §4.1.2.7, RFC 5480 §2):
 *
 *   SEQUENCE {
 *     SEQUENCE { OID 1.2.840.10045.2.1 (id-ecPublicKey), OID 1.2.840.10045.3.1.7 (secp256r1) }
 *     BIT STRING { 0 unused bits, SEC1 point: 04||X||Y (65 bytes) or 02/03||X (33 bytes) }
 *   }
 *
 * Everything else is refused: BER length forms (long form where short fits, leading zero length
 * bytes, indefinite length), explicit curve parameters (`specifiedCurve`, which RFC 5480 §2.1.1
 * forbids in PKIX), other curves, NULL parameters, unused bits, trailing bytes anywhere. The point
 * itself is checked by the DH suite, not here.
 */
import { DecodeError } from '@p2pe/transport-interfaces';

/** Largest SPKI we read: the uncompressed form is 91 bytes. */
export const MAX_P256_SPKI_BYTES = 128;

const ID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
const SECP256R1 = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);

const TAG_SEQUENCE = 0x30;
const TAG_OID = 0x06;
const TAG_BIT_STRING = 0x03;

function fail(code: string, message: string): never {
  throw new DecodeError(code, message);
}

/** One TLV at `offset` in `der`, with a minimal (DER, X.690 §10.1) definite length. */
function readTlv(
  der: Uint8Array,
  offset: number,
  tag: number,
): { readonly body: Uint8Array; readonly end: number } {
  if (offset >= der.length)
    fail('SPKI_TRUNCATED', `expected tag 0x${tag.toString(16)} at ${offset}`);
  if (der[offset] !== tag) {
    fail(
      'SPKI_UNEXPECTED_TAG',
      `expected tag 0x${tag.toString(16)} at ${offset}, got 0x${der[offset]!.toString(16)}`,
    );
  }
  let pos = offset + 1;
  if (pos >= der.length) fail('SPKI_TRUNCATED', `length missing at ${pos}`);
  const first = der[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length; more than two length bytes never fits our 128-byte limit.
    if (count === 0 || count > 2)
      fail('SPKI_BAD_LENGTH', `length form 0x${first.toString(16)} at ${pos - 1}`);
    if (pos + count > der.length) fail('SPKI_TRUNCATED', `length bytes missing at ${pos}`);
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | der[pos++]!;
    // DER: the shortest form only (no leading zero byte, no long form below 128).
    const minimum = count === 1 ? 0x80 : 0x100;
    if (length < minimum) fail('SPKI_BAD_LENGTH', `non-minimal length ${length} at ${offset + 1}`);
  }
  if (pos + length > der.length) {
    fail('SPKI_TRUNCATED', `element of length ${length} at ${offset} overruns ${der.length} bytes`);
  }
  return { body: der.subarray(pos, pos + length), end: pos + length };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Public constants (OIDs), not secrets: an early exit is fine here.
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The SEC1 point inside a P-256 SubjectPublicKeyInfo; throws DecodeError for any other shape. */
export function p256PointFromSpki(der: Uint8Array): Uint8Array {
  if (der.length > MAX_P256_SPKI_BYTES) {
    fail(
      'SPKI_TOO_LARGE',
      `SubjectPublicKeyInfo of ${der.length} bytes, limit ${MAX_P256_SPKI_BYTES}`,
    );
  }
  const outer = readTlv(der, 0, TAG_SEQUENCE);
  if (outer.end !== der.length)
    fail('SPKI_TRAILING_BYTES', `${der.length - outer.end} bytes after the SEQUENCE`);
  const spki = outer.body;

  const algorithm = readTlv(spki, 0, TAG_SEQUENCE);
  const alg = algorithm.body;
  const oid = readTlv(alg, 0, TAG_OID);
  if (!sameBytes(oid.body, ID_EC_PUBLIC_KEY))
    fail('SPKI_WRONG_ALGORITHM', 'algorithm is not id-ecPublicKey');
  // RFC 5480 §2.1.1: parameters are ECParameters; we take only namedCurve secp256r1.
  const curve = readTlv(alg, oid.end, TAG_OID);
  if (!sameBytes(curve.body, SECP256R1)) fail('SPKI_WRONG_CURVE', 'named curve is not secp256r1');
  if (curve.end !== alg.length) fail('SPKI_TRAILING_BYTES', 'extra bytes in AlgorithmIdentifier');

  const bits = readTlv(spki, algorithm.end, TAG_BIT_STRING);
  if (bits.end !== spki.length) fail('SPKI_TRAILING_BYTES', 'extra bytes after subjectPublicKey');
  if (bits.body.length === 0) fail('SPKI_TRUNCATED', 'empty BIT STRING');
  if (bits.body[0] !== 0) fail('SPKI_UNUSED_BITS', `BIT STRING with ${bits.body[0]} unused bits`);
  const point = bits.body.subarray(1);
  const prefix = point[0];
  const shapeOk =
    (point.length === 65 && prefix === 0x04) ||
    (point.length === 33 && (prefix === 0x02 || prefix === 0x03));
  if (!shapeOk) fail('SPKI_BAD_POINT', `SEC1 point of ${point.length} bytes`);
  return point.slice();
}
