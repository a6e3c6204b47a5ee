/**
 * Wycheproof ecdh_secp256r1_ecpoint_test.json (C2SP/wycheproof testvectors_v1, snapshot
 * dac1dd47, Apache-2.0), schema ecdh_ecpoint_test_schema_v1: 355 cases, 330 valid,
 * 1 acceptable, 24 invalid. Public keys are raw SEC1 points.
 */
import { describe, it } from 'vitest';
import { wycheproofEcdhEcpoint } from '../src/formats/ecdh-ecpoint';
import { HAVE_SHARED_VECTORS } from './helpers';
import {
  expectRefusedWhenValid,
  type WycheproofFileSpec,
  wycheproofChecks,
} from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/ecdh_secp256r1_ecpoint_test.json',
  format: wycheproofEcdhEcpoint,
  counts: { valid: 330, acceptable: 1, invalid: 24 },
  outputField: 'shared',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('ecdh secp256r1 (ecpoint) specifics', () => {
  it('an off-curve point (InvalidCurveAttack) relabelled valid fails on both backends', () => {
    expectRefusedWhenValid(spec, (t) => t.flags.includes('InvalidCurveAttack'), /rejected: /);
  });
});
