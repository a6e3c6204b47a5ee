/**
 * Limits and labels of the sync layer, each with the reason for its value. Configurable limits
 * have their defaults in named objects (`defaultReconcileLimits`, `defaultOutboxConfig`).
 */

/** Length of a message id: 32 bytes, uniformly random (or a hash), so reconciliation buckets balance. */
export const MESSAGE_ID_LENGTH = 32;

/** Longest conversation id an app may use: room for a hash or two peer ids, nothing more. */
export const MAX_CONVERSATION_ID_LENGTH = 64;

/** Largest message payload the outbox and inbox accept: a ratchet message inside an onion packet is far smaller. */
export const MAX_PAYLOAD_LENGTH = 64 * 1024;

// --- Reconciliation (see README "Reconciliation") ---

/** Wire version of `ReconcileMessage`. */
export const RECONCILE_VERSION = 1;

/** Children per trie node: one hex digit (4 bits) of the id per level, as in negentropy's 16 buckets. */
export const RECONCILE_BRANCHING = 16;

/** Trie depth at which a node is a single id (256 bits / 4 bits per level): no node is split below it. */
export const RECONCILE_MAX_DEPTH = 64;

/**
 * Bytes of a range fingerprint. 64 bits: two honest sets that differ collide with probability
 * 2^-64 per compared range; a peer that lies can hide its own ids anyway, never ours.
 */
export const FINGERPRINT_LENGTH = 8;

/**
 * A node with fewer ids than this is sent as a list of ids instead of being split; the same
 * threshold as negentropy (2 × 16 buckets), so lists stay under about 1 KB.
 */
export const LIST_THRESHOLD = 32;

/** Domain-separation label of range fingerprints. */
export const FINGERPRINT_LABEL = 'p2pe/sync/v1/fingerprint';

/** Limits on one reconciliation, as a named default. */
export interface ReconcileLimits {
  /**
   * Largest message either side sends or accepts, in bytes. 60,000 is negentropy's default frame
   * size, so our round trips compare with it at equal message size.
   * @default 60000
   */
  readonly maxMessageBytes: number;
  /**
   * Most messages one reconciliation may take before it is abandoned (LimitError): a lying peer
   * cannot keep us busy forever. 100,000 ids differing at the 60 KB frame size need about 60.
   * @default 4096
   */
  readonly maxMessages: number;
  /**
   * Most differences (ids we have that the peer lacks, plus ids it has that we lack) one side
   * collects before the run is abandoned (LimitError). Without it a lying peer could fill every
   * allowed message with invented ids (4,096 × 60 KB: millions of ids held in memory); a million
   * is 32 MB of ids, and histories that differ by more are cheaper to send whole.
   * @default 1000000
   */
  readonly maxDifferences: number;
}

export const defaultReconcileLimits: ReconcileLimits = Object.freeze({
  maxMessageBytes: 60_000,
  maxMessages: 4096,
  maxDifferences: 1_000_000,
});

/** The smallest frame that always fits one split (16 fingerprints) or one full list. */
export const MIN_RECONCILE_MESSAGE_BYTES = 4096;

// --- Encrypted store ---

/** Version of the store's on-disk format (meta record, record framing). */
export const STORE_VERSION = 1;

/** Device secret length: 32 bytes, the input of HKDF for every store key. */
export const DEVICE_SECRET_LENGTH = 32;

/** HKDF info labels, one per purpose (DESIGN: `p2pe/<layer>/v1/<purpose>`). */
export const STORE_LABELS = Object.freeze({
  /** AEAD key for every record value. */
  recordKey: 'p2pe/sync/v1/store-record-key',
  /** HMAC key that turns conversation and message ids into opaque record keys. */
  indexKey: 'p2pe/sync/v1/store-index-key',
  /** HMAC key that hedges each record's random nonce with the record (README "Storage format"). */
  nonceKey: 'p2pe/sync/v1/store-nonce-key',
  /** The check value in the meta record: proves the device secret without decrypting data. */
  check: 'p2pe/sync/v1/store-check',
  /** Salt label when a passphrase is stretched into the device secret. */
  passphrase: 'p2pe/sync/v1/passphrase',
});

/** XChaCha20-Poly1305: 24-byte random nonces are safe for any number of records under one key. */
export const STORE_AEAD = 'XChaChaPoly' as const;

/** Bytes of a keyed hash in a record key: 128 bits, no collisions among a device's records. */
export const INDEX_TAG_LENGTH = 16;

/** Largest stored record value we decrypt (a message payload plus its metadata and framing). */
export const MAX_RECORD_BYTES = MAX_PAYLOAD_LENGTH + 1024;

// --- Outbox and inbox ---

/** Wire version of the delivery envelope, ack and deletion messages. */
export const DELIVERY_VERSION = 1;

/** Signature contexts (prefixed to the signed bytes). */
export const SIGNATURE_LABELS = Object.freeze({
  ack: 'p2pe/sync/v1/ack',
  deletion: 'p2pe/sync/v1/deletion',
});

/** Most message ids in one ack or deletion: keeps them well inside one onion packet's payload. */
export const MAX_IDS_PER_NOTICE = 64;

/**
 * Largest seq (and min_seq) an envelope may carry: far beyond any conversation, and small enough
 * that the inbox's next seq (seq + 1) stays a safe integer that stored records can hold.
 */
export const MAX_SEQ = 2 ** 48;

/** Latest expiry an envelope may name, in ms since the Unix epoch (2^48 ms: the year 10889). */
export const MAX_TIMESTAMP = 2 ** 48;

/** Largest encoded envelope, ack or deletion we decode. */
export const MAX_DELIVERY_BYTES = MAX_PAYLOAD_LENGTH + 512;

/** Timing of the outbox and inbox, as a named default. All times in milliseconds. */
export interface OutboxConfig {
  /** Delay before the first retry. @default 2000 */
  readonly retryBaseMs: number;
  /** Longest delay between retries. @default 600000 (10 minutes) */
  readonly retryMaxMs: number;
  /** TTL of a message when the caller gives none. @default 604800000 (7 days) */
  readonly defaultTtlMs: number;
  /** Longest TTL accepted. @default 2592000000 (30 days) */
  readonly maxTtlMs: number;
  /**
   * How long the inbox holds back a message that arrived after a gap before giving up on the gap
   * and delivering it. @default 30000
   */
  readonly holdBackMs: number;
  /** Clock skew tolerated when the recipient checks a message's expiry. @default 300000 */
  readonly clockSkewMs: number;
}

export const defaultOutboxConfig: OutboxConfig = Object.freeze({
  retryBaseMs: 2000,
  retryMaxMs: 600_000,
  defaultTtlMs: 7 * 24 * 3600_000,
  maxTtlMs: 30 * 24 * 3600_000,
  holdBackMs: 30_000,
  clockSkewMs: 300_000,
});
