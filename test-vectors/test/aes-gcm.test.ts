/**
 * Wycheproof aes_gcm_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47, Apache-2.0),
 * schema aead_test_schema_v1: 316 cases, 229 valid, 87 invalid, over 128/192/256-bit keys and
 * nonces of 0 to 2056 bits.
 *
 * The runner checks these through `backend.aesGcm(keyLength)`: 128/192/256-bit keys and IVs of
 * 64 to 8192 bits (both backends refuse IVs under 64 bits, as noble does on purpose; SP 800-38D
 * §8.2 lets an implementation restrict IV lengths). Cases outside that are still handed to it;
 * the ones it refuses for their sizes are counted as: invalid → passed (refused, noted as refused
 * for its sizes rather than for its tag), valid → skipped (noted). Those counts are computed here
 * from the file, independently of the runner.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofAead } from '../src/formats/aead';
import {
  allCases,
  BACKENDS,
  type Case,
  HAVE_SHARED_VECTORS,
  isolate,
  jsonFile,
  loadShared,
  verifyCounted,
  type Wycheproof,
} from './helpers';
import { load, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const fits = (t: Case) => (t.iv as string).length >= 16 && (t.iv as string).length <= 2048;

const outsideApi = (json: Wycheproof, result: string) =>
  allCases(json).filter(({ test }) => test.result === result && !fits(test)).length;

const spec: WycheproofFileSpec = {
  file: 'wycheproof/aes_gcm_test.json',
  format: wycheproofAead,
  counts: { valid: 229, acceptable: 0, invalid: 87 },
  outputField: 'tag',
  supported: fits,
  expectedSkipped: (json) => outsideApi(json, 'valid'),
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('aes-gcm cases outside the IV lengths our API takes', () => {
  it('skips exactly the valid cases with IVs under 64 bits, and says why', () => {
    const file = loadShared(spec.file);
    const json = file.json as Wycheproof;
    expect(outsideApi(json, 'valid')).toBe(24);
    for (const [, backend] of BACKENDS) {
      const report = wycheproofAead.verify(file, backend);
      expect(report.skipped).toBe(24);
      expect(report.passed).toBe(316 - 24);
      expect(report.notes).toContainEqual(
        expect.stringMatching(
          /^24 valid cases skipped, our API cannot express them: aesGcm takes 128\/192\/256-bit keys, 64- to 8192-bit nonces/,
        ),
      );
      expect(report.notes).toContainEqual(
        expect.stringMatching(
          /^6 cases that must be refused passed only because our API refuses their parameters/,
        ),
      );
    }
  });

  it('a valid case with a short IV and a broken tag is skipped, never passed', () => {
    // Valid case with a 32-bit IV: whatever its tag, the API refuses the IV, so it is
    // skipped, never passed.
    const { small } = isolate(
      load(spec),
      (t) => t.result === 'valid' && (t.iv as string).length === 8,
    );
    small.testGroups[0]!.tests[0]!.tag = '00'.repeat(16);
    const report = verifyCounted(wycheproofAead, jsonFile(small), BACKENDS[0]![1], 1);
    expect(report).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
  });

  it('an AES-128 case with a 2056-bit IV is checked in full, on both backends', () => {
    const { small } = isolate(
      load(spec),
      (t) =>
        t.result === 'valid' && (t.key as string).length === 32 && (t.iv as string).length === 514,
    );
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofAead, jsonFile(small), backend, 1).passed).toBe(1);
    }
    small.testGroups[0]!.tests[0]!.tag = '00'.repeat(16);
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofAead, jsonFile(small), backend, 1).failed).toBe(1);
    }
  });

  it('a zero-length nonce with a 256-bit key is refused (ZeroLengthIv)', () => {
    const { small } = isolate(
      load(spec),
      (t) => t.flags.includes('ZeroLengthIv') && (t.key as string).length === 64,
    );
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofAead, jsonFile(small), backend, 1).passed).toBe(1);
    }
  });
});
