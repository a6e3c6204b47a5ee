export { equalBytes } from './bytes';
export { AEAD_NAMES, DH_NAMES, HASH_NAMES, TEST_DRBG_LABEL } from './constants';
export { deterministicRandomForTestsOnly } from './drbg';
export { nobleBackend } from './noble';
export type {
  AeadName,
  AeadSuite,
  CryptoBackend,
  DhName,
  DhSuite,
  GcmCipher,
  HashName,
  HashSuite,
  KeyPair,
  SignatureSuite,
} from './types';
