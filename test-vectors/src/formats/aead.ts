/**
 * Wycheproof `aead_test_schema_v1` (type AeadTest) for ChaCha20-Poly1305 (RFC 8439 §2.8),
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2) and AES-GCM (NIST SP 800-38D).
 *
 * A valid case must encrypt to exactly ct||tag and decrypt back to msg; an invalid case must not
 * decrypt. Our AEAD suites take one key size and one nonce size each (AESGCM: 32-byte key,
 * 12-byte nonce, as Noise §12.3 uses it). Cases with other sizes are still run through the suite:
 * if the suite refuses the parameters, an invalid case passes (it was refused; the note says it
 * was refused for its parameters, not for its tag) and a valid case is skipped with its reason.
 * Nothing is computed outside our crypto package.
 */
import { type AeadName, type AeadSuite, equalBytes } from '@p2pe/crypto';
import { concatBytes, DecodeError } from '@p2pe/transport-interfaces';
import type { VectorFormat } from '../format';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  isWycheproof,
  runWycheproof,
  type WycheproofFile,
} from './wycheproof';

const ALGORITHMS: Readonly<Record<string, AeadName>> = {
  'CHACHA20-POLY1305': 'ChaChaPoly',
  'XCHACHA20-POLY1305': 'XChaChaPoly',
  'AES-GCM': 'AESGCM',
};

/** The AEAD files have no `acceptable` case; a new flag would fail until a rule is written. */
export const AEAD_RULES: FlagRules = {};

/** The case's sizes that differ from the suite's, e.g. `['128-bit key', '64-bit nonce']`. */
function unsupportedParameters(
  suite: AeadSuite,
  key: Uint8Array,
  iv: Uint8Array,
  tag: Uint8Array,
): string[] | undefined {
  const parts: string[] = [];
  if (key.length !== suite.keyLength) parts.push(`${key.length * 8}-bit key`);
  if (iv.length !== suite.nonceLength) parts.push(`${iv.length * 8}-bit nonce`);
  if (tag.length !== suite.tagLength) parts.push(`${tag.length * 8}-bit tag`);
  return parts.length === 0 ? undefined : parts;
}

const suiteShape = (suite: AeadSuite) =>
  `${suite.name} takes a ${suite.keyLength * 8}-bit key, ${suite.nonceLength * 8}-bit nonce, ` +
  `${suite.tagLength * 8}-bit tag`;

function runAeadCase(suite: AeadSuite, test: Record<string, unknown>, valid: boolean): CaseOutcome {
  const key = hexField(test, 'key');
  const iv = hexField(test, 'iv');
  const aad = hexField(test, 'aad');
  const msg = hexField(test, 'msg');
  const ct = hexField(test, 'ct');
  const tag = hexField(test, 'tag');
  const sealed = concatBytes(ct, tag);
  const unsupported = unsupportedParameters(suite, key, iv, tag);
  const refused = (reason: string): CaseOutcome =>
    unsupported !== undefined
      ? { kind: 'unsupported', reason: suiteShape(suite), parameters: unsupported }
      : { kind: 'rejected', reason };

  const opened = attempt(() => suite.decrypt(key, iv, sealed, aad));
  if (!opened.ok) return refused(`decrypt: ${opened.reason}`);
  if (!valid)
    return { kind: 'accepted', matches: equalBytes(opened.value, msg), detail: 'decrypt' };
  const encrypted = attempt(() => suite.encrypt(key, iv, msg, aad));
  if (!encrypted.ok) return refused(`encrypt: ${encrypted.reason}`);
  if (!equalBytes(encrypted.value, sealed)) {
    return { kind: 'accepted', matches: false, detail: 'encrypt gave a different ct||tag' };
  }
  if (!equalBytes(opened.value, msg)) {
    return { kind: 'accepted', matches: false, detail: 'decrypt gave a different plaintext' };
  }
  return { kind: 'accepted', matches: true };
}

const detect = (json: unknown): json is WycheproofFile =>
  isWycheproof(json, 'aead_test_schema_v1', Object.keys(ALGORITHMS));

export const wycheproofAead: VectorFormat = {
  name: 'wycheproof-aead',
  detect: (file) => detect(file.json),
  verify(file, backend) {
    const json = file.json;
    if (!detect(json))
      throw new DecodeError('VECTOR_FILE_MALFORMED', 'not a Wycheproof AeadTest file');
    const suite = backend.aead(ALGORITHMS[json.algorithm]!);
    return runWycheproof(json, {
      rules: AEAD_RULES,
      runCase: (_group, test) => runAeadCase(suite, test, test.result === 'valid'),
    });
  },
};
