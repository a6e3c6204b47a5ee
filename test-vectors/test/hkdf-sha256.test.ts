/**
 * Wycheproof hkdf_sha256_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema hkdf_test_schema_v1: 86 cases, 83 valid, 3 invalid (size over 255·HashLen).
 */
import { describe, expect, it } from 'vitest';
import { wycheproofHkdf } from '../src/formats/hkdf';
import {
  BACKENDS,
  findCase,
  HAVE_SHARED_VECTORS,
  jsonFile,
  subset,
  verifyCounted,
} from './helpers';
import { load, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/hkdf_sha256_test.json',
  format: wycheproofHkdf,
  counts: { valid: 83, acceptable: 0, invalid: 3 },
  outputField: 'okm',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('hkdf-sha256 specifics', () => {
  it('asking for one byte less than the vector gives a failure, not a prefix match', () => {
    const json = load(spec);
    const target = findCase(json, (t) => t.result === 'valid' && (t.size as number) > 1);
    const small = subset(json, (t) => t.tcId === target.tcId, 1);
    small.testGroups[0]!.tests[0]!.size = (target.size as number) - 1;
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofHkdf, jsonFile(small), backend, 1).failed).toBe(1);
    }
  });

  it('an output size over 255·HashLen is refused (SizeTooLarge)', () => {
    const json = load(spec);
    const target = findCase(json, (t) => t.flags.includes('SizeTooLarge'));
    const small = subset(json, (t) => t.tcId === target.tcId, 1);
    small.testGroups[0]!.tests[0]!.result = 'valid';
    for (const [, backend] of BACKENDS) {
      const report = verifyCounted(wycheproofHkdf, jsonFile(small), backend, 1);
      expect(report.failures).toEqual([expect.stringMatching(/rejected: /)]);
    }
  });
});
