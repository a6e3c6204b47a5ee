/**
 * Wycheproof `hkdf_test_schema_v1` (type HkdfTest) for HKDF-SHA-256 and HKDF-SHA-512 (RFC 5869).
 * A valid case must give `okm` through `hkdf()` and through `hkdfExpand(hkdfExtract())`, and an
 * empty salt must give the same as no salt (RFC 5869 §2.2: absent salt is HashLen zeros, which
 * HMAC pads an empty key to). An invalid case (`size` over 255·HashLen, §2.3) must be refused by
 * both `hkdf()` and `hkdfExpand()`.
 */
import { equalBytes, type HashName, type HashSuite } from '@p2pe/crypto';
import type { VectorFormat } from '../format';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  intField,
  wycheproofFormat,
} from './wycheproof';

const ALGORITHMS: Readonly<Record<string, HashName>> = {
  'HKDF-SHA-256': 'SHA256',
  'HKDF-SHA-512': 'SHA512',
};

/** The HKDF files have no `acceptable` case; a new flag would fail until a rule is written. */
export const HKDF_RULES: FlagRules = {};

function runHkdfCase(suite: HashSuite, test: Record<string, unknown>): CaseOutcome {
  const ikm = hexField(test, 'ikm');
  const salt = hexField(test, 'salt');
  const info = hexField(test, 'info');
  const size = intField(test, 'size');
  const okm = hexField(test, 'okm');
  const whole = attempt(() => suite.hkdf(ikm, salt, info, size));
  const split = attempt(() => suite.hkdfExpand(suite.hkdfExtract(ikm, salt), info, size));
  if (!whole.ok && !split.ok) return { kind: 'rejected', reason: whole.reason };
  if (!whole.ok)
    return { kind: 'broken', reason: `hkdf refused (${whole.reason}) what extract+expand took` };
  if (!split.ok)
    return { kind: 'broken', reason: `extract+expand refused (${split.reason}) what hkdf took` };
  if (!equalBytes(whole.value, okm)) return { kind: 'accepted', matches: false, detail: 'hkdf' };
  if (!equalBytes(split.value, okm))
    return { kind: 'accepted', matches: false, detail: 'extract+expand' };
  if (salt.length === 0) {
    const noSalt = attempt(() => suite.hkdf(ikm, undefined, info, size));
    if (!noSalt.ok || !equalBytes(noSalt.value, okm)) {
      return { kind: 'accepted', matches: false, detail: 'absent salt differs from empty salt' };
    }
  }
  return { kind: 'accepted', matches: true };
}

export const wycheproofHkdf: VectorFormat = wycheproofFormat({
  name: 'wycheproof-hkdf',
  schema: 'hkdf_test_schema_v1',
  algorithms: Object.keys(ALGORITHMS),
  fileType: 'HkdfTest file',
  rules: HKDF_RULES,
  caseRunner(file, backend) {
    const suite = backend.hash(ALGORITHMS[file.algorithm]!);
    return (_group, test) => runHkdfCase(suite, test);
  },
});
