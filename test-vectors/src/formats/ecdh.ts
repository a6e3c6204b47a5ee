/**
 * Wycheproof `ecdh_test_schema_v1` (type EcdhTest) for secp256r1: the public key is a DER
 * SubjectPublicKeyInfo, read by our strict parser (./spki.ts) before the P-256 DH suite sees it.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import type { VectorFormat } from '../format';
import { p256PointFromSpki } from './spki';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  MalformedCaseError,
  outputOutcome,
  wycheproofFormat,
} from './wycheproof';

/**
 * Wycheproof writes ECDH private keys as big-endian integers of any length (a leading 00 when the
 * top bit is set, fewer bytes for small scalars). Our suite takes the fixed-length encoding
 * (SEC1 §2.3.7): strip leading zeros, then left-pad.
 */
export function fixedLengthScalar(integer: Uint8Array, length: number): Uint8Array {
  let start = 0;
  while (start < integer.length && integer[start] === 0) start++;
  const digits = integer.subarray(start);
  if (digits.length > length) {
    throw new MalformedCaseError(`private key of ${digits.length} bytes, longer than ${length}`);
  }
  const out = new Uint8Array(length);
  out.set(digits, length - digits.length);
  return out;
}

/** DH over a SEC1 point with our P-256 suite, compared with the expected x-coordinate. */
export function p256Outcome(
  backend: CryptoBackend,
  privateInteger: Uint8Array,
  point: Uint8Array,
  shared: Uint8Array,
): CaseOutcome {
  const suite = backend.dh('P256');
  const secret = fixedLengthScalar(privateInteger, suite.secretKeyLength);
  return outputOutcome(() => suite.dh(secret, point), shared);
}

const compressed =
  'our P256 suite takes 65-byte uncompressed points; a compressed one may be refused';

/** Acceptable flags of both P-256 ECDH schemas: the point encodings our P256 suite may refuse. */
export const P256_POINT_RULES: FlagRules = {
  CompressedPublic: { rule: 'either', why: compressed },
  CompressedPoint: { rule: 'either', why: compressed },
};

const explicit = 'explicit curve parameters are refused: named curve only (RFC 5480 §2.1.1)';

/** Acceptable flags of EcdhTest. The SPKI parser is ours, so its strictness is our rule. */
export const ECDH_SPKI_RULES: FlagRules = {
  ...P256_POINT_RULES,
  InvalidAsn: { rule: 'reject', why: 'our SPKI reader takes DER only (X.690 §10)' },
  UnnamedCurve: { rule: 'reject', why: explicit },
  UnusedParam: { rule: 'reject', why: explicit },
  WrongOrder: { rule: 'reject', why: explicit },
  ModifiedGenerator: { rule: 'reject', why: explicit },
  ModifiedCofactor: { rule: 'reject', why: explicit },
  NoCofactor: { rule: 'reject', why: explicit },
  ModifiedCurveParameter: { rule: 'reject', why: explicit },
};

export const wycheproofEcdhSpki: VectorFormat = wycheproofFormat({
  name: 'wycheproof-ecdh',
  schema: 'ecdh_test_schema_v1',
  algorithms: ['ECDH'],
  group: (g) => g.curve === 'secp256r1' && g.encoding === 'asn',
  fileType: 'EcdhTest file for secp256r1',
  rules: ECDH_SPKI_RULES,
  caseRunner: (_file, backend) => (_group, test) => {
    const spki = hexField(test, 'public');
    const priv = hexField(test, 'private');
    const shared = hexField(test, 'shared');
    const point = attempt(() => p256PointFromSpki(spki));
    if (!point.ok) return { kind: 'rejected', reason: point.reason };
    return p256Outcome(backend, priv, point.value, shared);
  },
});
