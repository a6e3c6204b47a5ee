/**
 * Wycheproof xchacha20_poly1305_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema aead_test_schema_v1: 315 cases, 246 valid, 69 invalid.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofAead } from '../src/formats/aead';
import {
  BACKENDS,
  HAVE_SHARED_VECTORS,
  jsonFile,
  loadShared,
  subset,
  verifyCounted,
} from './helpers';
import { load, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/xchacha20_poly1305_test.json',
  format: wycheproofAead,
  counts: { valid: 246, acceptable: 0, invalid: 69 },
  outputField: 'tag',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('xchacha20-poly1305 specifics', () => {
  it('a changed ciphertext or AAD in a valid case fails (encrypt and decrypt are both checked)', () => {
    const json = load(spec);
    const small = subset(json, (t) => t.result === 'valid' && t.msg !== '' && t.aad !== '', 2);
    const [a, b] = small.testGroups.flatMap((g) => g.tests);
    a!.ct = `${(a!.ct as string).slice(0, -2)}${(a!.ct as string).endsWith('00') ? '01' : '00'}`;
    b!.aad = `${b!.aad as string}00`;
    for (const [, backend] of BACKENDS) {
      const report = verifyCounted(wycheproofAead, jsonFile(small), backend, 2);
      expect(report.failed).toBe(2);
    }
  });

  it('notes that wrong-size nonces passed only by being refused for their size', () => {
    const report = wycheproofAead.verify(loadShared(spec.file), BACKENDS[0]![1]);
    expect(report.notes).toEqual([
      expect.stringMatching(
        /^9 cases that must be refused passed only because our API refuses their parameters/,
      ),
    ]);
  });
});
