/**
 * Wycheproof hmac_sha256_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47,
 * Apache-2.0), schema mac_test_schema_v1: 174 cases, 66 valid, 108 invalid; full and
 * truncated tags.
 */
import { wycheproofMac } from '../src/formats/mac';
import { macTruncationChecks, type WycheproofFileSpec, wycheproofChecks } from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/hmac_sha256_test.json',
  format: wycheproofMac,
  counts: { valid: 66, acceptable: 0, invalid: 108 },
  outputField: 'tag',
};

wycheproofChecks(spec);
macTruncationChecks(spec, 256);
