/**
 * Wycheproof `eddsa_verify_schema_v1` (type EddsaVerify) for Ed25519 (RFC 8032 §5.1.7): each
 * group holds a raw public key, each case a message and a signature to verify with it.
 */
import type { VectorFormat } from '../format';
import {
  attempt,
  type FlagRules,
  hexField,
  MalformedCaseError,
  wycheproofFormat,
} from './wycheproof';

/** The Ed25519 files have no `acceptable` case; a new flag would fail until a rule is written. */
export const EDDSA_RULES: FlagRules = {};

const isEd25519Group = (g: Record<string, unknown>) => {
  const key = g.publicKey;
  return (
    typeof key === 'object' && key !== null && (key as { curve?: unknown }).curve === 'edwards25519'
  );
};

export const wycheproofEddsa: VectorFormat = wycheproofFormat({
  name: 'wycheproof-eddsa',
  schema: 'eddsa_verify_schema_v1',
  algorithms: ['EDDSA'],
  group: isEd25519Group,
  fileType: 'EddsaVerify file for Ed25519',
  rules: EDDSA_RULES,
  caseRunner: (_file, backend) => (group, test) => {
    const key = group.publicKey;
    if (typeof key !== 'object' || key === null)
      throw new MalformedCaseError('group has no publicKey');
    const pk = hexField(key as Record<string, unknown>, 'pk');
    const msg = hexField(test, 'msg');
    const sig = hexField(test, 'sig');
    // SignatureSuite.verify returns false for anything it refuses and must never throw.
    const ok = attempt(() => backend.ed25519.verify(sig, msg, pk));
    if (!ok.ok)
      return { kind: 'broken', reason: `verify threw ${ok.reason} (contract: return false)` };
    return ok.value
      ? { kind: 'accepted', matches: true }
      : { kind: 'rejected', reason: 'verify returned false' };
  },
});
