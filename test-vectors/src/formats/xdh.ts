/**
 * Wycheproof `xdh_comp_schema_v1` (type XdhComp): X25519 and X448 key agreement, RFC 7748.
 * Each case gives a raw private key, a raw public u-coordinate and the expected shared secret.
 */

import type { DhName } from '@p2pe/crypto';
import { equalBytes } from '@p2pe/crypto';
import { DecodeError } from '@p2pe/transport-interfaces';
import type { VectorFormat } from '../format';
import {
  attempt,
  type CaseOutcome,
  type FlagRules,
  hexField,
  isWycheproof,
  MalformedCaseError,
  runWycheproof,
  stringField,
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

export const wycheproofXdh: VectorFormat = {
  name: 'wycheproof-xdh',
  detect: (file) =>
    isWycheproof(
      file.json,
      'xdh_comp_schema_v1',
      ['XDH', 'X25519', 'X448'],
      (g) => typeof g.curve === 'string' && Object.hasOwn(CURVES, g.curve),
    ),
  verify(file, backend) {
    if (!isWycheproof(file.json, 'xdh_comp_schema_v1', ['XDH', 'X25519', 'X448'])) {
      throw new DecodeError('VECTOR_FILE_MALFORMED', 'not a Wycheproof XdhComp file');
    }
    return runWycheproof(file.json, {
      rules: XDH_RULES,
      runCase(group, test): CaseOutcome {
        const curve = stringField(group, 'curve');
        const name = CURVES[curve];
        if (name === undefined) throw new MalformedCaseError(`unknown curve ${curve}`);
        const secret = hexField(test, 'private');
        const pub = hexField(test, 'public');
        const shared = hexField(test, 'shared');
        const out = attempt(() => backend.dh(name).dh(secret, pub));
        if (!out.ok) return { kind: 'rejected', reason: out.reason };
        return { kind: 'accepted', matches: equalBytes(out.value, shared) };
      },
    });
  },
};
