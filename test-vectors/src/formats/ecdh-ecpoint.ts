/**
 * Wycheproof `ecdh_ecpoint_test_schema_v1` (type EcdhEcpointTest) for secp256r1: the public key
 * is a raw SEC1 point (SEC1 §2.3.3), handed to the P-256 DH suite as is.
 */
import type { VectorFormat } from '../format';
import { P256_POINT_RULES, p256Outcome } from './ecdh';
import { type FlagRules, hexField, wycheproofFormat } from './wycheproof';

/** Acceptable flags of EcdhEcpointTest: only the point encodings (the key is a raw point). */
export const ECDH_ECPOINT_RULES: FlagRules = P256_POINT_RULES;

export const wycheproofEcdhEcpoint: VectorFormat = wycheproofFormat({
  name: 'wycheproof-ecdh-ecpoint',
  schema: 'ecdh_ecpoint_test_schema_v1',
  algorithms: ['ECDH'],
  group: (g) => g.curve === 'secp256r1' && g.encoding === 'ecpoint',
  fileType: 'EcdhEcpointTest file for secp256r1',
  rules: ECDH_ECPOINT_RULES,
  caseRunner: (_file, backend) => (_group, test) =>
    p256Outcome(
      backend,
      hexField(test, 'private'),
      hexField(test, 'public'),
      hexField(test, 'shared'),
    ),
});
