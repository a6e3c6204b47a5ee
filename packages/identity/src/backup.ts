/**
 * Encrypted backup: one file holding an identity (its state, storage.proto `IdentityState`) and
 * an app's own state, sealed with XChaCha20-Poly1305 (storage.proto):
 *
 *   message BackupHeader {
 *     uint32 version = 1;
 *     uint32 kdf = 2;          // 1 = recovery code, 2 = argon2id, 3 = scrypt
 *     bytes salt = 3;          // 16 bytes
 *     uint32 cost = 4;         // argon2id: memory in KiB; scrypt: log2 N     (absent for kdf 1)
 *     uint32 iterations = 5;   // argon2id: t;             scrypt: r         (absent for kdf 1)
 *     uint32 parallelism = 6;  // argon2id: p;             scrypt: p         (absent for kdf 1)
 *     bytes nonce = 7;         // 24 bytes
 *   }
 *   message Backup { bytes header = 1; bytes ciphertext = 2; }
 *   message BackupPayload { uint32 version = 1; bytes identity = 2; bytes app_state = 3; }
 *
 * Key: ikm = the 16-byte recovery secret (kdf 1), or argon2id/scrypt(NFKC(passphrase), salt)
 * with the header's parameters (RFC 9106, RFC 7914); key = HKDF-SHA256(ikm, salt,
 * `p2pe/identity/v1/backup-key`, 32). Associated data: `p2pe/identity/v1/backup` || 0x00 ||
 * the header exactly as stored, so any changed byte fails authentication.
 */
