/**
 * Wycheproof x448_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47, Apache-2.0),
 * schema xdh_comp_schema_v1: 510 cases, 253 valid, 245 acceptable, 12 invalid (57-byte keys).
 */
import { describe, expect, it } from 'vitest';
import { wycheproofXdh } from '../src/formats/xdh';
import { BACKENDS, HAVE_SHARED_VECTORS, isolate, jsonFile, verifyCounted } from './helpers';
import {
  expectRefusedWhenValid,
  load,
  type WycheproofFileSpec,
  wycheproofChecks,
} from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/x448_test.json',
  format: wycheproofXdh,
  counts: { valid: 253, acceptable: 245, invalid: 12 },
  outputField: 'shared',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('x448 specifics', () => {
  it('a low-order public key with a non-zero result is computed, not refused', () => {
    const { small } = isolate(
      load(spec),
      (t) => t.flags.includes('LowOrderPublic') && !t.flags.includes('ZeroSharedSecret'),
    );
    for (const [, backend] of BACKENDS) {
      const report = verifyCounted(wycheproofXdh, jsonFile(small), backend, 1);
      expect(report.passed).toBe(1);
      expect(report.notes.join()).toMatch(/1 cases: 1 accepted, 0 rejected/);
    }
  });

  it('a 57-byte public key (PublicKeyTooLong) is refused', () => {
    expectRefusedWhenValid(
      spec,
      (t) => t.flags.includes('PublicKeyTooLong'),
      /rejected: INVALID_LENGTH/,
    );
  });
});
