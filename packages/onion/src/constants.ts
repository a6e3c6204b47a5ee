/**
 * Limits, sizes and labels of the onion layer, each with the reason for its value. The packet
 * layout they produce is drawn in the package README.
 */

/** Version byte of our packet format (`p2pe-onion-v1`); the first byte of every packet. */
export const PACKET_VERSION = 1;

/**
 * Most hops a path may have (Sphinx's r, Danezis-Goldberg 2009 §3). Every packet carries room
 * for this many hops whatever the real path length, so a relay cannot tell the length. 5 is the
 * issue's default: 3 relays give mixing comparable to Tor's 3 hops; 2 spare slots allow the
 * recipient's mailbox relay and one extra hop without changing the packet size.
 */
export const DEFAULT_MAX_HOPS = 5;

/** Hard ceiling on `maxHops`: beyond this the header grows past any sensible MTU. */
export const MAX_HOPS_LIMIT = 16;

/**
 * Bytes of end-to-end payload in every packet (padded). 1024 fits a ratchet message with its
 * header, or a first-contact Noise IK message, plus a reply block (361 bytes with X25519).
 * Larger messages are split by the layer above. Configurable per profile.
 */
export const DEFAULT_PAYLOAD_LENGTH = 1024;

/**
 * Smallest payload length a profile accepts: the zero block, flags and length (35 bytes) and room
 * for a short message. A payload this small cannot hold a SURB (`maxMessageLengthWithSurb` -1).
 */
export const MIN_PAYLOAD_LENGTH = 64;

/** Largest payload length a profile accepts (64 KiB - 1, so the u16 message length suffices). */
export const MAX_PAYLOAD_LENGTH = 65_535;

/**
 * Header MAC length (Sphinx's γ). 16 bytes = 128-bit forgery resistance, which is what the
 * 300-byte 5-hop header target allows: each hop slot carries the next hop's MAC.
 */
export const HEADER_MAC_LENGTH = 16;

/**
 * Short peer id in a forward command: the first 16 bytes of the next hop's peer id. The relay
 * only uses it to pick a connection; the next hop is authenticated by its onion key (a packet sent
 * to the wrong peer fails that peer's MAC check), so 128 bits is enough, and a full 32-byte id
 * with an address hint would not fit the 300-byte 5-hop header.
 */
export const PEER_ID_LENGTH = 16;

/** Opaque address hint in a forward command (e.g. an IPv6 address or an index into a record). */
export const ADDRESS_HINT_LENGTH = 16;

/** Mailbox id length in a mailbox command (fills the command body). */
export const MAILBOX_ID_LENGTH = PEER_ID_LENGTH + ADDRESS_HINT_LENGTH;

/** Reply-block id length (in the reply command; names the creator's stored SURB secrets). */
export const SURB_ID_LENGTH = 16;

/** Routing command: one type byte and a fixed 32-byte body. */
export const COMMAND_LENGTH = 1 + PEER_ID_LENGTH + ADDRESS_HINT_LENGTH;

/** Epoch field of the header: the low 16 bits of the epoch number (big-endian). */
export const EPOCH_FIELD_LENGTH = 2;

/**
 * Length of the zero block at the start of every payload plaintext (Sphinx's 0^κ): after
 * the wide-block decryption at the end of the path, any change made in transit turns it into
 * random bytes, so tagging is detected (probability of a miss 2^-256).
 */
export const PAYLOAD_ZERO_LENGTH = 32;

/** Replay-tag length: 128 bits; a collision only drops one packet. */
export const REPLAY_TAG_LENGTH = 16;

/** LIONESS key per hop (its four 32-byte subkeys are expanded from it with ChaCha20). */
export const LIONESS_KEY_LENGTH = 32;

/** Default epoch of onion keys: one hour. Shorter epochs shrink replay caches, cost key churn. */
export const DEFAULT_EPOCH_LENGTH_MS = 3_600_000;

/**
 * Default grace after an epoch boundary during which packets for the previous epoch are still
 * accepted (packets in flight when the key rotated). Zero would drop them.
 */
export const DEFAULT_EPOCH_GRACE_MS = 60_000;

/**
 * Most tags a memory replay cache holds per epoch before it refuses new packets: about 33 MiB of
 * heap (tags are kept as hex strings in a Set; measured on Node 20) and 8 MB encoded.
 */
export const DEFAULT_REPLAY_CACHE_MAX_TAGS = 500_000;

/**
 * Most epochs a memory replay cache holds. A relay needs two (the current epoch and the previous
 * one during the grace; it forgets older ones after each packet); 8 leaves room for callers that
 * prune late, and bounds the size of the saved state before it is parsed.
 */
export const MAX_REPLAY_CACHE_EPOCHS = 8;

/** Epoch numbers are saved as u32 in the replay cache state; larger ones are refused. */
export const MAX_EPOCH_NUMBER = 0xffff_ffff;

/** Domain-separation labels (`p2pe/<layer>/v1/<purpose>`) of the per-hop HKDF (RFC 5869). */
export const LABELS = Object.freeze({
  headerStream: 'p2pe/onion/v1/header-stream',
  headerMac: 'p2pe/onion/v1/header-mac',
  blinding: 'p2pe/onion/v1/blinding',
  payload: 'p2pe/onion/v1/payload',
  replayTag: 'p2pe/onion/v1/replay-tag',
  headerPadding: 'p2pe/onion/v1/header-padding',
  surbPayload: 'p2pe/onion/v1/surb-payload',
} as const);

/** Version byte of serialised reply blocks and reply secrets. */
export const SURB_VERSION = 1;
/** Length of the reply key k̃ a SURB carries (the replier's payload key, Sphinx's replies). */
export const SURB_REPLY_KEY_LENGTH = 32;

/** Version byte of a serialised replay cache. */
export const REPLAY_CACHE_STATE_VERSION = 1;