import { argon2id, argon2idAsync } from '@noble/hashes/argon2.js';
import { scrypt, scryptAsync } from '@noble/hashes/scrypt.js';
import type { CryptoBackend } from '@p2pe/crypto';
import {
  concatBytes,
  DecodeError,
  LimitError,
  P2peError,
  ProtoMessage,
  ProtoWriter,
  utf8,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { decodeRecoveryCode, encodeRecoveryCode } from './code';
import {
  backendOf,
  type CreateOptions,
  type CryptoOptions,
  checkVersion,
  copy,
  randomOf,
} from './common';
import {
  BACKUP_NONCE_LENGTH,
  BACKUP_SALT_LENGTH,
  FORMAT_VERSION,
  LABEL_BACKUP_AD,
  LABEL_BACKUP_KEY,
  MAX_APP_STATE_BYTES,
  MAX_BACKUP_BYTES,
  MAX_IDENTITY_STATE_BYTES,
  RECOVERY_SECRET_LENGTH,
} from './constants';
import { decodeIdentity, encodeIdentity, type Identity } from './identity';

/** Passphrase KDF and its parameters. */
export type PassphraseKdf =
  | {
      readonly name: 'argon2id';
      /** m, in KiB. */
      readonly memoryKiB: number;
      /** t. */
      readonly iterations: number;
      /** p. */
      readonly parallelism: number;
    }
  | {
      readonly name: 'scrypt';
      /** log2 of N. */
      readonly logN: number;
      readonly r: number;
      readonly p: number;
    };

/**
 * Default passphrase KDF: argon2id, m = 64 MiB, t = 3, p = 1 (RFC 9106 §4's second recommended
 * option, t = 3 and m = 64 MiB, with p = 1 instead of 4: the work per guess, m × t, is the same
 * either way, and @noble/hashes computes lanes one after another, so more lanes would not make
 * our side faster). Measured with @noble/hashes in Node 20 on the 2-core machine of the design
 * guide: about 0.9 s (m = 64 MiB, t = 1: 0.34 s; m = 19 MiB, t = 2: 0.27 s). Phones and browsers
 * take longer; that is the point, and the reason the async `openBackup` yields while it works.
 */
export const DEFAULT_PASSPHRASE_KDF: PassphraseKdf = Object.freeze({
  name: 'argon2id',
  memoryKiB: 65_536,
  iterations: 3,
  parallelism: 1,
});

/** scrypt alternative: N = 2^17, r = 8, p = 1 (128 MiB; measured about 0.5 s, as above). */
export const SCRYPT_PASSPHRASE_KDF: PassphraseKdf = Object.freeze({
  name: 'scrypt',
  logN: 17,
  r: 8,
  p: 1,
});

/**
 * TESTS ONLY: argon2id with 64 KiB and one pass, so a test suite can seal and open many backups
 * in milliseconds. It gives a passphrase almost no protection: never use it for real backups.
 */
export const TEST_ONLY_WEAK_KDF: PassphraseKdf = Object.freeze({
  name: 'argon2id',
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
});

/**
 * The most a backup file may ask of the KDF when it is opened: the parameters come from the file,
 * so a crafted file must not make a restore take minutes or all the memory. Time grows with
 * memory × passes, so that product is bounded as well as each factor.
 */
export interface KdfLimits {
  /** Largest argon2id memory / scrypt 128·r·N·p, in bytes. @default 256 MiB */
  readonly maxMemoryBytes: number;
  /** Largest argon2id t. @default 8 */
  readonly maxIterations: number;
  /** Largest argon2id/scrypt p. @default 16 */
  readonly maxParallelism: number;
  /**
   * Largest argon2id memory × t, in bytes (scrypt: its memory bound above already bounds its
   * time). @default 1 GiB (DEFAULT_PASSPHRASE_KDF needs 192 MiB: about 5 times its time, ~5 s
   * on the 2-core machine of the design guide); when absent, maxMemoryBytes × maxIterations.
   */
  readonly maxWorkBytes?: number;
}

/**
 * Default limits: 4 times the default KDF's memory, 2 times SCRYPT_PASSPHRASE_KDF's, and at most
 * about 5 times the default KDF's time. A backup sealed with a stronger KDF opens only with
 * explicit `limits` (and `sealBackup` refuses to make one unless given those limits).
 */
export const DEFAULT_KDF_LIMITS: KdfLimits = Object.freeze({
  maxMemoryBytes: 256 * 1024 * 1024,
  maxIterations: 8,
  maxParallelism: 16,
  maxWorkBytes: 1024 * 1024 * 1024,
});

/** The secret a backup is sealed under. */
export type BackupSecret =
  | { readonly recoveryCode: string }
  | { readonly passphrase: string; readonly kdf?: PassphraseKdf };

const KDF_RECOVERY = 1;
const KDF_ARGON2ID = 2;
const KDF_SCRYPT = 3;
const MAX_PASSPHRASE_LENGTH = 1024;

/**
 * A fresh recovery code: 128 random bits as `p2perc1` + 33 bech32m characters in groups of 4
 * (the same checksum and error location as identity codes). Write it down; it opens backups
 * sealed with it.
 */
export function generateRecoveryCode(options?: CreateOptions): string {
  return encodeRecoveryCode(randomOf(options)(RECOVERY_SECRET_LENGTH));
}

interface Header {
  readonly kdf: number;
  readonly salt: Uint8Array;
  readonly cost: number;
  readonly iterations: number;
  readonly parallelism: number;
  readonly nonce: Uint8Array;
}

function encodeHeader(h: Header): Uint8Array {
  const w = new ProtoWriter().uint(1, FORMAT_VERSION).uint(2, h.kdf).bytes(3, h.salt);
  if (h.kdf !== KDF_RECOVERY) w.uint(4, h.cost).uint(5, h.iterations).uint(6, h.parallelism);
  return w.bytes(7, h.nonce).finish();
}

function decodeHeader(bytes: Uint8Array): Header {
  const msg = ProtoMessage.decode(bytes, 256, 16);
  checkVersion(msg.requiredUint(1), FORMAT_VERSION, 'backup');
  msg.assertKnown([1, 2, 3, 4, 5, 6, 7]);
  const kdf = msg.requiredUint(2);
  if (kdf !== KDF_RECOVERY && kdf !== KDF_ARGON2ID && kdf !== KDF_SCRYPT) {
    throw new DecodeError('BACKUP_UNKNOWN_KDF', `backup KDF ${kdf} is unknown`);
  }
  const salt = msg.requiredBytes(3, { length: BACKUP_SALT_LENGTH });
  const nonce = msg.requiredBytes(7, { length: BACKUP_NONCE_LENGTH });
  if (kdf === KDF_RECOVERY) {
    if (msg.uint(4) !== undefined || msg.uint(5) !== undefined || msg.uint(6) !== undefined) {
      throw new DecodeError('BACKUP_KDF_PARAMS', 'recovery-code backup carries KDF parameters');
    }
    return { kdf, salt, cost: 0, iterations: 0, parallelism: 0, nonce };
  }
  return {
    kdf,
    salt,
    cost: msg.requiredUint(4),
    iterations: msg.requiredUint(5),
    parallelism: msg.requiredUint(6),
    nonce,
  };
}

/** Header numbers of a passphrase KDF; throws ValidationError on parameters that cannot work. */
function kdfHeader(kdf: PassphraseKdf): {
  kdf: number;
  cost: number;
  iterations: number;
  parallelism: number;
} {
  const h =
    kdf.name === 'argon2id'
      ? {
          kdf: KDF_ARGON2ID,
          cost: kdf.memoryKiB,
          iterations: kdf.iterations,
          parallelism: kdf.parallelism,
        }
      : kdf.name === 'scrypt'
        ? { kdf: KDF_SCRYPT, cost: kdf.logN, iterations: kdf.r, parallelism: kdf.p }
        : undefined;
  if (h === undefined || paramsProblem(h) !== undefined) {
    throw new ValidationError('BACKUP_KDF_PARAMS', `invalid passphrase KDF parameters`);
  }
  return h;
}

/** Why a header's KDF numbers are unusable (RFC 9106 §3.1, RFC 7914 §2), or undefined. */
function paramsProblem(h: {
  kdf: number;
  cost: number;
  iterations: number;
  parallelism: number;
}): string | undefined {
  // The header fields are uint32 (storage.proto); argon2id's p is below 2^24 (RFC 9106 §3.1).
  const ints = [h.cost, h.iterations, h.parallelism].every(
    (v) => Number.isSafeInteger(v) && v >= 1 && v <= 0xffff_ffff,
  );
  if (!ints) return 'parameters must be positive 32-bit integers';
  if (h.kdf === KDF_ARGON2ID && h.parallelism >= 2 ** 24) return 'argon2id needs p < 2^24';
  if (h.kdf === KDF_ARGON2ID && h.cost < 8 * h.parallelism) return 'argon2id needs m ≥ 8·p';
  // RFC 7914 §2: N a power of 2 greater than 1; @noble/hashes computes N ≤ 2^32.
  if (h.kdf === KDF_SCRYPT && (h.cost < 1 || h.cost > 32)) return 'scrypt log2 N out of range';
  return undefined;
}

function memoryBytes(h: Header): number {
  return h.kdf === KDF_ARGON2ID ? h.cost * 1024 : 128 * h.iterations * 2 ** h.cost * h.parallelism;
}

/** Memory × passes: what the KDF's running time grows with. */
function workBytes(h: Header): number {
  return h.kdf === KDF_ARGON2ID ? memoryBytes(h) * h.iterations : memoryBytes(h);
}

/** True when the header's KDF asks for more than `limits` allow. */
function exceedsLimits(h: Header, limits: KdfLimits): boolean {
  const maxWork = limits.maxWorkBytes ?? limits.maxMemoryBytes * limits.maxIterations;
  return (
    memoryBytes(h) > limits.maxMemoryBytes ||
    workBytes(h) > maxWork ||
    h.parallelism > limits.maxParallelism ||
    (h.kdf === KDF_ARGON2ID && h.iterations > limits.maxIterations)
  );
}

function normalisePassphrase(passphrase: unknown): Uint8Array {
  if (
    typeof passphrase !== 'string' ||
    passphrase.length === 0 ||
    passphrase.length > MAX_PASSPHRASE_LENGTH
  ) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"passphrase" expected a string of 1 to ${MAX_PASSPHRASE_LENGTH} characters`,
    );
  }
  return utf8(passphrase.normalize('NFKC'));
}

/**
 * What the key derivation needs: the input keying material at once (recovery code), or a
 * password to run through the header's KDF first.
 */
type KeyInput = { readonly ikm: Uint8Array } | { readonly password: Uint8Array };

function keyInput(header: Header, secret: BackupSecret): KeyInput {
  if (typeof secret !== 'object' || secret === null) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      '"secret" expected { recoveryCode } or { passphrase }',
    );
  }
  if (header.kdf === KDF_RECOVERY) {
    if (!('recoveryCode' in secret)) {
      throw new ValidationError('BACKUP_SECRET_KIND', 'this backup opens with a recovery code');
    }
    return { ikm: decodeRecoveryCode(secret.recoveryCode) };
  }
  if (!('passphrase' in secret)) {
    throw new ValidationError('BACKUP_SECRET_KIND', 'this backup opens with a passphrase');
  }
  return { password: normalisePassphrase(secret.passphrase) };
}

/** argon2id (RFC 9106) or scrypt (RFC 7914) with the header's parameters, sync or async. */
function passwordKdf(header: Header, password: Uint8Array, sync: true): Uint8Array;
function passwordKdf(header: Header, password: Uint8Array, sync: false): Promise<Uint8Array>;
function passwordKdf(
  header: Header,
  password: Uint8Array,
  sync: boolean,
): Uint8Array | Promise<Uint8Array> {
  // Our limits (checked before this is called) govern memory; this is @noble/hashes' own ceiling.
  const maxmem = 0xffff_ffff;
  const refused = (cause: unknown): LimitError =>
    new LimitError('BACKUP_KDF_TOO_COSTLY', 'backup KDF parameters cannot be computed here', {
      cause,
    });
  const { salt, cost, iterations, parallelism } = header;
  const argon = { m: cost, t: iterations, p: parallelism, dkLen: 32, maxmem };
  const scr = { N: 2 ** cost, r: iterations, p: parallelism, dkLen: 32, maxmem };
  const isArgon = header.kdf === KDF_ARGON2ID;
  try {
    if (sync) return isArgon ? argon2id(password, salt, argon) : scrypt(password, salt, scr);
    const pending = isArgon
      ? argon2idAsync(password, salt, argon)
      : scryptAsync(password, salt, scr);
    return pending.catch((cause: unknown) => {
      throw refused(cause);
    });
  } catch (cause) {
    // @noble/hashes checks its parameters (and its memory ceiling) before it allocates or works.
    throw refused(cause);
  }
}

function backupKey(crypto: CryptoBackend, header: Header, ikm: Uint8Array): Uint8Array {
  return crypto.hash('SHA256').hkdf(ikm, header.salt, utf8(LABEL_BACKUP_KEY), 32);
}

function associatedData(header: Uint8Array): Uint8Array {
  return concatBytes(utf8(LABEL_BACKUP_AD), Uint8Array.of(0), header);
}

export interface SealBackupOptions extends CreateOptions {
  /** The app's own state to keep with the identity (at most 1 MiB). */
  readonly appState?: Uint8Array;
  /**
   * The limits the backup will be opened with: a passphrase KDF beyond them is refused now, so
   * no one seals a backup that a restore with the same limits would refuse.
   * @default DEFAULT_KDF_LIMITS
   */
  readonly limits?: KdfLimits;
}

/**
 * Seals `identity` (and `appState`) into one backup file under a recovery code or a passphrase
 * (default KDF: DEFAULT_PASSPHRASE_KDF, about 1 s). Salt and nonce are fresh random bytes.
 */
export async function sealBackup(
  identity: Identity,
  secret: BackupSecret,
  options?: SealBackupOptions,
): Promise<Uint8Array> {
  const crypto = backendOf(options);
  const random = randomOf(options);
  const appState = options?.appState ?? new Uint8Array(0);
  if (!(appState instanceof Uint8Array) || appState.length > MAX_APP_STATE_BYTES) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"appState" expected Uint8Array of at most ${MAX_APP_STATE_BYTES} bytes`,
    );
  }
  if (typeof secret !== 'object' || secret === null) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      '"secret" expected { recoveryCode } or { passphrase }',
    );
  }
  const params =
    'recoveryCode' in secret
      ? { kdf: KDF_RECOVERY, cost: 0, iterations: 0, parallelism: 0 }
      : kdfHeader(secret.kdf ?? DEFAULT_PASSPHRASE_KDF);
  const header: Header = {
    ...params,
    salt: random(BACKUP_SALT_LENGTH),
    nonce: random(BACKUP_NONCE_LENGTH),
  };
  if (header.kdf !== KDF_RECOVERY && exceedsLimits(header, options?.limits ?? DEFAULT_KDF_LIMITS)) {
    throw new ValidationError(
      'BACKUP_KDF_PARAMS',
      'passphrase KDF parameters exceed the limits the backup would be opened with',
    );
  }
  const headerBytes = encodeHeader(header);
  const input = keyInput(header, secret);
  const ikm = 'ikm' in input ? input.ikm : await passwordKdf(header, input.password, false);
  const key = backupKey(crypto, header, ikm);
  ikm.fill(0);
  const payload = new ProtoWriter()
    .uint(1, FORMAT_VERSION)
    .bytes(2, encodeIdentity(identity))
    .bytes(3, appState)
    .finish();
  const ciphertext = crypto
    .aead('XChaChaPoly')
    .encrypt(key, header.nonce, payload, associatedData(headerBytes));
  key.fill(0);
  return new ProtoWriter().bytes(1, headerBytes).bytes(2, ciphertext).finish();
}

