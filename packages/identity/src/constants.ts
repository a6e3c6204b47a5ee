/**
 * Limits and labels of the identity layer, each with the reason for its value. Times are
 * milliseconds since the Unix epoch, as `Clock.now()` gives them.
 */

// ---- Domain-separation labels (p2pe/<layer>/v1/<purpose>) -------------------------------------
// Every Ed25519 signature is over `label || 0x00 || body`, so bytes signed for one purpose never
// verify for another (a record body can never pass as an invite, a revocation or a certificate).

/** Peer id = SHA-256(label || 0x00 || identity public key): the DHT key of an identity. */
export const LABEL_PEER_ID = 'p2pe/identity/v1/peer-id';
/** Signature context of a signed identity record. */
export const LABEL_RECORD = 'p2pe/identity/v1/record';
/** Signature context of a static-key certificate. */
export const LABEL_STATIC_KEY = 'p2pe/identity/v1/static-key';
/** Signature context of an invite. */
export const LABEL_INVITE = 'p2pe/identity/v1/invite';
/** Signature context of a succession (signed by both the old and the new key). */
export const LABEL_SUCCESSION = 'p2pe/identity/v1/succession';
/** Signature context of a revocation certificate. */
export const LABEL_REVOCATION = 'p2pe/identity/v1/revocation';
/** Hash input prefix of each half of a safety number. */
export const LABEL_SAFETY_NUMBER = 'p2pe/identity/v1/safety-number';
/** HKDF info of the short authentication string. */
export const LABEL_SAS = 'p2pe/identity/v1/sas';
/** HKDF info of the backup key (after the recovery secret or the passphrase KDF). */
export const LABEL_BACKUP_KEY = 'p2pe/identity/v1/backup-key';
/** Prefix of the backup AEAD's associated data (the exact header bytes follow). */
export const LABEL_BACKUP_AD = 'p2pe/identity/v1/backup';

// ---- Sizes --------------------------------------------------------------------------------------

/** Ed25519 public key (RFC 8032 §5.1.5). */
export const IDENTITY_KEY_LENGTH = 32;
/** Ed25519 seed (RFC 8032 §5.1.5). */
export const IDENTITY_SECRET_LENGTH = 32;
/** Ed25519 signature (RFC 8032 §5.1.6). */
export const SIGNATURE_LENGTH = 64;
/** SHA-256 output. */
export const PEER_ID_LENGTH = 32;
/** Version of every message this package writes (records, certificates, invites, backups). */
export const FORMAT_VERSION = 1;

/**
 * Largest signed record accepted: a DHT value must stay small (libp2p caps records at 10 KB);
 * 8 KiB holds the keys, 16 addresses of typical length, and the relays.
 */
export const MAX_RECORD_BYTES = 8192;
/** Static keys in one record: one per suite plus the previous one during a rotation (3 × 2). */
export const MAX_STATIC_KEYS = 6;
/** Noise protocol names a record may advertise; more than a handful is padding or an attack. */
export const MAX_SUITES = 16;
/** Longest suite name (`Noise_XX_25519_XChaChaPoly_BLAKE2b` is 34 characters). */
export const MAX_SUITE_NAME_LENGTH = 64;
/** Transport addresses in a record: enough for every interface and transport of a device. */
export const MAX_ADDRESSES = 16;
/** Relays in a record: a peer behind a NAT needs a few, not dozens. */
export const MAX_RELAYS = 8;
/** One opaque relay entry (its peer id and address, encoded by the DHT layer). */
export const MAX_RELAY_LENGTH = 1024;
/** A static-key certificate rides in a handshake payload: small by construction (~200 bytes). */
export const MAX_CERTIFICATE_BYTES = 512;
/** Revocation certificates and successions are fixed-shape and small (~110 / ~180 bytes). */
export const MAX_REVOCATION_BYTES = 256;
export const MAX_SUCCESSION_BYTES = 512;
/**
 * Most revocations one `RevocationList` holds: a local store, bounded to bound its file and its
 * load time (each entry is verified again on load). Anyone can revoke keys they made, so callers
 * add only revocations of keys they have reason to check.
 */
export const MAX_REVOCATION_LIST_ENTRIES = 100_000;
/** Successions followed in one call: a key rotated monthly for over a year, with margin. */
export const MAX_SUCCESSION_CHAIN = 32;
/**
 * Largest invite: it must fit a QR code a phone camera reads reliably. 1024 bytes are 1,639
 * bech32 characters (QR alphanumeric mode, version ≤ 33 at level L).
 */
