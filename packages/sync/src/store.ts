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
import {
  argon2idKdf,
  builtinKdf,
  defaultStoreKdfLimits,
  isBuiltinKdf,
  type StoreKdf,
  type StoreKdfLimits,
} from './kdf';

/**
 * The part of abstract-level (v2/v3) the store uses. Any abstract-level database fits
 * (memory-level, classic-level, browser-level, a sublevel); every call passes the `view`
 * encodings, so the database's own default encodings do not matter.
 */
export interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: Uint8Array, options: ViewEncodings): Promise<Uint8Array | undefined>;
  /** `sync: true` asks the database to flush to the disk before it resolves (classic-level). */
  batch(operations: LevelOperation[], options: ViewEncodings & { sync?: boolean }): Promise<void>;
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
const VIEW_SYNC = { ...VIEW, sync: true };

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
 * Where the store's keys come from: a device secret (a key file) or a passphrase. `kdf` is the
 * KDF a new store is created with (default: `argon2idKdf()`, about 1 s per open). On an existing
 * store a built-in KDF (argon2id, scrypt) always runs with the id and parameters stored in the
 * store, whatever `kdf` says, so changing the default never locks anyone out; a custom KDF must be
 * passed again with the stored id and parameters. The app should normalise a typed passphrase
 * (e.g. `utf8(s.normalize('NFKC'))`) so that the same words give the same bytes everywhere.
 */
export type StoreSecret =
  | { readonly deviceSecret: Uint8Array }
  | { readonly passphrase: Uint8Array; readonly kdf?: StoreKdf };

export interface StoreOptions {
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  /** Nonces and the store salt. @default systemRandomBytes */
  readonly random?: RandomBytes;
  /** The most a stored KDF header may cost when the store is opened. @default defaultStoreKdfLimits */
  readonly kdfLimits?: Partial<StoreKdfLimits>;
  /**
   * Write every batch with `sync: true`, so a write has reached the disk (not only the operating
   * system) when `write` resolves: "on disk" then survives a power cut, not only a crash of the
   * process. That is what the outbox's and inbox's guarantees assume (an ack is signed only for
   * a stored message). Costs an fsync per batch; pass false only for data you can afford to lose.
   * @default true
   */
  readonly durable?: boolean;
}