export interface OpenBackupOptions extends CryptoOptions {
  /** @default DEFAULT_KDF_LIMITS */
  readonly limits?: KdfLimits;
}

interface ParsedBackup {
  readonly headerBytes: Uint8Array;
  readonly header: Header;
  readonly ciphertext: Uint8Array;
}

/** Size limit, outer message, header, and the KDF parameters against the limits. */
function parseBackup(bytes: Uint8Array, limits: KdfLimits): ParsedBackup {
  const outer = ProtoMessage.decode(bytes, MAX_BACKUP_BYTES, 4);
  outer.assertKnown([1, 2]);
  const headerBytes = outer.requiredBytes(1, { maxLength: 256 });
  const ciphertext = outer.requiredBytes(2);
  const header = decodeHeader(headerBytes);
  if (header.kdf !== KDF_RECOVERY) {
    const problem = paramsProblem(header);
    if (problem !== undefined) throw new DecodeError('BACKUP_KDF_PARAMS', `backup KDF: ${problem}`);
    if (exceedsLimits(header, limits)) {
      throw new LimitError('BACKUP_KDF_TOO_COSTLY', 'backup KDF parameters exceed the limits');
    }
  }
  return { headerBytes, header, ciphertext };
}

/** Decrypts with the derived key (wiped after use) and reads the payload. */
function finishOpen(
  crypto: CryptoBackend,
  parsed: ParsedBackup,
  ikm: Uint8Array,
): { identity: Identity; appState: Uint8Array } {
  const key = backupKey(crypto, parsed.header, ikm);
  ikm.fill(0);
  let payload: Uint8Array;
  try {
    payload = crypto
      .aead('XChaChaPoly')
      .decrypt(key, parsed.header.nonce, parsed.ciphertext, associatedData(parsed.headerBytes));
  } catch (cause) {
    if (P2peError.is(cause, 'AEAD_AUTH_FAILED')) {
      throw new VerificationError(
        'BACKUP_AUTH_FAILED',
        'backup does not open: wrong recovery code or passphrase, or the file was changed',
        { cause },
      );
    }
    throw cause;
  } finally {
    key.fill(0);
  }
  const msg = ProtoMessage.decode(payload, MAX_BACKUP_BYTES, 8);
  checkVersion(msg.requiredUint(1), FORMAT_VERSION, 'backup payload');
  msg.assertKnown([1, 2, 3]);
  const identity = decodeIdentity(msg.requiredBytes(2, { maxLength: MAX_IDENTITY_STATE_BYTES }), {
    crypto,
  });
  const appState = copy(msg.bytes(3, { maxLength: MAX_APP_STATE_BYTES }) ?? new Uint8Array(0));
  return { identity, appState };
}

