/**
 * Wycheproof ecdh_secp256r1_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema ecdh_test_schema_v1: 612 cases, 330 valid, 230 acceptable, 52 invalid.
 * Public keys are DER SubjectPublicKeyInfo, read by our strict parser.
 */
import { describe, expect, it } from 'vitest';
import { ECDH_SPKI_RULES, wycheproofEcdhSpki } from '../src/formats/ecdh';
import { BACKENDS, HAVE_SHARED_VECTORS, jsonFile, subset, verifyCounted } from './helpers';
import {
  expectRefusedWhenValid,
  load,
  type WycheproofFileSpec,
  wycheproofChecks,
} from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/ecdh_secp256r1_test.json',
  format: wycheproofEcdhSpki,
  counts: { valid: 330, acceptable: 230, invalid: 52 },
  outputField: 'shared',
  rules: ECDH_SPKI_RULES,
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('ecdh secp256r1 (SPKI) acceptable rules', () => {
  it('every InvalidAsn case is refused: relabelled valid, each one fails', () => {
    const json = load(spec);
    const small = subset(json, (t) => t.flags.includes('InvalidAsn'), 1000);
    for (const { tests } of small.testGroups) for (const t of tests) t.result = 'valid';
    const report = verifyCounted(wycheproofEcdhSpki, jsonFile(small), BACKENDS[0]![1], 222);
    expect(report.failed).toBe(222);
    expect(report.failures.every((f) => / rejected: /.test(f))).toBe(true);
    // The DER reader refuses all but one: tcId 605 changes the point's last byte inside valid
    // DER, so the DH suite refuses it as an off-curve point.
    expect(report.failures.filter((f) => !/rejected: SPKI_/.test(f))).toEqual([
      expect.stringMatching(/^tcId 605 .*rejected: DH_INVALID_PUBLIC_KEY$/),
    ]);
  });

  it('explicit curve parameters are refused even where Wycheproof would accept them', () => {
    expectRefusedWhenValid(
      spec,
      (t) => t.result === 'acceptable' && t.flags.includes('UnnamedCurve'),
      /rejected: SPKI_TOO_LARGE/,
      BACKENDS.slice(0, 1),
    );
  });
});
