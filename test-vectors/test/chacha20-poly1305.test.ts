/**
 * Wycheproof chacha20_poly1305_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema aead_test_schema_v1: 325 cases, 256 valid, 69 invalid; 9 of the invalid
 * ones have a nonce of another size than 96 bits.
 */
import { wycheproofAead } from '../src/formats/aead';
import { chachaPolyChecks, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/chacha20_poly1305_test.json',
  format: wycheproofAead,
  counts: { valid: 256, acceptable: 0, invalid: 69 },
  outputField: 'tag',
};

wycheproofChecks(spec);
chachaPolyChecks(spec, 9);
