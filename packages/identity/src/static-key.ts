/**
 * Static DH keys and their certificates (identity.proto `StaticKey`,
 * `StaticKeyCertificateBody`). An identity key never encrypts: it certifies, per suite, a static
 * DH key with a validity period, and handshakes (Noise IK/XX) use the static key.
 *
 *   message StaticKey {
 *     string suite = 1;       // Noise DH name: "25519", "448" or "P256"
 *     bytes public_key = 2;   // 32, 56 or 65 bytes
 *     uint64 not_before = 3;  // ms since the Unix epoch
 *     uint64 not_after = 4;   // ms since the Unix epoch; valid while now < not_after
 *   }
 *   message StaticKeyCertificateBody { uint32 version = 1; bytes identity_key = 2; StaticKey key = 3; }
 *
 * A certificate is `Signed { body, signature }` with signature context `p2pe/identity/v1/static-key`.
 */
import { DH_NAMES, type DhName, equalBytes } from '@p2pe/crypto';
import {
  DecodeError,
  ProtoMessage,
  ProtoWriter,
  StateError,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { backendOf, type CryptoOptions, copy, nowOf, peerIdOf, type VerifyOptions } from './common';
import {
  CLOCK_SKEW_MS,
  FORMAT_VERSION,
  IDENTITY_KEY_LENGTH,
  LABEL_STATIC_KEY,
  MAX_CERTIFICATE_BYTES,
  MAX_STATIC_KEY_LIFETIME_MS,
} from './constants';
import { checkSignedBy, openStatement, type StatementKind, signStatement } from './envelope';

const CERTIFICATE: StatementKind = {
  label: LABEL_STATIC_KEY,
  maxBytes: MAX_CERTIFICATE_BYTES,
  maxFields: 8,
  fields: [1, 2, 3],
  what: 'static key certificate',
};

/** Encoded public key length per DH suite. */
const PUBLIC_KEY_LENGTH: Readonly<Record<DhName, number>> = { '25519': 32, '448': 56, P256: 65 };

/** A static DH public key with the period in which its identity vouches for it. */
export interface StaticKey {
  readonly suite: DhName;
  readonly publicKey: Uint8Array;
  /** ms since the Unix epoch. */
  readonly notBefore: number;
  /** ms since the Unix epoch; the key is valid while `now < notAfter`. */
  readonly notAfter: number;
}

/** A static key that a verified certificate (or record) binds to an identity. */
export interface CertifiedStaticKey extends StaticKey {
  readonly identityKey: Uint8Array;
  readonly peerId: Uint8Array;
}

export function isDhName(name: string): name is DhName {
  return (DH_NAMES as readonly string[]).includes(name);
}

export function encodeStaticKey(key: StaticKey): Uint8Array {
  return new ProtoWriter()
    .string(1, key.suite)
    .bytes(2, key.publicKey)
    .uint(3, key.notBefore)
    .uint(4, key.notAfter)
    .finish();
}

export function decodeStaticKey(bytes: Uint8Array): StaticKey {
  const msg = ProtoMessage.decode(bytes, 256, 8);
  msg.assertKnown([1, 2, 3, 4]);
  const suite = msg.requiredString(1, 16);
  if (!isDhName(suite)) {
    throw new DecodeError('UNKNOWN_SUITE', `static key suite of length ${suite.length} is unknown`);
  }
  const publicKey = copy(msg.requiredBytes(2, { length: PUBLIC_KEY_LENGTH[suite] }));
  const notBefore = msg.requiredUint(3);
  const notAfter = msg.requiredUint(4);
  if (notAfter <= notBefore) {
    throw new DecodeError('INVALID_VALIDITY', 'static key notAfter is not after notBefore');
  }
  // A key certified for longer than MAX_STATIC_KEY_LIFETIME_MS is refused, by certificates and
  // records alike: a stolen static key must not stay vouched for indefinitely.
  if (notAfter - notBefore > MAX_STATIC_KEY_LIFETIME_MS) {
    throw new DecodeError(
      'STATIC_KEY_LIFETIME_TOO_LONG',
      `static key validity exceeds ${MAX_STATIC_KEY_LIFETIME_MS} ms`,
    );
  }
  return { suite, publicKey, notBefore, notAfter };
}

/** Checks a static key's fields before it is signed (our own input, so ValidationError). */
function checkStaticKey(key: StaticKey): void {
  if (!isDhName(key.suite)) throw new ValidationError('UNKNOWN_SUITE', 'unknown static key suite');
  const length = PUBLIC_KEY_LENGTH[key.suite];
  if (!(key.publicKey instanceof Uint8Array) || key.publicKey.length !== length) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"publicKey" expected Uint8Array of length ${length}`,
    );
  }
  if (
    !Number.isSafeInteger(key.notBefore) ||
    !Number.isSafeInteger(key.notAfter) ||
    key.notBefore < 0 ||
    key.notAfter <= key.notBefore
  ) {
    throw new ValidationError('INVALID_VALIDITY', 'static key needs 0 ≤ notBefore < notAfter');
  }
  if (key.notAfter - key.notBefore > MAX_STATIC_KEY_LIFETIME_MS) {
    throw new ValidationError(
      'STATIC_KEY_LIFETIME_TOO_LONG',
      `static key validity exceeds ${MAX_STATIC_KEY_LIFETIME_MS} ms`,
    );
  }
}

/** Signs a certificate for `key` with the identity's secret key. Internal (see Identity). */
export function signStaticKeyCertificate(
  identitySecret: Uint8Array,
  identityKey: Uint8Array,
  key: StaticKey,
  options?: CryptoOptions,
): Uint8Array {
  checkStaticKey(key);
  const body = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, identityKey)
    .message(3, encodeStaticKey(key))
    .finish();
  return signStatement(backendOf(options), CERTIFICATE, identitySecret, body);
}

export interface VerifyStaticKeyOptions extends VerifyOptions {
  /** The identity the certificate must come from (e.g. the one the user verified). */
  readonly identityKey?: Uint8Array;
  /** The static key the handshake used: the certificate must name exactly this key. */
  readonly staticKey?: Uint8Array;
  /** The suite the handshake used. */
  readonly suite?: DhName;
}

/**
 * Verifies a static-key certificate: size limit, envelope, version, fields, revocation of the
 * identity key, the signature over the exact body bytes, then the validity period against the
 * clock (with CLOCK_SKEW_MS of tolerance for `notBefore`) and the expected key/suite.
 *
 * Errors: DecodeError/LimitError for malformed bytes, VerificationError `SIGNATURE_INVALID`,
 * `IDENTITY_REVOKED`, `IDENTITY_MISMATCH`, `STATIC_KEY_MISMATCH`; StateError
 * `STATIC_KEY_NOT_YET_VALID`, `STATIC_KEY_EXPIRED`.
 */
export function verifyStaticKeyCertificate(
  bytes: Uint8Array,
  options?: VerifyStaticKeyOptions,
): CertifiedStaticKey {
  const crypto = backendOf(options);
  const statement = openStatement(bytes, CERTIFICATE);
  const identityKey = copy(statement.msg.requiredBytes(2, { length: IDENTITY_KEY_LENGTH }));
  const key = decodeStaticKey(statement.msg.requiredBytes(3));
  checkSignedBy(crypto, CERTIFICATE, identityKey, statement, options);
  checkStaticKeyMatch(key, options);
  checkStaticKeyValid(key, nowOf(options));
  return { ...key, identityKey, peerId: peerIdOf(identityKey, { crypto }) };
}

function checkStaticKeyMatch(
  key: StaticKey,
  options: { readonly staticKey?: Uint8Array; readonly suite?: DhName } | undefined,
): void {
  if (options?.suite !== undefined && options.suite !== key.suite) {
    throw new VerificationError('STATIC_KEY_MISMATCH', 'certificate is for another suite');
  }
  if (options?.staticKey !== undefined && !equalBytes(options.staticKey, key.publicKey)) {
    throw new VerificationError('STATIC_KEY_MISMATCH', 'certificate is for another static key');
  }
}

export function checkStaticKeyValid(key: StaticKey, now: number): void {
  if (now + CLOCK_SKEW_MS < key.notBefore) {
    throw new StateError('STATIC_KEY_NOT_YET_VALID', 'static key is not valid yet');
  }
  if (now >= key.notAfter) throw new StateError('STATIC_KEY_EXPIRED', 'static key has expired');
}
