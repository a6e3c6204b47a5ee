/**
 * Succession: moving to a new identity key without contacts having to verify again
 * (identity.proto):
 *
 *   message SuccessionBody { uint32 version = 1; bytes old_key = 2; bytes new_key = 3; }
 *   message SignedSuccession { bytes body = 1; bytes old_signature = 2; bytes new_signature = 3; }
 *
 * Both keys sign the same body under context `p2pe/identity/v1/succession`: the old key says
 * "my successor is new_key", the new key proves it is held by the same owner (so no one can
 * claim another person's key as their successor). A contact who trusts the old key follows the
 * succession and from then on trusts only the new key.
 *
 * Rules a verifier applies (here and in `followSuccessions`): neither key may be revoked; the
 * two keys differ; a chain is followed in order, each step starting where the last ended, and
 * never visits a key twice. Two different successions from the same old key mean that key was
 * used by two parties: a caller that sees this (it keeps what it followed) must stop trusting
 * it and ask the user to verify again.
 */
import { equalBytes } from '@p2pe/crypto';
import { LimitError, VerificationError } from '@p2pe/transport-interfaces';
import {
  backendOf,
  checkExpectedKey,
  checkKeyArgument,
  checkNotRevoked,
  copy,
  peerIdOf,
  type VerifyOptions,
  verifyWith,
} from './common';
import {
  IDENTITY_KEY_LENGTH,
  LABEL_SUCCESSION,
  MAX_SUCCESSION_BYTES,
  MAX_SUCCESSION_CHAIN,
} from './constants';
import { openStatement, type StatementKind } from './envelope';

/** Signed by both keys; `successor.ts` writes it (with two signatures, so not `signStatement`). */
const SUCCESSION: StatementKind = {
  label: LABEL_SUCCESSION,
  maxBytes: MAX_SUCCESSION_BYTES,
  maxFields: 8,
  fields: [1, 2, 3],
  signatures: 2,
  what: 'succession',
};

export interface Succession {
  readonly oldKey: Uint8Array;
  readonly newKey: Uint8Array;
  readonly oldPeerId: Uint8Array;
  readonly newPeerId: Uint8Array;
}

export interface VerifySuccessionOptions extends VerifyOptions {
  /** The key the succession must start from (the one the contact trusts). */
  readonly oldKey?: Uint8Array;
}

/**
 * Verifies one succession: size limit, envelope, version, fields, revocation of both keys, both
 * signatures over the exact body bytes, distinct keys, the expected old key.
 * Errors: DecodeError/LimitError; VerificationError `SIGNATURE_INVALID`, `IDENTITY_REVOKED`,
 * `IDENTITY_MISMATCH`, `SUCCESSION_SAME_KEY`.
 */
export function verifySuccession(bytes: Uint8Array, options?: VerifySuccessionOptions): Succession {
  const crypto = backendOf(options);
  const { body, signatures, msg } = openStatement(bytes, SUCCESSION);
  const oldKey = copy(msg.requiredBytes(2, { length: IDENTITY_KEY_LENGTH }));
  const newKey = copy(msg.requiredBytes(3, { length: IDENTITY_KEY_LENGTH }));
  if (equalBytes(oldKey, newKey)) {
    throw new VerificationError('SUCCESSION_SAME_KEY', 'succession names the same key twice');
  }
  checkNotRevoked(options, oldKey, 'succession');
  checkNotRevoked(options, newKey, 'succession');
  verifyWith(crypto, oldKey, SUCCESSION.label, body, signatures[0]!, 'succession (old key)');
  verifyWith(crypto, newKey, SUCCESSION.label, body, signatures[1]!, 'succession (new key)');
  checkExpectedKey(options?.oldKey, oldKey, 'succession');
  return {
    oldKey,
    newKey,
    oldPeerId: peerIdOf(oldKey, { crypto }),
    newPeerId: peerIdOf(newKey, { crypto }),
  };
}

/**
 * Follows a chain of successions from `trustedKey` (oldest first) and returns the key it ends
 * at. Every step is verified; the chain must start at `trustedKey`, be contiguous and never
 * return to a key. An empty chain returns `trustedKey`.
 * Errors: as `verifySuccession`, plus VerificationError `SUCCESSION_CHAIN_BROKEN`,
 * `SUCCESSION_LOOP`; LimitError `SUCCESSION_CHAIN_TOO_LONG`.
 */
export function followSuccessions(
  trustedKey: Uint8Array,
  successions: readonly Uint8Array[],
  options?: VerifyOptions,
): Uint8Array {
  return successionPath(trustedKey, successions, options).at(-1)!;
}

/**
 * Every key of a verified chain, `trustedKey` first and the current key last (checked as
 * `followSuccessions` does): for a caller that must also retire the keys the chain passes.
 */
export function successionPath(
  trustedKey: Uint8Array,
  successions: readonly Uint8Array[],
  options?: VerifyOptions,
): Uint8Array[] {
  checkKeyArgument(trustedKey, 'trustedKey');
  if (successions.length > MAX_SUCCESSION_CHAIN) {
    throw new LimitError(
      'SUCCESSION_CHAIN_TOO_LONG',
      `chain of ${successions.length} successions exceeds ${MAX_SUCCESSION_CHAIN}`,
    );
  }
  checkNotRevoked(options, trustedKey, 'succession chain');
  const seen: Uint8Array[] = [copy(trustedKey)];
  successions.forEach((bytes, step) => {
    const s = verifySuccession(bytes, options);
    if (!equalBytes(s.oldKey, seen.at(-1)!)) {
      throw new VerificationError(
        'SUCCESSION_CHAIN_BROKEN',
        `succession ${step + 1} does not start at the key the chain reached`,
      );
    }
    if (seen.some((k) => equalBytes(k, s.newKey))) {
      throw new VerificationError('SUCCESSION_LOOP', `succession ${step + 1} returns to a key`);
    }
    seen.push(s.newKey);
  });
  return seen;
}
