/**
 * Wycheproof aes_gcm_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47, Apache-2.0),
 * schema aead_test_schema_v1: 316 cases, 229 valid, 87 invalid, over 128/192/256-bit keys and
 * nonces of 0 to 2056 bits.
 *
 * Our AESGCM suite is AES-256-GCM with a 96-bit nonce (Noise §12.3), and our crypto package has
 * no other AES-GCM entry point. The runner still hands every case to the suite; the ones it
 * refuses for their sizes are counted as: invalid → passed (refused, noted as refused for its
 * sizes rather than for its tag), valid → skipped (noted). Those counts are computed here from
 * the file, independently of the runner.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofAead } from '../src/formats/aead';
import {
  allCases,
  BACKENDS,
  type Case,
  findCase,
  HAVE_SHARED_VECTORS,
  jsonFile,
  loadShared,
  subset,
  verifyCounted,
  type Wycheproof,
} from './helpers';
import { load, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const fits = (t: Case) => (t.key as string).length === 64 && (t.iv as string).length === 24;

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

describe.skipIf(!HAVE_SHARED_VECTORS)(
  'aes-gcm cases outside our AES-256-GCM/96-bit-nonce suite',
  () => {
    it('skips exactly the valid cases with other key or nonce sizes, and says why', () => {
      const file = loadShared(spec.file);
      const json = file.json as Wycheproof;
      expect(outsideApi(json, 'valid')).toBe(190);
      for (const [, backend] of BACKENDS) {
        const report = wycheproofAead.verify(file, backend);
        expect(report.skipped).toBe(190);
        expect(report.passed).toBe(316 - 190);
        expect(report.notes).toContainEqual(
          expect.stringMatching(
            /^190 valid cases skipped, our API cannot express them: AESGCM takes a 256-bit key, 96-bit nonce/,
          ),
        );
        expect(report.notes).toContainEqual(
          expect.stringMatching(
            /^60 cases that must be refused passed only because our API refuses their parameters/,
          ),
        );
      }
    });

    it('an AES-128 case with a broken tag is not counted as a pass for its tag', () => {
      // Valid case with a 128-bit key: whatever its tag, the suite refuses the key, so it is
      // skipped, never passed.
      const json = load(spec);
      const target = findCase(json, (t) => t.result === 'valid' && (t.key as string).length === 32);
      const small = subset(json, (t) => t.tcId === target.tcId, 1);
      small.testGroups[0]!.tests[0]!.tag = '00'.repeat(16);
      const report = verifyCounted(wycheproofAead, jsonFile(small), BACKENDS[0]![1], 1);
      expect(report).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    });

    it('a zero-length nonce with a 256-bit key is refused (ZeroLengthIv)', () => {
      const json = load(spec);
      const target = findCase(
        json,
        (t) => t.flags.includes('ZeroLengthIv') && (t.key as string).length === 64,
      );
      const small = subset(json, (t) => t.tcId === target.tcId, 1);
      for (const [, backend] of BACKENDS) {
        expect(verifyCounted(wycheproofAead, jsonFile(small), backend, 1).passed).toBe(1);
      }
    });
  },
);