export const MAX_INVITE_BYTES = 1024;
/** Addresses in an invite: a few, to keep the QR code readable. */
export const MAX_INVITE_ADDRESSES = 4;
/** One-time invite secret: 256 bits, so it cannot be guessed from the invite's peer id. */
export const INVITE_SECRET_LENGTH = 32;

// ---- Times --------------------------------------------------------------------------------------

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Clock difference tolerated for `notBefore` (phones and laptops drift by minutes). */
export const CLOCK_SKEW_MS = 5 * MINUTE;
/** A record is republished daily by its owner. */
export const DEFAULT_RECORD_TTL_MS = DAY;
/**
 * Records valid longer than this are refused: a stolen device's record must not outlive the
 * owner's next record by more than a week (the sequence number handles the normal case).
 */
export const MAX_RECORD_TTL_MS = 7 * DAY;
/** Static keys are rotated monthly by default (forward secrecy for first-contact messages). */
export const DEFAULT_STATIC_KEY_LIFETIME_MS = 30 * DAY;
/** A static key certified for longer than a year is refused. */
export const MAX_STATIC_KEY_LIFETIME_MS = 366 * DAY;
/** An invite passed on by hand is valid for a week by default. */
export const DEFAULT_INVITE_TTL_MS = 7 * DAY;
/** A printed invite may live up to a year; longer is refused. */
export const MAX_INVITE_TTL_MS = 366 * DAY;

// ---- Codes --------------------------------------------------------------------------------------

/** Human-readable part of an identity code (`p2pe1…`, BIP-173 §"Bech32"). */
export const CODE_PREFIX = 'p2pe';
/** First data symbol of an identity code: format version 0 (as a segwit witness version). */
export const CODE_VERSION = 0;
/**
 * Length of an identity code: "p2pe" + "1" + version (1) + key (52) + checksum (6) = 64
 * characters. The checksum covers the prefix's low bits and the data part, 4 + 59 = 63 symbols:
 * within the 89 for which bech32m (BIP-173 §"Checksum design", unchanged by BIP-350) detects every
 * error of ≤ 4 characters.
 */
export const CODE_LENGTH = 64;
/** Characters per group when a code is shown for reading aloud. */
export const CODE_GROUP = 4;
/** Human-readable part of a recovery code (`p2perc1…`). */
export const RECOVERY_CODE_PREFIX = 'p2perc';
/** Recovery secret: 128 bits, beyond any offline guessing of a stolen backup. */
export const RECOVERY_SECRET_LENGTH = 16;
/** Words in the word form of an identity code: 59 symbols × 5 bits = 295 bits, + 2 zero bits. */
export const WORD_COUNT = 27;
/** Scheme of invite URIs. */
export const INVITE_SCHEME = 'p2pe';
/** Human-readable part of the bech32m string after `p2pe:` in an invite URI. */
export const INVITE_PREFIX = 'inv';

// ---- Safety numbers and SAS ---------------------------------------------------------------------

/**
 * SHA-512 iterations per half of a safety number after the first hash (5,201 evaluations in all;
 * Signal's makes 5,200): it multiplies the cost of searching for a key whose half matches a
 * target by about 2^12.
 */
export const SAFETY_NUMBER_ITERATIONS = 5200;
/** Digits per half (6 blocks of 5): ~99.7 bits of fingerprint per identity. */
export const SAFETY_NUMBER_HALF_DIGITS = 30;
/**
 * Default SAS length: 5 words of 11 bits = 55 bits; against a man in the middle who can vary both
 * handshakes (no commitment), a birthday search of 2^27.5 per side (see safety.ts).
 */
export const DEFAULT_SAS_WORDS = 5;
export const MIN_SAS_WORDS = 3;
export const MAX_SAS_WORDS = 8;

// ---- Backup -------------------------------------------------------------------------------------

/** Largest backup file accepted: the identity state plus an app's state of up to 1 MiB. */
export const MAX_BACKUP_BYTES = 1_100_000;
/** Largest app state carried in a backup. */
export const MAX_APP_STATE_BYTES = 1_048_576;
/** Largest encoded identity state (keys, certificates, successions). */
export const MAX_IDENTITY_STATE_BYTES = 32_768;
/** Backup KDF salt. */
export const BACKUP_SALT_LENGTH = 16;
/** XChaCha20-Poly1305 nonce: 192 bits, safe to draw at random. */
export const BACKUP_NONCE_LENGTH = 24;
