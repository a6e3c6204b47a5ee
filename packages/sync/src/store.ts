import { type CryptoBackend, equalBytes, nobleBackend } from '@p2pe/crypto';
import {
  assertBytes,
  concatBytes,
  DecodeError,
  IoError,
  ProtoMessage,
  ProtoWriter,
  type RandomBytes,
  StateError,
  systemRandomBytes,
  toHex,
  utf8,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  DEVICE_SECRET_LENGTH,
  INDEX_TAG_LENGTH,
  MAX_RECORD_BYTES,
  STORE_AEAD,
  STORE_LABELS,
  STORE_VERSION,
} from './constants';

/**
 * The part of abstract-level (v2/v3) the store uses. Any abstract-level database fits
 * (memory-level, classic-level, browser-level, a sublevel); every call passes the `view`
 * encodings, so the database's own default encodings do not matter.
 */
export interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: Uint8Array, options: ViewEncodings): Promise<Uint8Array | undefined>;
  batch(operations: LevelOperation[], options: ViewEncodings): Promise<void>;
  iterator(options: ViewEncodings & { gte?: Uint8Array; lt?: Uint8Array }): LevelIterator;
}

export interface ViewEncodings {
  keyEncoding: 'view';
  valueEncoding: 'view';
}

export interface LevelIterator {
  next(): Promise<[Uint8Array, Uint8Array] | undefined>;
  close(): Promise<void>;
}

export type LevelOperation =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

const VIEW: ViewEncodings = { keyEncoding: 'view', valueEncoding: 'view' };

