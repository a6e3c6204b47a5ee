/**
 * Wycheproof `xdh_comp_schema_v1` (type XdhComp): X25519 and X448 key agreement, RFC 7748.
 * Each case gives a raw private key, a raw public u-coordinate and the expected shared secret.
 */

import type { DhName } from '@p2pe/crypto';
import type { VectorFormat } from '../format';
import {
  type FlagRules,
  hexField,
  isWycheproof,
  MalformedCaseError,
  outputOutcome,
  stringField,
  wycheproofFormat,
} from './wycheproof';

const CURVES: Readonly<Record<string, DhName>> = { curve25519: '25519', curve448: '448' };

const computes = 'our DH computes every u-coordinate (RFC 7748 §5) but refuses an all-zero output';

/**
 * Acceptable flags. Our DH contract (crypto `DhSuite.dh`) throws `DH_ZERO_SHARED_SECRET` for an
 * all-zero output (the RFC 7748 §6.1 check) and computes every other input, non-canonical u
 * (reduced mod p, §5), twist points and low-order points with a non-zero result included. So
 * ZeroSharedSecret must be refused and every other flag must be computed correctly.
 */
export const XDH_RULES: FlagRules = {
  ZeroSharedSecret: { rule: 'reject', why: 'an all-zero shared secret is refused (RFC 7748 §6.1)' },
  LowOrderPublic: { rule: 'accept', why: computes },
  SmallPublicKey: { rule: 'accept', why: computes },
  Twist: { rule: 'accept', why: computes },
  NonCanonicalPublic: { rule: 'accept', why: computes },
  SpecialPublicKey: { rule: 'accept', why: computes },
  EdgeCaseShared: { rule: 'accept', why: computes },
  EdgeCaseMultiplication: { rule: 'accept', why: computes },
  Ktv: { rule: 'accept', why: computes },
};

const SCHEMA = 'xdh_comp_schema_v1';
const ALGORITHMS = ['XDH', 'X25519', 'X448'];

const format = wycheproofFormat({
  name: 'wycheproof-xdh',
  schema: SCHEMA,
  algorithms: ALGORITHMS,
  fileType: 'XdhComp file',
  rules: XDH_RULES,
  caseRunner: (_file, backend) => (group, test) => {
    const curve = stringField(group, 'curve');
    const name = CURVES[curve];
    if (name === undefined) throw new MalformedCaseError(`unknown curve ${curve}`);
    const secret = hexField(test, 'private');
    const pub = hexField(test, 'public');
    const shared = hexField(test, 'shared');
    return outputOutcome(() => backend.dh(name).dh(secret, pub), shared);
  },
});

/**
 * Detection also asks every group for a curve we know; `verify` does not, so a group of another
 * curve fails its cases as malformed and the rest of the file still runs.
 */
export const wycheproofXdh: VectorFormat = {
  ...format,
  detect: (file) =>
    isWycheproof(
      file.json,
      SCHEMA,
      ALGORITHMS,
      (g) => typeof g.curve === 'string' && Object.hasOwn(CURVES, g.curve),
    ),
};