const META_KEY = Uint8Array.of(RecordKind.META);
const META_MAX_BYTES = 1024;
const KDF_ID_MAX_BYTES = 64;
const KDF_PARAMS_MAX_BYTES = 256;
const PASSPHRASE_MAX_BYTES = 4096;
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
    kdfId: m.string(3, KDF_ID_MAX_BYTES) ?? '',
    kdfParams: m.bytes(4, { maxLength: KDF_PARAMS_MAX_BYTES }) ?? new Uint8Array(0),
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
  private readonly nonceKey: Uint8Array;
  private readonly writeOptions: ViewEncodings & { sync?: boolean };
  private closed = false;

  private constructor(
    db: LevelDatabase,
    keys: { recordKey: Uint8Array; indexKey: Uint8Array; nonceKey: Uint8Array },
    backend: CryptoBackend,
    random: RandomBytes,
    durable: boolean,
  ) {
    this.db = db;
    this.writeOptions = durable ? VIEW_SYNC : VIEW;
    this.recordKey = keys.recordKey;
    this.indexKey = keys.indexKey;
    this.nonceKey = keys.nonceKey;
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
    const limits = { ...defaultStoreKdfLimits, ...options.kdfLimits };
    await ioCall('STORE_OPEN_FAILED', () => db.open());
    try {
      return await EncryptedStore.init(
        db,
        secret,
        backend,
        random,
        limits,
        options.durable ?? true,
      );
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
    limits: StoreKdfLimits,
    durable: boolean,
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
      if (meta !== undefined && meta.kdfId !== '') {
        throw new StateError('STORE_KDF_MISMATCH', 'the store was created with a passphrase');
      }
    } else {
      const passphrase = assertBytes(secret.passphrase, 'passphrase');
      if (passphrase.length === 0 || passphrase.length > PASSPHRASE_MAX_BYTES) {
        throw new ValidationError(
          'INVALID_LENGTH',
          `"passphrase" expected 1..${PASSPHRASE_MAX_BYTES} bytes, got length=${passphrase.length}`,
        );
      }
      // The stored header is checked (and bounded) before the KDF does any work.
      const kdf = chooseKdf(meta, secret.kdf, limits);
      kdfId = kdf.id;
      kdfParams = kdf.params;
      const kdfSalt = concatBytes(utf8(STORE_LABELS.passphrase), salt);
      deviceSecret = assertBytes(
        await kdf.derive(passphrase, kdfSalt),
        'derived secret',
        DEVICE_SECRET_LENGTH,
      );
    }
    const hash = backend.hash('SHA256');
    const prk = hash.hkdfExtract(deviceSecret, salt);
    // A secret derived from the passphrase is ours to wipe; a device secret is the caller's.
    if (!('deviceSecret' in secret)) deviceSecret.fill(0);
    const derive = (label: string) => hash.hkdfExpand(prk, utf8(label), 32);
    const keys = {
      recordKey: derive(STORE_LABELS.recordKey),
      indexKey: derive(STORE_LABELS.indexKey),
      nonceKey: derive(STORE_LABELS.nonceKey),
    };
    const checkKey = derive(STORE_LABELS.check);
    prk.fill(0);
    const aead = backend.aead(STORE_AEAD);
    const checkAd = concatBytes(utf8(STORE_LABELS.check), salt);
    try {
      if (meta === undefined) {
        const nonce = random(NONCE);
        const check = concatBytes(nonce, aead.encrypt(checkKey, nonce, new Uint8Array(0), checkAd));
        const bytes = encodeMeta({ version: STORE_VERSION, salt, kdfId, kdfParams, check });
        await ioCall('STORE_WRITE_FAILED', () =>
          db.batch([{ type: 'put', key: META_KEY, value: bytes }], durable ? VIEW_SYNC : VIEW),
        );
      } else {
        try {
          if (meta.check.length < NONCE) throw new Error('short');
          aead.decrypt(
            checkKey,
            meta.check.subarray(0, NONCE),
            meta.check.subarray(NONCE),
            checkAd,
          );
        } catch {
          throw new VerificationError(
            'STORE_WRONG_SECRET',
            'the secret does not open this store (meta check failed)',
          );
        }
      }
    } finally {
      checkKey.fill(0);
    }
    return new EncryptedStore(db, keys, backend, random, durable);
  }

  /** A keyed hash of `data` for use in record keys: 16 bytes of HMAC-SHA-256(indexKey, purpose || data). */
  tag(purpose: number, data: Uint8Array): Uint8Array {
    this.checkOpen();
    const mac = this.backend
      .hash('SHA256')
      .hmac(this.indexKey, concatBytes(Uint8Array.of(purpose), data));
    return mac.subarray(0, INDEX_TAG_LENGTH);
  }

  /** A `put` of `value`, sealed for `key`, to pass to `write`. */
  put(key: Uint8Array, value: Uint8Array): LevelOperation {
    this.checkOpen();
    if (key[0] === RecordKind.META) throw new ValidationError('INVALID_ARGUMENT', 'reserved key');
    const ad = concatBytes(RECORD_AD, Uint8Array.of(STORE_VERSION), key);
    // A random nonce, hedged: hashed with the record key and value under a nonce key, so a
    // broken or repeating random source (a seeded one, a cloned VM) still gives distinct nonces
    // for distinct records, never keystream reuse. The nonce is stored, so reading is unchanged.
    const nonce = this.backend
      .hash('SHA256')
      .hmac(this.nonceKey, concatBytes(this.random(NONCE), u32(ad.length), ad, value))
      .subarray(0, NONCE);
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
    await ioCall('STORE_WRITE_FAILED', () => this.db.batch(operations, this.writeOptions));
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
    this.nonceKey.fill(0);
    await ioCall('STORE_CLOSE_FAILED', () => this.db.close());
  }

  private open(key: Uint8Array, raw: Uint8Array): Uint8Array {
    this.checkOpen(); // closed while the read was in flight: the keys are already wiped
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

/**
 * The KDF to run: for a new store the given one (default argon2id), checked so that its header
 * can be stored and read back; for an existing store the stored one (a built-in is rebuilt from
 * the stored parameters after checking them against `limits`; a custom one must be given again).
 */
function chooseKdf(
  meta: StoreMeta | undefined,
  given: StoreKdf | undefined,
  limits: StoreKdfLimits,
): StoreKdf {
  if (meta === undefined) {
    const kdf = given ?? argon2idKdf();
    const idBytes = typeof kdf.id === 'string' ? utf8(kdf.id).length : 0;
    if (idBytes === 0 || idBytes > KDF_ID_MAX_BYTES) {
      throw new ValidationError(
        'STORE_KDF_INVALID',
        `"kdf.id" expected 1..${KDF_ID_MAX_BYTES} bytes of UTF-8, got length=${idBytes}`,
      );
    }
    assertBytes(kdf.params, 'kdf.params');
    if (kdf.params.length > KDF_PARAMS_MAX_BYTES) {
      throw new ValidationError(
        'STORE_KDF_INVALID',
        `"kdf.params" expected at most ${KDF_PARAMS_MAX_BYTES} bytes, got length=${kdf.params.length}`,
      );
    }
    if (typeof kdf.derive !== 'function') {
      throw new ValidationError('STORE_KDF_INVALID', '"kdf.derive" expected a function');
    }
    // A built-in id always runs our implementation with its (checked) parameters.
    return isBuiltinKdf(kdf.id) ? builtinKdf(kdf.id, kdf.params, limits) : kdf;
  }
  if (meta.kdfId === '') {
    throw new StateError('STORE_KDF_MISMATCH', 'the store was created with a device secret');
  }
  if (isBuiltinKdf(meta.kdfId)) return builtinKdf(meta.kdfId, meta.kdfParams, limits);
  if (
    given === undefined ||
    given.id !== meta.kdfId ||
    !equalParams(meta.kdfParams, given.params)
  ) {
    throw new StateError('STORE_KDF_MISMATCH', 'the store was created with another KDF');
  }
  return given;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
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