/** Record kinds: the first byte of every record key (storage.proto lists the value of each). */
export const RecordKind = {
  META: 0x00,
  OUTBOX: 0x01,
  OUTBOX_INDEX: 0x02,
  OUTBOX_CONVERSATION: 0x03,
  INBOX_SEEN: 0x10,
  INBOX_PENDING: 0x11,
  INBOX_CONVERSATION: 0x12,
  HISTORY: 0x20,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

const KIND_NAMES: Record<number, string> = {
  0: 'meta',
  1: 'outbox',
  2: 'outbox-index',
  3: 'outbox-conversation',
  16: 'inbox-seen',
  17: 'inbox-pending',
  18: 'inbox-conversation',
  32: 'history',
};

/** Prints a record key for error messages: its kind and hex (record keys hold no user data). */
export function recordName(key: Uint8Array): string {
  return `${KIND_NAMES[key[0]!] ?? `kind-${key[0]}`} record ${toHex(key)}`;
}

/**
 * Stretches a passphrase into the 32-byte device secret. It must be memory-hard (scrypt or
 * Argon2id); `id` and `params` are stored in the clear in the meta record so the same KDF runs
 * on the next open. The store never calls a KDF it was not given.
 */
export interface StoreKdf {
  /** Stable name and parameters, e.g. `scrypt` with N, r, p encoded in `params`. */
  readonly id: string;
  readonly params: Uint8Array;
  derive(passphrase: Uint8Array, salt: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** Where the store's keys come from: a device secret (a key file) or a passphrase. */
export type StoreSecret =
  | { readonly deviceSecret: Uint8Array }
  | { readonly passphrase: Uint8Array; readonly kdf: StoreKdf };

export interface StoreOptions {
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  /** Nonces and the store salt. @default systemRandomBytes */
  readonly random?: RandomBytes;
}

const META_KEY = Uint8Array.of(RecordKind.META);
const META_MAX_BYTES = 1024;
const NONCE = 24;
const RECORD_AD = utf8('p2pe/sync/v1/record');

/** The meta record (storage.proto `StoreMeta`): format version, salt, KDF choice, check value. */
interface StoreMeta {
  version: number;
  salt: Uint8Array;
  kdfId: string;
  kdfParams: Uint8Array;
  check: Uint8Array;
}

function encodeMeta(meta: StoreMeta): Uint8Array {
  const w = new ProtoWriter().uint(1, meta.version).bytes(2, meta.salt);
  if (meta.kdfId !== '') w.string(3, meta.kdfId);
  if (meta.kdfParams.length > 0) w.bytes(4, meta.kdfParams);
  return w.bytes(5, meta.check).finish();
}

function decodeMeta(bytes: Uint8Array): StoreMeta {
  const m = ProtoMessage.decode(bytes, META_MAX_BYTES, 16);
  const version = m.requiredUint(1);
  if (version !== STORE_VERSION) {
    throw new DecodeError('STORE_VERSION', `unsupported store version ${version}`);
  }
  return {
    version,
    salt: m.requiredBytes(2, { length: 16 }),
    kdfId: m.string(3, 64) ?? '',
    kdfParams: m.bytes(4, { maxLength: 256 }) ?? new Uint8Array(0),
    check: m.requiredBytes(5, { maxLength: 128 }),
  };
}

/**
 * An abstract-level database whose every value is sealed with XChaCha20-Poly1305 under a key
 * derived (HKDF-SHA-256, RFC 5869) from the device secret and a per-store salt; record keys are
 * a kind byte followed by keyed hashes (HMAC-SHA-256) of ids and big-endian counters, so they
 * reveal no conversation or message ids. The record key is the AEAD's associated data: a value
 * moved to another key, a flipped byte or a wrong secret fails with a VerificationError naming
 * the record. Writes go through `write`, one atomic batch each.
 */
export class EncryptedStore {
  private readonly db: LevelDatabase;
  private readonly backend: CryptoBackend;
  private readonly random: RandomBytes;
  private readonly recordKey: Uint8Array;
  private readonly indexKey: Uint8Array;
  private closed = false;

  private constructor(
    db: LevelDatabase,
    keys: { recordKey: Uint8Array; indexKey: Uint8Array },
    backend: CryptoBackend,
    random: RandomBytes,
  ) {
    this.db = db;
    this.recordKey = keys.recordKey;
    this.indexKey = keys.indexKey;
    this.backend = backend;
    this.random = random;
  }

  /**
   * Opens (and on first use initialises) a store. Throws VerificationError `STORE_WRONG_SECRET`
   * when the secret does not match the one the store was created with, and DecodeError
   * `STORE_META_CORRUPT` when the meta record does not parse.
   */
  static async open(
    db: LevelDatabase,
    secret: StoreSecret,
    options: StoreOptions = {},
  ): Promise<EncryptedStore> {
    const backend = options.backend ?? nobleBackend;
    const random = options.random ?? systemRandomBytes;
    await ioCall('STORE_OPEN_FAILED', () => db.open());
    try {
      return await EncryptedStore.init(db, secret, backend, random);
    } catch (err) {
      // Leave no handle open on a store we refuse (a LevelDB lock would block the next try).
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  private static async init(
    db: LevelDatabase,
    secret: StoreSecret,
    backend: CryptoBackend,
    random: RandomBytes,
  ): Promise<EncryptedStore> {
    const raw = await ioCall('STORE_READ_FAILED', () => db.get(META_KEY, VIEW));
    let meta: StoreMeta | undefined;
    if (raw !== undefined) {
      try {
        meta = decodeMeta(raw);
      } catch (cause) {
        throw new DecodeError('STORE_META_CORRUPT', 'the store meta record does not parse', {
          cause,
        });
      }
    }
    const salt = meta?.salt ?? random(16);
    let deviceSecret: Uint8Array;
    let kdfId = '';
    let kdfParams: Uint8Array = new Uint8Array(0);
    if ('deviceSecret' in secret) {
      deviceSecret = assertBytes(secret.deviceSecret, 'deviceSecret', DEVICE_SECRET_LENGTH);
    } else {
      assertBytes(secret.passphrase, 'passphrase');
      kdfId = secret.kdf.id;
      kdfParams = secret.kdf.params;
      if (meta !== undefined && (meta.kdfId !== kdfId || !equalParams(meta.kdfParams, kdfParams))) {
        throw new StateError('STORE_KDF_MISMATCH', 'the store was created with another KDF');
      }
      const kdfSalt = concatBytes(utf8(STORE_LABELS.passphrase), salt);
      deviceSecret = assertBytes(
        await secret.kdf.derive(secret.passphrase, kdfSalt),
        'derived secret',
        DEVICE_SECRET_LENGTH,
      );
    }
    if (meta !== undefined && meta.kdfId !== kdfId) {
      throw new StateError('STORE_KDF_MISMATCH', 'the store was created with another secret kind');
    }
    const hash = backend.hash('SHA256');
    const prk = hash.hkdfExtract(deviceSecret, salt);
    const derive = (label: string) => hash.hkdfExpand(prk, utf8(label), 32);
    const keys = {
      recordKey: derive(STORE_LABELS.recordKey),
      indexKey: derive(STORE_LABELS.indexKey),
    };
    const checkKey = derive(STORE_LABELS.check);
    const aead = backend.aead(STORE_AEAD);
    const checkAd = concatBytes(utf8(STORE_LABELS.check), salt);
    if (meta === undefined) {
      const nonce = random(NONCE);
      const check = concatBytes(nonce, aead.encrypt(checkKey, nonce, new Uint8Array(0), checkAd));
      const bytes = encodeMeta({ version: STORE_VERSION, salt, kdfId, kdfParams, check });
      await ioCall('STORE_WRITE_FAILED', () =>
        db.batch([{ type: 'put', key: META_KEY, value: bytes }], VIEW),
      );
    } else {
      try {
        if (meta.check.length < NONCE) throw new Error('short');
        aead.decrypt(checkKey, meta.check.subarray(0, NONCE), meta.check.subarray(NONCE), checkAd);
      } catch {
        throw new VerificationError(
          'STORE_WRONG_SECRET',
          'the device secret does not open this store (meta check failed)',
        );
      }
    }
    return new EncryptedStore(db, keys, backend, random);
  }

  /** A keyed hash of `data` for use in record keys: 16 bytes of HMAC-SHA-256(indexKey, purpose || data). */
  tag(purpose: number, data: Uint8Array): Uint8Array {
    const mac = this.backend
      .hash('SHA256')
      .hmac(this.indexKey, concatBytes(Uint8Array.of(purpose), data));
    return mac.subarray(0, INDEX_TAG_LENGTH);
  }

  /** A `put` of `value`, sealed for `key`, to pass to `write`. */
  put(key: Uint8Array, value: Uint8Array): LevelOperation {
    this.checkOpen();
    if (key[0] === RecordKind.META) throw new ValidationError('INVALID_ARGUMENT', 'reserved key');
    const nonce = this.random(NONCE);
    const ad = concatBytes(RECORD_AD, Uint8Array.of(STORE_VERSION), key);
    const sealed = this.backend.aead(STORE_AEAD).encrypt(this.recordKey, nonce, value, ad);
    return {
      type: 'put',
      key: key.slice(),
      value: concatBytes(Uint8Array.of(STORE_VERSION), nonce, sealed),
    };
  }

  del(key: Uint8Array): LevelOperation {
    return { type: 'del', key: key.slice() };
  }

  /** Writes `operations` as one atomic batch. */
  async write(operations: LevelOperation[]): Promise<void> {
    this.checkOpen();
    if (operations.length === 0) return;
    await ioCall('STORE_WRITE_FAILED', () => this.db.batch(operations, VIEW));
  }

  /** The opened value of `key`, or undefined when absent. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.checkOpen();
    const raw = await ioCall('STORE_READ_FAILED', () => this.db.get(key, VIEW));
    return raw === undefined ? undefined : this.open(key, raw);
  }

  /** Every record whose key starts with `prefix`, in key order, opened. */
  async *scan(prefix: Uint8Array): AsyncGenerator<[Uint8Array, Uint8Array]> {
    this.checkOpen();
    const end = prefixEnd(prefix);
    const it = this.db.iterator({
      ...VIEW,
      gte: prefix,
      ...(end === undefined ? {} : { lt: end }),
    });
    try {
      for (;;) {
        const entry = await ioCall('STORE_READ_FAILED', () => it.next());
        if (entry === undefined) return;
        yield [entry[0], this.open(entry[0], entry[1])];
      }
    } finally {
      await it.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recordKey.fill(0);
    this.indexKey.fill(0);
    await ioCall('STORE_CLOSE_FAILED', () => this.db.close());
  }

  private open(key: Uint8Array, raw: Uint8Array): Uint8Array {
    if (raw.length > MAX_RECORD_BYTES + 1 + NONCE + 16) {
      throw new VerificationError(
        'STORE_RECORD_CORRUPT',
        `${recordName(key)}: ${raw.length} bytes is too large`,
      );
    }
    if (raw.length < 1 + NONCE + 16 || raw[0] !== STORE_VERSION) {
      throw new VerificationError(
        'STORE_RECORD_CORRUPT',
        `${recordName(key)}: bad framing (${raw.length} bytes, version ${raw[0]})`,
      );
    }
    const ad = concatBytes(RECORD_AD, Uint8Array.of(STORE_VERSION), key);
    try {
      return this.backend
        .aead(STORE_AEAD)
        .decrypt(this.recordKey, raw.subarray(1, 1 + NONCE), raw.subarray(1 + NONCE), ad);
    } catch (cause) {
      throw new VerificationError(
        'STORE_RECORD_CORRUPT',
        `${recordName(key)}: authentication failed (changed on disk, or another device secret)`,
        { cause },
      );
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StateError('STORE_CLOSED', 'the store is closed');
  }

  /** Debug output shows nothing secret. */
  toString(): string {
    return 'EncryptedStore([redacted])';
  }
}

function equalParams(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalBytes(a, b);
}

/** The first key after every key starting with `prefix`, or undefined when there is none. */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

async function ioCall<T>(code: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof Error && 'code' in cause && cause.code === 'LEVEL_DATABASE_NOT_OPEN') {
      throw new StateError('STORE_CLOSED', 'the database is not open', { cause });
    }
    throw new IoError(code, 'the database call failed', { cause });
  }
}