/**
 * Opens a backup: size limit, header (version, KDF and its parameters against `limits`), key
 * derivation, authenticated decryption over the exact header bytes, then the identity state.
 * The passphrase KDF runs in slices that yield to the event loop.
 * Errors: DecodeError/LimitError for malformed files; LimitError `BACKUP_KDF_TOO_COSTLY`;
 * ValidationError `BACKUP_SECRET_KIND` (passphrase for a recovery-code backup or the reverse);
 * CodeError for a mistyped recovery code; VerificationError `BACKUP_AUTH_FAILED` for a wrong
 * code or passphrase or any changed byte.
 */
export async function openBackup(
  bytes: Uint8Array,
  secret: BackupSecret,
  options?: OpenBackupOptions,
): Promise<{ identity: Identity; appState: Uint8Array }> {
  const parsed = parseBackup(bytes, options?.limits ?? DEFAULT_KDF_LIMITS);
  const input = keyInput(parsed.header, secret);
  const ikm = 'ikm' in input ? input.ikm : await passwordKdf(parsed.header, input.password, false);
  return finishOpen(backendOf(options), parsed, ikm);
}

/**
 * `openBackup` without a promise, for tools and workers: it blocks for the whole KDF (about 1 s
 * with DEFAULT_PASSPHRASE_KDF). Same checks and errors.
 */
export function openBackupSync(
  bytes: Uint8Array,
  secret: BackupSecret,
  options?: OpenBackupOptions,
): { identity: Identity; appState: Uint8Array } {
  const parsed = parseBackup(bytes, options?.limits ?? DEFAULT_KDF_LIMITS);
  const input = keyInput(parsed.header, secret);
  const ikm = 'ikm' in input ? input.ikm : passwordKdf(parsed.header, input.password, true);
  return finishOpen(backendOf(options), parsed, ikm);
}
