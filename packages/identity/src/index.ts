export {
  type BackupSecret,
  DEFAULT_KDF_LIMITS,
  DEFAULT_PASSPHRASE_KDF,
  generateRecoveryCode,
  type KdfLimits,
  type OpenBackupOptions,
  openBackup,
  openBackupSync,
  type PassphraseKdf,
  SCRYPT_PASSPHRASE_KDF,
  type SealBackupOptions,
  sealBackup,
  TEST_ONLY_WEAK_KDF,
} from './backup';
export { CodeError, type CodeFormatOptions, identityCode, parseIdentityCode } from './code';
export {
  type CreateOptions,
  type CryptoOptions,
  peerIdOf,
  type RevocationChecker,
  type VerifyOptions,
} from './common';
export {
  CLOCK_SKEW_MS,
  CODE_LENGTH,
  DEFAULT_INVITE_TTL_MS,
  DEFAULT_RECORD_TTL_MS,
  DEFAULT_STATIC_KEY_LIFETIME_MS,
  IDENTITY_KEY_LENGTH,
  MAX_INVITE_BYTES,
  MAX_INVITE_TTL_MS,
  MAX_RECORD_BYTES,
  MAX_RECORD_TTL_MS,
  MAX_STATIC_KEY_LIFETIME_MS,
  PEER_ID_LENGTH,
  WORD_COUNT,
} from './constants';
export {
  type CreateIdentityOptions,
  createIdentity,
  decodeIdentity,
  encodeIdentity,
  Identity,
  type IdentityFields,
  identityFromSecret,
  rotateStaticKeys,
  type StaticKeyPair,
} from './identity';
export {
  type CreateInviteOptions,
  createInvite,
  type Invite,
  inviteUri,
  parseInviteUri,
  type VerifiedInvite,
  type VerifyInviteOptions,
  verifyInvite,
} from './invite';
export {
  createRecord,
  isNewerRecord,
  pickStaticKey,
  type RecordContent,
  type VerifiedRecord,
  type VerifyRecordOptions,
  verifyRecord,
} from './record';
export { RevocationList, verifyRevocation } from './revocation';
export { type SasOptions, safetyNumber, safetyNumberHalf, shortAuthString } from './safety';
export {
  type CertifiedStaticKey,
  type StaticKey,
  type VerifyStaticKeyOptions,
  verifyStaticKeyCertificate,
} from './static-key';
export {
  followSuccessions,
  type Succession,
  successionPath,
  type VerifySuccessionOptions,
  verifySuccession,
} from './succession';
export { succeedIdentity } from './successor';
export { identityWords, parseIdentityWords } from './words';
