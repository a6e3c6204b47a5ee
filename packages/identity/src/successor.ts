/**
 * Making a successor identity (see succession.ts for the format and the verifier's rules).
 */
import { LimitError, ProtoWriter } from '@p2pe/transport-interfaces';
import { backendOf, randomOf, signWith } from './common';
import { FORMAT_VERSION, LABEL_SUCCESSION, MAX_SUCCESSION_CHAIN } from './constants';
import { encodeEnvelope } from './envelope';
import { type CreateIdentityOptions, type Identity, makeIdentity, newStaticKeys } from './identity';

/**
 * Makes the successor of `identity`: a new Ed25519 key, its own revocation certificate, fresh
 * static keys for the same suites (a rotation may follow a suspected compromise, so the old
 * static keys are not carried over), the record sequence carried on, and the succession
 * appended to `successions`. Publish the succession (to contacts, and in the DHT under the old
 * peer id), then records of the new identity.
 */
export function succeedIdentity(
  identity: Identity,
  options?: CreateIdentityOptions,
): { identity: Identity; succession: Uint8Array } {
  if (identity.successions.length >= MAX_SUCCESSION_CHAIN) {
    throw new LimitError(
      'SUCCESSION_CHAIN_TOO_LONG',
      `more than ${MAX_SUCCESSION_CHAIN} successions`,
    );
  }
  const crypto = backendOf(options);
  const next = crypto.ed25519.generateKeyPair(randomOf(options));
  const body = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, identity.publicKey)
    .bytes(3, next.publicKey)
    .finish();
  const succession = encodeEnvelope(body, [
    signWith(crypto, identity.secretKey, LABEL_SUCCESSION, body),
    signWith(crypto, next.secretKey, LABEL_SUCCESSION, body),
  ]);
  const held = [...new Set(identity.staticKeys.map((k) => k.suite))];
  const successor = makeIdentity(crypto, next.secretKey, {
    recordSequence: identity.recordSequence,
    successions: [...identity.successions, succession],
    staticKeys: newStaticKeys(crypto, next.secretKey, next.publicKey, options, held),
  });
  return { identity: successor, succession };
}
