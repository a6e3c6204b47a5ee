/**
 * Limits and labels of the Double Ratchet and the session manager, each with the reason for its
 * value. Limits that an application may reasonably tune are also in `defaultRatchetLimits`.
 */

/** Version of the ratchet message wire format (wire.proto). Bumped on any incompatible change. */
export const RATCHET_WIRE_VERSION = 1;
/** Version of the stored ratchet state (storage.proto). Restores of other versions are refused. */
export const RATCHET_STATE_VERSION = 1;
/** Version of the session manager's envelopes and notices (wire.proto). */
export const SESSION_WIRE_VERSION = 1;
/** Version of the session manager's stored peer records (storage.proto). */
export const SESSION_STATE_VERSION = 1;

/**
 * MAX_SKIP (Signal Double Ratchet spec §3.2 "MAX_SKIP"): the most message keys one received
 * message may make us derive and store in a single chain. High enough for a burst of messages
 * lost or reordered in an onion network with retries (libsignal uses 2,000 for its forward jump
 * check, 25,000 for the chain); low enough that a forged counter costs at most 1,000 HMACs.
 */
export const MAX_SKIP = 1000;

/**
 * The most skipped message keys a session stores in total, over all chains. When a successful
 * decrypt would exceed it, the oldest keys are dropped (libsignal `MAX_MESSAGE_KEYS = 2000`).
 * Bounds the state size: 2,000 × ~80 bytes ≈ 160 KiB.
 */
export const MAX_SKIPPED_KEYS = 2000;

/**
 * Skipped message keys older than this are no longer used and are pruned on the next successful
 * operation: 30 days. Longer than the outbox TTL of a message waiting for a path (so a late
 * message still opens), short enough that an old stolen state holds few usable keys.
 */
export const SKIPPED_KEY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Largest plaintext one ratchet message carries: 64 KiB. Application messages are small; large
 * files are chunked above this layer. Bounds the work an unauthenticated message can cause.
 */
export const MAX_PLAINTEXT_BYTES = 64 * 1024;

/** Largest encoded ratchet message accepted: the plaintext plus header and tag overhead. */
export const MAX_MESSAGE_BYTES = MAX_PLAINTEXT_BYTES + 512;

/**
 * Largest stored ratchet state accepted by `restore`: the skipped keys (MAX_SKIPPED_KEYS entries
 * of at most ~200 bytes for the largest suites) plus the fixed fields.
 */
export const MAX_STATE_BYTES = MAX_SKIPPED_KEYS * 256 + 4096;

/**
 * Longest session associated data (both identities and the session id). Two 32-byte peer ids,
 * two identity keys and a 64-byte handshake hash fit with room for suite names.
 */
export const MAX_AD_BYTES = 1024;

/**
 * How many previous receiving ratchet public keys a session remembers, to tell a replayed message
 * of an old chain ("duplicate") from a message of an unknown chain ("cannot decrypt") without a
 * DH. A duplicate must never trigger a decrypt-failure notice. With header encryption, skipped
 * keys are kept only for these chains and the current one: every incoming header is tried under
 * each chain's header key (spec §4.4 TrySkippedMessageKeysHE), and 2,000 chains would make one
 * forged message cost 2,000 AEAD trials (~100 ms); 16 bounds it at 18.
 */
export const MAX_PREVIOUS_RECEIVE_KEYS = 16;

/** Domain-separation labels (`p2pe/<layer>/v1/<purpose>`). */
export const LABELS = {
  /** KDF_RK info (spec §5.2: HKDF with salt = RK, IKM = DH output). */
  rootKdf: 'p2pe/ratchet/v1/root',
  /** KDF_CK input for the message key (spec §5.2: HMAC(CK, constant)). */
  messageKey: 'p2pe/ratchet/v1/message-key',
  /** KDF_CK input for the next chain key. */
  chainKey: 'p2pe/ratchet/v1/chain-key',
  /** Seed of the ratchet from a finished Noise handshake. */
  seed: 'p2pe/ratchet/v1/seed',
  /** Session associated data prefix. */
  sessionAd: 'p2pe/ratchet/v1/session-ad',
  /** Signature context of a decrypt-failure notice. */
  notice: 'p2pe/ratchet/v1/notice',
  /** Signature context binding a handshake's static key and hash to an identity. */
  handshakeAuth: 'p2pe/ratchet/v1/handshake-auth',
} as const;

/** Most sessions kept per peer: the newest sends, older ones still decrypt late messages. */
export const MAX_SESSIONS_PER_PEER = 5;

/**
 * An older session that has not decrypted anything for this long is dropped (30 days, as skipped
 * keys): long enough for messages delayed in store-and-forward, short enough to bound the state.
 */
export const SESSION_MAX_IDLE_MS = 30 * 24 * 60 * 60 * 1000;

/** Handshakes waiting for the peer's next message, per peer (memory only). */
export const MAX_PENDING_HANDSHAKES_PER_PEER = 4;

/**
 * An XX handshake (which cannot carry the message) is started again if the peer has not
 * answered within a minute: its first message may have been lost.
 */
export const XX_RETRY_MS = 60 * 1000;

/**
 * Handshakes waiting in total. XX message 0 is unauthenticated and names any peer id it likes,
 * so pending handshakes are bounded over all peers, not only per peer (oldest dropped).
 */
export const MAX_PENDING_HANDSHAKES = 256;

/**
 * Identities a manager remembers as replaced by a succession (oldest forgotten first). Each is a
 * peer id we once trusted whose owner moved on: its key may be lost or stolen, so it must not come
 * back as a "new peer". One entry per succession we followed; 10,000 is far beyond any contact list.
 */
export const MAX_RETIRED_PEERS = 10_000;

/** Most peer records a stored manager state may hold (its decoder refuses more). */
export const MAX_STORED_PEERS = 100_000;

/**
 * Default for `maxPeers`: contacts and strangers a manager holds. First contact is open by default
 * (`acceptNewPeers`), and an identity costs a stranger nothing to make, so without a bound a flood
 * of handshakes would grow memory and the stored state without end (past what restores).
 */
export const DEFAULT_MAX_PEERS = 10_000;

/**
 * A first handshake message (IK/KK) older than this is refused: it bounds the replay cache of
 * first messages, which must outlive every first message it could be replayed with.
 */
export const MAX_HANDSHAKE_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Clock skew tolerated on `sent_at` and `issued_at` (5 minutes, as identity records). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A notice older than this is ignored (bounds the notice replay cache). */
export const MAX_NOTICE_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Replay cache entries remembered per peer, in each of its two caches (first handshake messages;
 * notices). An evicted entry raises the cache's floor to its timestamp, so it stays refused.
 */
export const MAX_REPLAY_CACHE_PER_PEER = 512;

/** Most notices sent to one peer per minute: forged messages cannot make us a notice cannon. */
export const MAX_NOTICES_PER_MINUTE = 10;

/** Largest envelope accepted: a ratchet message plus ids and a handshake's keys and proofs. */
export const MAX_ENVELOPE_BYTES = MAX_MESSAGE_BYTES + 4096;

/** Longest message id (the outbox's id; 32 bytes is a hash). */
export const MAX_MESSAGE_ID_BYTES = 64;

/** Largest stored session manager state: one PeerRecord. */
export const MAX_PEER_RECORD_BYTES = MAX_SESSIONS_PER_PEER * (MAX_STATE_BYTES + 512) + 64 * 1024;
