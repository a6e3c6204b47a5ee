/**
 * Internal helpers shared by the message files: option defaults, signing with a context label,
 * key and time checks. Not exported from the package entry.
 */
import { type CryptoBackend, equalBytes, nobleBackend } from '@p2pe/crypto';
import {
  type Clock,
  checkedNow,
  concatBytes,
  DecodeError,
  type ProtoMessage,
  type RandomBytes,
  StateError,
  systemClock,
  utf8,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { CLOCK_SKEW_MS, IDENTITY_KEY_LENGTH, LABEL_PEER_ID } from './constants';

/** Options every function that uses primitives accepts. */
export interface CryptoOptions {
  /** @default nobleBackend */
  readonly crypto?: CryptoBackend;
}

/** Options of functions that draw randomness or read the time. */
export interface CreateOptions extends CryptoOptions {
  /** @default systemClock() */
  readonly clock?: Clock;
  /** @default the backend's secure random source */
  readonly random?: RandomBytes;
}

/** Something that knows which identity keys are revoked (e.g. a `RevocationList`). */
export interface RevocationChecker {
  isRevoked(identityKey: Uint8Array): boolean;
}

/** Options of every verifier of signed statements. */
export interface VerifyOptions extends CryptoOptions {
  /** @default systemClock() */
  readonly clock?: Clock;
  /** Revoked keys: anything signed by one of them fails with `IDENTITY_REVOKED`. */
  readonly revocations?: RevocationChecker;
}

export function backendOf(options: CryptoOptions | undefined): CryptoBackend {
  return options?.crypto ?? nobleBackend;
}

export function nowOf(options: { readonly clock?: Clock } | undefined): number {
  return checkedNow(options?.clock ?? systemClock());
}

export function randomOf(options: CreateOptions | undefined): RandomBytes {
  return options?.random ?? backendOf(options).randomBytes;
}

/** The bytes an Ed25519 signature covers: `label || 0x00 || body` (labels contain no NUL). */
export function signedMessage(label: string, body: Uint8Array): Uint8Array {
  return concatBytes(utf8(label), Uint8Array.of(0), body);
}

export function signWith(
  crypto: CryptoBackend,
  secretKey: Uint8Array,
  label: string,
  body: Uint8Array,
): Uint8Array {
  return crypto.ed25519.sign(secretKey, signedMessage(label, body));
}

/** Throws VerificationError `SIGNATURE_INVALID` unless `signature` verifies (exact body bytes). */
export function verifyWith(
  crypto: CryptoBackend,
  publicKey: Uint8Array,
  label: string,
  body: Uint8Array,
  signature: Uint8Array,
  what: string,
): void {
  if (!crypto.ed25519.verify(signature, signedMessage(label, body), publicKey)) {
    throw new VerificationError('SIGNATURE_INVALID', `${what} signature does not verify`);
  }
}

/** Throws VerificationError `IDENTITY_REVOKED` when `key` is in the revocation set. */
export function checkNotRevoked(
  options: VerifyOptions | undefined,
  key: Uint8Array,
  what: string,
): void {
  if (options?.revocations?.isRevoked(key) === true) {
    throw new VerificationError('IDENTITY_REVOKED', `${what} is signed by a revoked identity key`);
  }
}

/** Throws VerificationError `IDENTITY_MISMATCH` when an expected key is given and differs. */
export function checkExpectedKey(
  expected: Uint8Array | undefined,
  actual: Uint8Array,
  what: string,
): void {
  if (expected !== undefined && !equalBytes(expected, actual)) {
    throw new VerificationError(
      'IDENTITY_MISMATCH',
      `${what} is signed by another identity key than expected`,
    );
  }
}

/** Peer id of an identity public key: SHA-256(`p2pe/identity/v1/peer-id` || 0x00 || key). */
export function peerIdOf(identityKey: Uint8Array, options?: CryptoOptions): Uint8Array {
  checkKeyArgument(identityKey, 'identityKey');
  return backendOf(options).hash('SHA256').digest(signedMessage(LABEL_PEER_ID, identityKey));
}

export function checkKeyArgument(key: unknown, name: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== IDENTITY_KEY_LENGTH) {
    const got = key instanceof Uint8Array ? `length=${key.length}` : typeof key;
    throw new ValidationError(
      'INVALID_LENGTH',
      `"${name}" expected Uint8Array of length ${IDENTITY_KEY_LENGTH}, got ${got}`,
    );
  }
}

/**
 * Expiry: valid while `now < expiresAt` (else StateError `codes.expired`), and expiring at most
 * `maxTtlMs` (plus CLOCK_SKEW_MS) from now (else StateError `codes.tooLong`), so a signer cannot
 * make a statement live longer than the limit.
 */
export function checkExpiry(
  now: number,
  expiresAt: number,
  maxTtlMs: number,
  what: string,
  codes: { readonly expired: string; readonly tooLong: string },
): void {
  if (now >= expiresAt) throw new StateError(codes.expired, `${what} has expired`);
  if (expiresAt > now + maxTtlMs + CLOCK_SKEW_MS) {
    throw new StateError(codes.tooLong, `${what} expires further ahead than allowed`);
  }
}

export function checkTtl(ttlMs: number, max: number, name: string): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > max) {
    throw new ValidationError('INVALID_ARGUMENT', `"${name}" expected an integer in [1, ${max}]`);
  }
}

/** A decoded `version` field: only FORMAT_VERSION is known. */
export function checkVersion(version: number, expected: number, what: string): void {
  if (version !== expected) {
    throw new DecodeError(
      'UNSUPPORTED_VERSION',
      `${what} version ${version} is not supported (expected ${expected})`,
    );
  }
}

/** Copies a caller's bytes so later changes to their array cannot change ours. */
export function copy(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A repeated string field: at most `maxCount` values of at most `maxLength` bytes, UTF-8. */
export function repeatedStrings(
  msg: ProtoMessage,
  field: number,
  maxCount: number,
  maxLength: number,
): string[] {
  return msg.repeatedBytes(field, maxCount, { maxLength }).map((b) => {
    try {
      return strictUtf8.decode(b);
    } catch {
      throw new DecodeError('DECODE_INVALID_UTF8', `field ${field} is not valid UTF-8`);
    }
  });
}
