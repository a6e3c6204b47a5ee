import type { AeadName, CryptoBackend, DhName, HashName } from '@p2pe/crypto';
import { ValidationError } from '@p2pe/transport-interfaces';
import { NOISE_ERROR_CODES } from './constants';
import { handshakePattern, type NoiseHandshakePattern } from './patterns';

/**
 * DH functions of §12.1 (`25519`) and §12.2 (`448`); `P256` is our documented extension (65-byte
 * uncompressed points).
 */
export const NOISE_DH_NAMES: readonly DhName[] = Object.freeze(['25519', '448', 'P256']);
/**
 * Ciphers of §12.3 (`ChaChaPoly`) and §12.4 (`AESGCM`); `XChaChaPoly` is an extension (24-byte
 * nonce: 16 zero bytes || LE64 n).
 */
export const NOISE_CIPHER_NAMES: readonly AeadName[] = Object.freeze([
  'ChaChaPoly',
  'AESGCM',
  'XChaChaPoly',
]);
/** Hash functions of §12.5-§12.8. */
export const NOISE_HASH_NAMES: readonly HashName[] = Object.freeze([
  'SHA256',
  'SHA512',
  'BLAKE2b',
  'BLAKE2s',
]);

/** A parsed protocol name (§8): `Noise_<pattern>_<dh>_<cipher>_<hash>`. */
export interface NoiseProtocol {
  readonly name: string;
  readonly pattern: NoiseHandshakePattern;
  readonly dh: DhName;
  readonly cipher: AeadName;
  readonly hash: HashName;
}

/** §8: "The resulting name must be 255 bytes or less." */
const MAX_PROTOCOL_NAME_LENGTH = 255;

function oneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/**
 * Parses a protocol name (§8), e.g. `Noise_XXpsk3_25519_ChaChaPoly_BLAKE2s`. Throws
 * NOISE_INVALID_PROTOCOL_NAME for a malformed name, NOISE_UNSUPPORTED_PATTERN for a pattern or
 * modifier we do not run, NOISE_UNSUPPORTED_ALGORITHM for an unknown DH, cipher or hash name.
 */
export function parseProtocolName(name: string): NoiseProtocol {
  if (typeof name !== 'string' || name.length > MAX_PROTOCOL_NAME_LENGTH) {
    throw new ValidationError(
      NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME,
      `"protocolName" expected a string of at most ${MAX_PROTOCOL_NAME_LENGTH} characters`,
    );
  }
  // §8: "Noise_" and four underscore-separated sections, each "only of alphanumeric characters
  // ... and the two special characters '+' and '/'" (so the name is ASCII, hashed as bytes).
  const parts = name.split('_');
  const wellFormed =
    parts.length === 5 &&
    parts[0] === 'Noise' &&
    parts.every((part) => part !== '') &&
    /^[A-Za-z0-9+/_]+$/.test(name);
  if (!wellFormed) {
    throw new ValidationError(
      NOISE_ERROR_CODES.INVALID_PROTOCOL_NAME,
      `protocol name is not Noise_<pattern>_<dh>_<cipher>_<hash> (length ${name.length})`,
    );
  }
  const [, patternName, dh, cipher, hash] = parts as [string, string, string, string, string];
  const pattern = handshakePattern(patternName);
  const unknown = (kind: string, value: string): ValidationError =>
    new ValidationError(
      NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM,
      `unsupported ${kind} function (name length ${value.length})`,
    );
  if (!oneOf(NOISE_DH_NAMES, dh)) throw unknown('DH', dh);
  if (!oneOf(NOISE_CIPHER_NAMES, cipher)) throw unknown('cipher', cipher);
  if (!oneOf(NOISE_HASH_NAMES, hash)) throw unknown('hash', hash);
  return Object.freeze({ name, pattern, dh, cipher, hash });
}

/** The suites of a protocol from a backend (throws NOISE_UNSUPPORTED_ALGORITHM if it lacks one). */
export function protocolSuites(protocol: NoiseProtocol, backend: CryptoBackend) {
  try {
    return {
      dh: backend.dh(protocol.dh),
      aead: backend.aead(protocol.cipher),
      hash: backend.hash(protocol.hash),
    };
  } catch (cause) {
    throw new ValidationError(
      NOISE_ERROR_CODES.UNSUPPORTED_ALGORITHM,
      `backend ${backend.name} lacks a primitive of this protocol`,
      { cause },
    );
  }
}
