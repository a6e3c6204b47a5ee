// Public surface of the Noise Protocol Framework (revision 34) implementation.
export { CipherState, noiseNonce } from './cipher-state';
export {
  NOISE_ERROR_CODES,
  NOISE_KEY_LENGTH,
  NOISE_MAX_MESSAGE_LENGTH,
  NOISE_MAX_NONCE,
  NOISE_PSK_LENGTH,
  NOISE_TAG_LENGTH,
} from './constants';
export {
  type HandshakeOptions,
  HandshakeState,
  type NoiseSplit,
} from './handshake-state';
export {
  applyPskModifier,
  checkPatternValidity,
  DEFERRED_PATTERNS,
  FUNDAMENTAL_PATTERNS,
  HANDSHAKE_PATTERNS,
  handshakePattern,
  type NoiseHandshakePattern,
  type NoiseMessagePattern,
  type NoisePreMessageToken,
  type NoiseRole,
  type NoiseToken,
  ONE_WAY_PATTERNS,
  parsePatternNotation,
} from './patterns';
export {
  NOISE_CIPHER_NAMES,
  NOISE_DH_NAMES,
  NOISE_HASH_NAMES,
  type NoiseProtocol,
  parseProtocolName,
} from './protocol';
export { noiseHkdf, SymmetricState } from './symmetric-state';
