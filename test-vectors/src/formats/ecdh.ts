/**
 * Wycheproof `ecdh_test_schema_v1` (type EcdhTest) for secp256r1: the public key is a DER
 * SubjectPublicKeyInfo, read by our strict parser (./spki.ts) before the P-256 DH suite sees it.
 */
import { type CryptoBackend, equalBytes } from '@p2pe/crypto';
import { DecodeError } from '@p2pe/transport-interfaces';
import type { VectorFormat } from '../format';
import { p256PointFromSpki } from './spki';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  isWycheproof,
  MalformedCaseError,
  runWycheproof,
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
  const out = attempt(() => suite.dh(secret, point));
  if (!out.ok) return { kind: 'rejected', reason: out.reason };
  return { kind: 'accepted', matches: equalBytes(out.value, shared) };
}

const compressed =
  'our P256 suite takes 65-byte uncompressed points; a compressed one may be refused';
const explicit = 'explicit curve parameters are refused: named curve only (RFC 5480 §2.1.1)';

/** Acceptable flags of EcdhTest. The SPKI parser is ours, so its strictness is our rule. */
export const ECDH_SPKI_RULES: FlagRules = {
  CompressedPublic: { rule: 'either', why: compressed },
  CompressedPoint: { rule: 'either', why: compressed },
  InvalidAsn: { rule: 'reject', why: 'our SPKI reader takes DER only (X.690 §10)' },
  UnnamedCurve: { rule: 'reject', why: explicit },
  UnusedParam: { rule: 'reject', why: explicit },
  WrongOrder: { rule: 'reject', why: explicit },
  ModifiedGenerator: { rule: 'reject', why: explicit },
  ModifiedCofactor: { rule: 'reject', why: explicit },
  NoCofactor: { rule: 'reject', why: explicit },
  ModifiedCurveParameter: { rule: 'reject', why: explicit },
};

const detectGroup = (encoding: string) => (g: Record<string, unknown>) =>
  g.curve === 'secp256r1' && g.encoding === encoding;

export const wycheproofEcdhSpki: VectorFormat = {
  name: 'wycheproof-ecdh',
  detect: (file) => isWycheproof(file.json, 'ecdh_test_schema_v1', ['ECDH'], detectGroup('asn')),
  verify(file, backend) {
    if (!isWycheproof(file.json, 'ecdh_test_schema_v1', ['ECDH'], detectGroup('asn'))) {
      throw new DecodeError(
        'VECTOR_FILE_MALFORMED',
        'not a Wycheproof EcdhTest file for secp256r1',
      );
    }
    return runWycheproof(file.json, {
      rules: ECDH_SPKI_RULES,
      runCase(_group, test) {
        const spki = hexField(test, 'public');
        const priv = hexField(test, 'private');
        const shared = hexField(test, 'shared');
        const point = attempt(() => p256PointFromSpki(spki));
        if (!point.ok) return { kind: 'rejected', reason: point.reason };
        return p256Outcome(backend, priv, point.value, shared);
      },
    });
  },
};
