/**
 * Wycheproof hkdf_sha256_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema hkdf_test_schema_v1: 86 cases, 83 valid, 3 invalid (size over 255·HashLen).
 */
import { wycheproofHkdf } from '../src/formats/hkdf';
import { hkdfChecks, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/hkdf_sha256_test.json',
  format: wycheproofHkdf,
  counts: { valid: 83, acceptable: 0, invalid: 3 },
  outputField: 'okm',
};

wycheproofChecks(spec);
hkdfChecks(spec);
