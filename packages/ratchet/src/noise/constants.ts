/**
 * Limits and sizes of the Noise Protocol Framework (revision 34), each with the section that
 * fixes it. Nothing here is configurable: changing any value breaks interoperability.
 */

/** §3: every Noise message (handshake or transport) is at most 65535 bytes. */
export const NOISE_MAX_MESSAGE_LENGTH = 65535;

/** §5.1, §12: cipher keys are 32 bytes for every cipher the spec defines. */
export const NOISE_KEY_LENGTH = 32;

/** §5.1, §12: every AEAD the spec defines appends a 16-byte tag. */
export const NOISE_TAG_LENGTH = 16;

/** §9.1: a pre-shared symmetric key is 32 bytes. */
export const NOISE_PSK_LENGTH = 32;

/**
 * §5.1: nonce 2^64-1 is reserved (REKEY uses it, §4.2), so a CipherState refuses to encrypt or
 * decrypt once n reaches it.
 */
export const NOISE_MAX_NONCE = 2n ** 64n - 1n;

/** Stable codes of every error the Noise code throws (branch on these, not on the text). */
export const NOISE_ERROR_CODES = Object.freeze({
  /** The protocol name is not `Noise_<pattern>_<dh>_<cipher>_<hash>` (§8). */
  INVALID_PROTOCOL_NAME: 'NOISE_INVALID_PROTOCOL_NAME',
  /** A pattern or modifier we do not implement (e.g. `fallback`, §10.2) or that is invalid. */
  UNSUPPORTED_PATTERN: 'NOISE_UNSUPPORTED_PATTERN',
  /** A DH, cipher or hash name the backend does not offer. */
  UNSUPPORTED_ALGORITHM: 'NOISE_UNSUPPORTED_ALGORITHM',
  /** A key the pattern needs was not given (static, remote static, psk). */
  MISSING_KEY: 'NOISE_MISSING_KEY',
  /** A key was given that the pattern will receive in a message (remote static of XX, say). */
  UNEXPECTED_KEY: 'NOISE_UNEXPECTED_KEY',
  /** A psk that is not 32 bytes, or more psks than the pattern has psk tokens (§9). */
  BAD_PSK: 'NOISE_BAD_PSK',
  /** writeMessage when it is the peer's turn, readMessage when it is ours, or after the end. */
  WRONG_TURN: 'NOISE_WRONG_TURN',
  /** split() before the last handshake message, or a second time. */
  NOT_FINISHED: 'NOISE_HANDSHAKE_NOT_FINISHED',
  ALREADY_SPLIT: 'NOISE_ALREADY_SPLIT',
  /** A received message is too short for its tokens, or longer than 65535 bytes (§3). */
  BAD_MESSAGE_LENGTH: 'NOISE_BAD_MESSAGE_LENGTH',
  /** A message to send would exceed 65535 bytes (§3). */
  MESSAGE_TOO_LARGE: 'NOISE_MESSAGE_TOO_LARGE',
  /** The AEAD tag did not verify (the AEAD's VerificationError is the `cause`). */
  DECRYPT_FAILED: 'NOISE_DECRYPT_FAILED',
  /** A received public key the DH function refuses (small order, off the curve). */
  BAD_PUBLIC_KEY: 'NOISE_BAD_PUBLIC_KEY',
  /** The CipherState's nonce reached 2^64-1 (§5.1). */
  NONCE_EXHAUSTED: 'NOISE_NONCE_EXHAUSTED',
  /** A CipherState of a one-way pattern's unused direction, or without a key where one is needed. */
  NO_KEY: 'NOISE_NO_KEY',
});
