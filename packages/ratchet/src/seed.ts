import type { KeyPair } from '@p2pe/crypto';
import { assertBytes, concatBytes, utf8, ValidationError } from '@p2pe/transport-interfaces';
import { LABELS, MAX_AD_BYTES } from './constants';
import { DoubleRatchet, type RatchetOptions } from './ratchet';
import type { RatchetSuite } from './suite';

/**
 * The part of a finished Noise handshake the ratchet is seeded from. `NoiseSplit` (from
 * `HandshakeState.split()`) has this shape: the two CipherStates of Split() (§5.2), whose keys
 * are exported once, and the handshake hash h.
 */
export interface HandshakeResult {
  readonly send: { exportKey(): Uint8Array } | null;
  readonly receive: { exportKey(): Uint8Array } | null;
  readonly handshakeHash: Uint8Array;
}

/** Who the session is between: bound into every message's associated data. */
export interface SessionParties {
  /** Peer id (or identity key) of the handshake initiator. */
  readonly initiator: Uint8Array;
  /** Peer id (or identity key) of the handshake responder. */
  readonly responder: Uint8Array;
}

interface SeedCommon {
  readonly handshake: HandshakeResult;
  readonly parties: SessionParties;
  /** Header-encryption variant (spec §4). @default false */
  readonly headerEncryption?: boolean;
}

export interface InitiatorSeed extends SeedCommon {
  /** The responder's initial ratchet public key, received in its handshake payload. */
  readonly responderRatchetKey: Uint8Array;
}

export interface ResponderSeed extends SeedCommon {
  /** Our initial ratchet key pair, whose public key we sent in our handshake payload. */
  readonly ratchetKeyPair: KeyPair;
}

/**
 * The session associated data (spec §3.4 AD, §7 "Integration with X3DH" takes it from the key
 * agreement): label || len || initiator || len || responder || handshake hash. Both identities
 * and the session are bound into every message.
 */
export function sessionAd(parties: SessionParties, handshakeHash: Uint8Array): Uint8Array {
  assertBytes(parties.initiator, 'parties.initiator');
  assertBytes(parties.responder, 'parties.responder');
  assertBytes(handshakeHash, 'handshakeHash');
  const ad = concatBytes(
    utf8(LABELS.sessionAd),
    Uint8Array.of(parties.initiator.length),
    parties.initiator,
    Uint8Array.of(parties.responder.length),
    parties.responder,
    handshakeHash,
  );
  if (
    parties.initiator.length > 255 ||
    parties.responder.length > 255 ||
    ad.length > MAX_AD_BYTES
  ) {
    throw new ValidationError('INVALID_LENGTH', `session parties too long (${ad.length} bytes)`);
  }
  return ad;
}

interface SeedKeys {
  rootKey: Uint8Array;
  responderChain: Uint8Array;
  hka: Uint8Array;
  nhkb: Uint8Array;
  responderHeaderKey: Uint8Array;
}

/**
 * Seed material from the handshake (replaces X3DH's SK, spec §7.1): HKDF with IKM = k1 || k2 (the
 * two keys of Split(), initiator→responder first), salt = h, info = `p2pe/ratchet/v1/seed`,
 * giving RK, the responder's first sending chain key, and the three header keys of §4.3
 * (shared_hka, shared_nhkb, and the header key of the responder's first chain).
 */
function seedKeys(
  suite: RatchetSuite,
  initiatorToResponder: Uint8Array,
  responderToInitiator: Uint8Array,
  h: Uint8Array,
): SeedKeys {
  const hl = suite.hash.outputLength;
  const kl = suite.aead.keyLength;
  const okm = suite.hash.hkdf(
    concatBytes(initiatorToResponder, responderToInitiator),
    h,
    utf8(LABELS.seed),
    2 * hl + 3 * kl,
  );
  let o = 0;
  const take = (n: number): Uint8Array => {
    const out = okm.slice(o, o + n);
    o += n;
    return out;
  };
  return {
    rootKey: take(hl),
    responderChain: take(hl),
    hka: take(kl),
    nhkb: take(kl),
    responderHeaderKey: take(kl),
  };
}

function splitKeys(handshake: HandshakeResult, initiator: boolean): [Uint8Array, Uint8Array] {
  if (handshake.send === null || handshake.receive === null) {
    throw new ValidationError(
      'RATCHET_ONE_WAY_HANDSHAKE',
      'a one-way handshake cannot seed a two-way ratchet',
    );
  }
  const send = handshake.send.exportKey();
  const receive = handshake.receive.exportKey();
  return initiator ? [send, receive] : [receive, send];
}

/**
 * Seeds the initiator's ratchet: RatchetInitAlice (spec §3.3) with the responder's ratchet key,
 * and a receiving chain on which the responder may send before it has heard from us.
 */
export function seedInitiator(
  suite: RatchetSuite,
  seed: InitiatorSeed,
  options: RatchetOptions = {},
): DoubleRatchet {
  const [k1, k2] = splitKeys(seed.handshake, true);
  const keys = seedKeys(suite, k1, k2, seed.handshake.handshakeHash);
  const he = seed.headerEncryption === true;
  return DoubleRatchet.initSender(
    suite,
    {
      rootKey: keys.rootKey,
      remoteRatchetKey: seed.responderRatchetKey,
      ad: sessionAd(seed.parties, seed.handshake.handshakeHash),
      ...(he ? { headerKeys: { send: keys.hka, nextReceive: keys.nhkb } } : {}),
      receiveChain: {
        chainKey: keys.responderChain,
        ...(he ? { headerKey: keys.responderHeaderKey } : {}),
      },
    },
    options,
  );
}

/** Seeds the responder's ratchet: RatchetInitBob (spec §3.3) plus a first sending chain. */
export function seedResponder(
  suite: RatchetSuite,
  seed: ResponderSeed,
  options: RatchetOptions = {},
): DoubleRatchet {
  const [k1, k2] = splitKeys(seed.handshake, false);
  const keys = seedKeys(suite, k1, k2, seed.handshake.handshakeHash);
  const he = seed.headerEncryption === true;
  return DoubleRatchet.initReceiver(
    suite,
    {
      rootKey: keys.rootKey,
      ratchetKeyPair: seed.ratchetKeyPair,
      ad: sessionAd(seed.parties, seed.handshake.handshakeHash),
      ...(he ? { headerKeys: { nextSend: keys.nhkb, nextReceive: keys.hka } } : {}),
      sendChain: {
        chainKey: keys.responderChain,
        ...(he ? { headerKey: keys.responderHeaderKey } : {}),
      },
    },
    options,
  );
}
