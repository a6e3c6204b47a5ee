import { utf8 } from '@p2pe/transport-interfaces';
import { LABELS } from './constants';
import type { RatchetSuite } from './suite';

const ROOT_INFO = utf8(LABELS.rootKdf);
const MESSAGE_KEY_INPUT = utf8(LABELS.messageKey);
const CHAIN_KEY_INPUT = utf8(LABELS.chainKey);

/** Output of KDF_RK: the next root key, a chain key, and (header encryption) a next header key. */
export interface RootStep {
  readonly rootKey: Uint8Array;
  readonly chainKey: Uint8Array;
  readonly nextHeaderKey: Uint8Array | undefined;
}

/**
 * KDF_RK(rk, dh_out) (Double Ratchet spec §5.2): HKDF with salt = rk, IKM = dh_out and an
 * application-specific info, giving 2 × HASHLEN bytes, plus the AEAD key length for the next
 * header key in the header-encryption variant (§4.2 KDF_RK_HE).
 */
export function kdfRoot(
  suite: RatchetSuite,
  rootKey: Uint8Array,
  dhOut: Uint8Array,
  headerKey: boolean,
): RootStep {
  const hl = suite.hash.outputLength;
  const kl = suite.aead.keyLength;
  const out = suite.hash.hkdf(dhOut, rootKey, ROOT_INFO, 2 * hl + (headerKey ? kl : 0));
  return {
    rootKey: out.slice(0, hl),
    chainKey: out.slice(hl, 2 * hl),
    nextHeaderKey: headerKey ? out.slice(2 * hl, 2 * hl + kl) : undefined,
  };
}

/**
 * KDF_CK(ck) (spec §5.2): HMAC with ck as the key and two distinct constant inputs, one giving the
 * message key (truncated to the AEAD key length) and one the next chain key.
 */
export function kdfChain(
  suite: RatchetSuite,
  chainKey: Uint8Array,
): { chainKey: Uint8Array; messageKey: Uint8Array } {
  const mk = suite.hash.hmac(chainKey, MESSAGE_KEY_INPUT);
  const next = suite.hash.hmac(chainKey, CHAIN_KEY_INPUT);
  const kl = suite.aead.keyLength;
  return { chainKey: next, messageKey: mk.length === kl ? mk : mk.slice(0, kl) };
}
