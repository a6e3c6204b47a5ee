/**
 * Wycheproof ed25519_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47, Apache-2.0),
 * schema eddsa_verify_schema_v1: 151 cases, 88 valid, 63 invalid.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofEddsa } from '../src/formats/eddsa';
import { BACKENDS, HAVE_SHARED_VECTORS, jsonFile, subset, verifyCounted } from './helpers';
import {
  expectRefusedWhenValid,
  load,
  type WycheproofFileSpec,
  wycheproofChecks,
} from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/ed25519_test.json',
  format: wycheproofEddsa,
  counts: { valid: 88, acceptable: 0, invalid: 63 },
  outputField: 'sig',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('ed25519 specifics', () => {
  it('a malleable signature (S + L) is refused on both backends', () => {
    expectRefusedWhenValid(
      spec,
      (t) => t.flags.includes('SignatureMalleability'),
      /rejected: verify returned false/,
    );
  });

  it('a signature checked under another group key fails', () => {
    const json = load(spec);
    const small = subset(json, (t) => t.result === 'valid', 3);
    const keyOf = (g: (typeof json.testGroups)[number]) => JSON.stringify(g.publicKey);
    const own = keyOf(small.testGroups[0]!);
    const other = json.testGroups.find((g) => keyOf(g) !== own);
    expect(other).toBeDefined();
    small.testGroups[0]!.publicKey = structuredClone(other!.publicKey);
    expect(keyOf(small.testGroups[0]!)).not.toBe(own);
    const report = verifyCounted(wycheproofEddsa, jsonFile(small), BACKENDS[0]![1], 3);
    expect(report.failed).toBe(3);
  });
});
