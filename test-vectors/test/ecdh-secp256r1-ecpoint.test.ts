/**
 * Wycheproof ecdh_secp256r1_ecpoint_test.json (C2SP/wycheproof testvectors_v1, snapshot
 * dac1dd47, Apache-2.0), schema ecdh_ecpoint_test_schema_v1: 355 cases, 330 valid,
 * 1 acceptable, 24 invalid. Public keys are raw SEC1 points.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofEcdhEcpoint } from '../src/formats/ecdh-ecpoint';
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
  file: 'wycheproof/ecdh_secp256r1_ecpoint_test.json',
  format: wycheproofEcdhEcpoint,
  counts: { valid: 330, acceptable: 1, invalid: 24 },
  outputField: 'shared',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('ecdh secp256r1 (ecpoint) specifics', () => {
  it('an off-curve point (InvalidCurveAttack) relabelled valid fails on both backends', () => {
    const json = load(spec);
    const target = findCase(json, (t) => t.flags.includes('InvalidCurveAttack'));
    const small = subset(json, (t) => t.tcId === target.tcId, 1);
    small.testGroups[0]!.tests[0]!.result = 'valid';
    for (const [, backend] of BACKENDS) {
      const report = verifyCounted(wycheproofEcdhEcpoint, jsonFile(small), backend, 1);
      expect(report.failures).toEqual([expect.stringMatching(/rejected: /)]);
    }
  });
});
