/**
 * Wycheproof hmac_sha512_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema mac_test_schema_v1: 174 cases, 66 valid, 108 invalid; full and
 * truncated tags.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofMac } from '../src/formats/mac';
import { BACKENDS, HAVE_SHARED_VECTORS, jsonFile, subset, verifyCounted } from './helpers';
import { load, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/hmac_sha512_test.json',
  format: wycheproofMac,
  counts: { valid: 66, acceptable: 0, invalid: 108 },
  outputField: 'tag',
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('hmac-sha512 truncated tags', () => {
  const truncated = () => {
    const json = load(spec);
    const tagSize = json.testGroups.find((g) => (g.tagSize as number) < 512)!.tagSize;
    const small = subset(json, (t, g) => g.tagSize === tagSize && t.result === 'valid', 2);
    expect(small.numberOfTests).toBe(2);
    return small;
  };

  it('compares exactly tagSize bits: a tag one byte longer or shorter fails', () => {
    const small = truncated();
    const [longer, shorter] = small.testGroups[0]!.tests;
    longer!.tag = `${longer!.tag as string}00`;
    shorter!.tag = (shorter!.tag as string).slice(0, -2);
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofMac, jsonFile(small), backend, 2).failed).toBe(2);
    }
  });

  it('the truncated valid cases pass as given', () => {
    for (const [, backend] of BACKENDS) {
      expect(verifyCounted(wycheproofMac, jsonFile(truncated()), backend, 2).passed).toBe(2);
    }
  });
});
