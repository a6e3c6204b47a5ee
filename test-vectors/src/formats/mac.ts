/**
 * Wycheproof `mac_test_schema_v1` (type MacTest) for HMAC-SHA256 and HMAC-SHA512 (RFC 2104),
 * including truncated tags (RFC 2104 §5: the leftmost `tagSize` bits). The tag is computed with
 * our hash suite's `hmac`, truncated to the group's `tagSize`, and compared with `equalBytes`; a
 * tag of any other length is refused.
 */
import { equalBytes, type HashName, type HashSuite } from '@p2pe/crypto';
import type { VectorFormat } from '../format';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  intField,
  MalformedCaseError,
  wycheproofFormat,
} from './wycheproof';

const ALGORITHMS: Readonly<Record<string, HashName>> = {
  HMACSHA256: 'SHA256',
  HMACSHA512: 'SHA512',
};

/** The HMAC files have no `acceptable` case; a new flag would fail until a rule is written. */
export const MAC_RULES: FlagRules = {};

function runMacCase(suite: HashSuite, tagBits: number, test: Record<string, unknown>): CaseOutcome {
  if (tagBits === 0 || tagBits % 8 !== 0 || tagBits > suite.outputLength * 8) {
    throw new MalformedCaseError(
      `tagSize ${tagBits} is not a whole number of bytes up to ${suite.outputLength}`,
    );
  }
  const key = hexField(test, 'key');
  const msg = hexField(test, 'msg');
  const tag = hexField(test, 'tag');
  const full = attempt(() => suite.hmac(key, msg));
  if (!full.ok) return { kind: 'rejected', reason: full.reason };
  if (tag.length * 8 !== tagBits)
    return { kind: 'rejected', reason: `tag of ${tag.length} bytes, expected ${tagBits / 8}` };
  return equalBytes(full.value.subarray(0, tagBits / 8), tag)
    ? { kind: 'accepted', matches: true }
    : { kind: 'rejected', reason: 'tag differs' };
}

export const wycheproofMac: VectorFormat = wycheproofFormat({
  name: 'wycheproof-mac',
  schema: 'mac_test_schema_v1',
  algorithms: Object.keys(ALGORITHMS),
  fileType: 'MacTest file',
  rules: MAC_RULES,
  caseRunner(file, backend) {
    const suite = backend.hash(ALGORITHMS[file.algorithm]!);
    return (group, test) => runMacCase(suite, intField(group, 'tagSize'), test);
  },
});
