/**
 * Wycheproof `ecdh_ecpoint_test_schema_v1` (type EcdhEcpointTest) for secp256r1: the public key
 * is a raw SEC1 point (SEC1 §2.3.3), handed to the P-256 DH suite as is.
 */
import { DecodeError } from '@p2pe/transport-interfaces';
import type { VectorFormat } from '../format';
import { p256Outcome } from './ecdh';
import { type FlagRules, hexField, isWycheproof, runWycheproof } from './wycheproof';

const compressed =
  'our P256 suite takes 65-byte uncompressed points; a compressed one may be refused';

export const ECDH_ECPOINT_RULES: FlagRules = {
  CompressedPublic: { rule: 'either', why: compressed },
  CompressedPoint: { rule: 'either', why: compressed },
};

const detectGroup = (g: Record<string, unknown>) =>
  g.curve === 'secp256r1' && g.encoding === 'ecpoint';

export const wycheproofEcdhEcpoint: VectorFormat = {
  name: 'wycheproof-ecdh-ecpoint',
  detect: (file) => isWycheproof(file.json, 'ecdh_ecpoint_test_schema_v1', ['ECDH'], detectGroup),
  verify(file, backend) {
    if (!isWycheproof(file.json, 'ecdh_ecpoint_test_schema_v1', ['ECDH'], detectGroup)) {
      throw new DecodeError(
        'VECTOR_FILE_MALFORMED',
        'not a Wycheproof EcdhEcpointTest file for secp256r1',
      );
    }
    return runWycheproof(file.json, {
      rules: ECDH_ECPOINT_RULES,
      runCase: (_group, test) =>
        p256Outcome(
          backend,
          hexField(test, 'private'),
          hexField(test, 'public'),
          hexField(test, 'shared'),
        ),
    });
  },
};
