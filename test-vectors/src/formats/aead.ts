/**
 * Wycheproof `aead_test_schema_v1` (type AeadTest) for ChaCha20-Poly1305 (RFC 8439 §2.8),
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2) and AES-GCM (NIST SP 800-38D).
 *
 * A valid case must encrypt to exactly ct||tag and decrypt back to msg; an invalid case must not
 * decrypt. ChaCha20-Poly1305 and XChaCha20-Poly1305 run through their suites (one key and
 * nonce size each); AES-GCM runs through `backend.aesGcm(keyLength)`, which takes every AES key
 * size and IVs of 8 to 1024 bytes. Cases with sizes outside what our API takes are still run: if
 * it refuses the parameters, an invalid case passes (the note says it was refused for its
 * parameters, not for its tag) and a valid case is skipped with its reason. Nothing is computed
 * outside our crypto package.
 */
import { type AeadName, type CryptoBackend, equalBytes } from '@p2pe/crypto';
import { concatBytes } from '@p2pe/transport-interfaces';
import type { VectorFormat } from '../format';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  wycheproofFormat,
} from './wycheproof';

const ALGORITHMS: Readonly<Record<string, AeadName>> = {
  'CHACHA20-POLY1305': 'ChaChaPoly',
  'XCHACHA20-POLY1305': 'XChaChaPoly',
  'AES-GCM': 'AESGCM',
};

/** The AEAD files have no `acceptable` case; a new flag would fail until a rule is written. */
export const AEAD_RULES: FlagRules = {};

/** What a case runs through: an AEAD and the sizes it takes. */
interface CaseCipher {
  /** e.g. `ChaChaPoly takes a 256-bit key, 96-bit nonce, 128-bit tag`. */
  readonly shape: string;
  /** The case's sizes the cipher does not take, e.g. `['128-bit key', '64-bit nonce']`. */
  unsupported(key: Uint8Array, iv: Uint8Array, tag: Uint8Array): string[] | undefined;
  encrypt(key: Uint8Array, iv: Uint8Array, msg: Uint8Array, aad: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
}

const bits = (bytes: number): number => bytes * 8;

function sizeProblems(
  key: Uint8Array,
  iv: Uint8Array,
  tag: Uint8Array,
  keyOk: boolean,
  ivOk: boolean,
  tagLength: number,
): string[] | undefined {
  const parts: string[] = [];
  if (!keyOk) parts.push(`${bits(key.length)}-bit key`);
  if (!ivOk) parts.push(`${bits(iv.length)}-bit nonce`);
  if (tag.length !== tagLength) parts.push(`${bits(tag.length)}-bit tag`);
  return parts.length === 0 ? undefined : parts;
}

function suiteCipher(backend: CryptoBackend, name: AeadName): CaseCipher {
  const suite = backend.aead(name);
  return {
    shape:
      `${suite.name} takes a ${bits(suite.keyLength)}-bit key, ${bits(suite.nonceLength)}-bit nonce, ` +
      `${bits(suite.tagLength)}-bit tag`,
    unsupported: (key, iv, tag) =>
      sizeProblems(
        key,
        iv,
        tag,
        key.length === suite.keyLength,
        iv.length === suite.nonceLength,
        suite.tagLength,
      ),
    encrypt: (key, iv, msg, aad) => suite.encrypt(key, iv, msg, aad),
    decrypt: (key, iv, sealed, aad) => suite.decrypt(key, iv, sealed, aad),
  };
}

function gcmCipher(backend: CryptoBackend): CaseCipher {
  const pick = (key: Uint8Array) => backend.aesGcm(key.length as 16 | 24 | 32);
  const sample = backend.aesGcm(32);
  return {
    shape:
      `aesGcm takes 128/192/256-bit keys, ${bits(sample.minNonceLength)}- to ` +
      `${bits(sample.maxNonceLength)}-bit nonces (SP 800-38D §8.2 lets an implementation restrict ` +
      `IV lengths; noble refuses IVs under 64 bits), ${bits(sample.tagLength)}-bit tags`,
    unsupported: (key, iv, tag) =>
      sizeProblems(
        key,
        iv,
        tag,
        [16, 24, 32].includes(key.length),
        iv.length >= sample.minNonceLength && iv.length <= sample.maxNonceLength,
        sample.tagLength,
      ),
    encrypt: (key, iv, msg, aad) => pick(key).encrypt(key, iv, msg, aad),
    decrypt: (key, iv, sealed, aad) => pick(key).decrypt(key, iv, sealed, aad),
  };
}

function runAeadCase(
  cipher: CaseCipher,
  test: Record<string, unknown>,
  valid: boolean,
): CaseOutcome {
  const key = hexField(test, 'key');
  const iv = hexField(test, 'iv');
  const aad = hexField(test, 'aad');
  const msg = hexField(test, 'msg');
  const ct = hexField(test, 'ct');
  const tag = hexField(test, 'tag');
  const sealed = concatBytes(ct, tag);
  const unsupported = cipher.unsupported(key, iv, tag);
  const refused = (reason: string): CaseOutcome =>
    unsupported !== undefined
      ? { kind: 'unsupported', reason: cipher.shape, parameters: unsupported }
      : { kind: 'rejected', reason };

  const opened = attempt(() => cipher.decrypt(key, iv, sealed, aad));
  if (!opened.ok) return refused(`decrypt: ${opened.reason}`);
  if (!valid)
    return { kind: 'accepted', matches: equalBytes(opened.value, msg), detail: 'decrypt' };
  const encrypted = attempt(() => cipher.encrypt(key, iv, msg, aad));
  if (!encrypted.ok) return refused(`encrypt: ${encrypted.reason}`);
  if (!equalBytes(encrypted.value, sealed)) {
    return { kind: 'accepted', matches: false, detail: 'encrypt gave a different ct||tag' };
  }
  if (!equalBytes(opened.value, msg)) {
    return { kind: 'accepted', matches: false, detail: 'decrypt gave a different plaintext' };
  }
  return { kind: 'accepted', matches: true };
}

export const wycheproofAead: VectorFormat = wycheproofFormat({
  name: 'wycheproof-aead',
  schema: 'aead_test_schema_v1',
  algorithms: Object.keys(ALGORITHMS),
  fileType: 'AeadTest file',
  rules: AEAD_RULES,
  caseRunner(file, backend) {
    const name = ALGORITHMS[file.algorithm]!;
    const cipher = name === 'AESGCM' ? gcmCipher(backend) : suiteCipher(backend, name);
    return (_group, test) => runAeadCase(cipher, test, test.result === 'valid');
  },
});
