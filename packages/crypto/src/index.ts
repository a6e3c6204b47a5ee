export type {
  AeadName,
  AeadSuite,
  CryptoBackend,
  DhName,
  DhSuite,
  HashName,
  HashSuite,
  KeyPair,
  SignatureSuite,
} from './types';
export { AEAD_NAMES, DH_NAMES, HASH_NAMES, TEST_DRBG_LABEL } from './constants';
export { equalBytes } from './bytes';
export { deterministicRandomForTestsOnly } from './drbg';
export { nobleBackend } from './noble';
