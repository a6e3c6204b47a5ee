/**
 * Built-in passphrase KDFs of the encrypted store: argon2id (RFC 9106) and scrypt (RFC 7914) from
 * @noble/hashes, with the same parameter names and defaults as the identity package's encrypted
 * backup. Their parameters are stored in the clear in the store's meta record (storage.proto
 * `Argon2idParams` / `ScryptParams`) and are checked against `StoreKdfLimits` before any work
 * when a store is opened, so a crafted meta record cannot make us allocate gigabytes.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import {
  DecodeError,
  LimitError,
  ProtoMessage,
  ProtoWriter,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { DEVICE_SECRET_LENGTH } from './constants';

/**
 * Stretches a passphrase into the 32-byte device secret. It must be memory-hard. `id` and
 * `params` are stored in the clear in the meta record so the same KDF runs on the next open.
 * The ids `argon2id` and `scrypt` are reserved for the built-in KDFs (`argon2idKdf`,
 * `scryptKdf`): for them the store reads the parameters itself and runs its own implementation.
 */
export interface StoreKdf {
  /** Stable name, 1 to 64 bytes of UTF-8. */
  readonly id: string;
  /** The parameters, at most 256 bytes. */
  readonly params: Uint8Array;
  derive(passphrase: Uint8Array, salt: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** argon2id cost (RFC 9106 §3.1): memory in KiB, passes, lanes. */
export interface Argon2idParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

/** scrypt cost (RFC 7914 §2): log2 of N, block size r, parallelism p. */
export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Default argon2id cost: m = 64 MiB, t = 3, p = 1, as the identity package's backups (RFC 9106
 * §4's second recommended option with p = 1: @noble/hashes computes lanes one after another, so
 * more lanes would add time for us, not for an attacker). Measured with @noble/hashes 2.4 on
 * Node 20 on the 2-core machine of the design guide: about 1.0 s of CPU per open (1.4 to 3 s of
 * wall time while the machine was shared with other jobs). Phones and browsers take longer.
 */
export const DEFAULT_ARGON2ID_PARAMS: Argon2idParams = Object.freeze({
  memoryKiB: 65_536,
  iterations: 3,
  parallelism: 1,
});

/** Default scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB; about 0.5 s of CPU, measured as above). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ logN: 17, r: 8, p: 1 });

/**
 * The most a stored KDF header may ask for when a store is opened: the parameters come from the
 * database, so a crafted meta record must not make every start take minutes or all the memory.
 */
export interface StoreKdfLimits {
  /**
   * Largest argon2id memory (m KiB × 1024) or scrypt memory (128 · r · N · p), in bytes. 256 MiB
   * is twice the scrypt default and four times the argon2id default.
   * @default 268435456
   */
  readonly maxMemoryBytes: number;
  /** Largest argon2id t. @default 16 */
  readonly maxIterations: number;
  /** Largest argon2id / scrypt p. @default 16 */
  readonly maxParallelism: number;
}

export const defaultStoreKdfLimits: StoreKdfLimits = Object.freeze({
  maxMemoryBytes: 256 * 1024 * 1024,
  maxIterations: 16,
  maxParallelism: 16,
});

const ARGON2ID = 'argon2id';
const SCRYPT = 'scrypt';
const PARAMS_MAX_BYTES = 32;

/** argon2id with the given cost (default `DEFAULT_ARGON2ID_PARAMS`). */
export function argon2idKdf(params: Argon2idParams = DEFAULT_ARGON2ID_PARAMS): StoreKdf {
  const p = {
    memoryKiB: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
  };
  rangeCheck(ARGON2ID, [p.memoryKiB, p.iterations, p.parallelism], (problem) => {
    throw new ValidationError('STORE_KDF_PARAMS', `argon2id: ${problem}`);
  });
  return builtin(ARGON2ID, encodeParams([p.memoryKiB, p.iterations, p.parallelism]));
}

/** scrypt with the given cost (default `DEFAULT_SCRYPT_PARAMS`). */
export function scryptKdf(params: ScryptParams = DEFAULT_SCRYPT_PARAMS): StoreKdf {
  const p = { logN: params.logN, r: params.r, p: params.p };
  rangeCheck(SCRYPT, [p.logN, p.r, p.p], (problem) => {
    throw new ValidationError('STORE_KDF_PARAMS', `scrypt: ${problem}`);
  });
  return builtin(SCRYPT, encodeParams([p.logN, p.r, p.p]));
}

/**
 * TESTS ONLY: argon2id with 64 KiB and one pass, so a test suite can open many stores in
 * milliseconds. It gives a passphrase almost no protection: never use it for a real store.
 */
export const TEST_ONLY_WEAK_STORE_KDF: StoreKdf = argon2idKdf({
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
});

/** Whether `id` names a built-in KDF (whose parameters the store reads itself). */
export function isBuiltinKdf(id: string): boolean {
  return id === ARGON2ID || id === SCRYPT;
}

/**
 * The built-in KDF for a stored (or given) id and parameter bytes: the parameters are decoded
 * (DecodeError `STORE_KDF_PARAMS`) and checked against `limits` (LimitError
 * `STORE_KDF_TOO_COSTLY`) before anything is allocated.
 */
export function builtinKdf(id: string, params: Uint8Array, limits: StoreKdfLimits): StoreKdf {
  let values: number[];
  try {
    values = decodeParams(params);
  } catch (cause) {
    throw new DecodeError('STORE_KDF_PARAMS', `${id}: the parameters do not parse`, { cause });
  }
  const bad = (problem: string): never => {
    throw new DecodeError('STORE_KDF_PARAMS', `${id}: ${problem}`);
  };
  rangeCheck(id, values, bad);
  const [cost, second, lanes] = values as [number, number, number];
  const memory = id === ARGON2ID ? cost * 1024 : 128 * second * 2 ** cost * lanes;
  if (
    memory > limits.maxMemoryBytes ||
    lanes > limits.maxParallelism ||
    (id === ARGON2ID && second > limits.maxIterations)
  ) {
    throw new LimitError(
      'STORE_KDF_TOO_COSTLY',
      `${id} needs ${memory} bytes with p=${lanes}${id === ARGON2ID ? ` t=${second}` : ''}, over ` +
        `the KDF limits (${limits.maxMemoryBytes} bytes, t ≤ ${limits.maxIterations}, p ≤ ${limits.maxParallelism})`,
    );
  }
  return builtin(id, params);
}

function builtin(id: string, params: Uint8Array): StoreKdf {
  const [cost, second, lanes] = decodeParams(params) as [number, number, number];
  // noble's own memory cap, just above what the checked parameters need (defence in depth).
  const maxmem = (id === ARGON2ID ? cost * 1024 : 128 * second * (2 ** cost + lanes)) + 65_536;
  return Object.freeze({
    id,
    params: params.slice(),
    derive: (passphrase: Uint8Array, salt: Uint8Array): Promise<Uint8Array> =>
      id === ARGON2ID
        ? argon2idAsync(passphrase, salt, {
            m: cost,
            t: second,
            p: lanes,
            dkLen: DEVICE_SECRET_LENGTH,
            maxmem,
          })
        : scryptAsync(passphrase, salt, {
            N: 2 ** cost,
            r: second,
            p: lanes,
            dkLen: DEVICE_SECRET_LENGTH,
            maxmem,
          }),
  });
}

/** The RFC bounds of each KDF's parameters (RFC 9106 §3.1, RFC 7914 §2). */
function rangeCheck(id: string, values: number[], fail: (problem: string) => never): void {
  if (id !== ARGON2ID && id !== SCRYPT) fail('not a built-in KDF');
  if (!values.every((v) => Number.isSafeInteger(v) && v >= 1 && v <= 0xffff_ffff)) {
    fail('parameters must be integers in 1..2^32-1');
  }
  const [cost, second, lanes] = values as [number, number, number];
  if (id === ARGON2ID && cost < 8 * lanes) fail('m must be at least 8 · p');
  if (id === ARGON2ID && lanes > 0xff_ffff) fail('p must be below 2^24');
  if (id === SCRYPT && cost > 62) fail('log2 N must be at most 62');
  if (id === SCRYPT && second * lanes >= 2 ** 30) fail('r · p must be below 2^30');
}

/** storage.proto `Argon2idParams` / `ScryptParams`: three uint32 fields, all required. */
function encodeParams(values: number[]): Uint8Array {
  const w = new ProtoWriter();
  for (const [i, v] of values.entries()) w.uint(i + 1, v);
  return w.finish();
}

function decodeParams(bytes: Uint8Array): number[] {
  const m = ProtoMessage.decode(bytes, PARAMS_MAX_BYTES, 3);
  m.assertKnown([1, 2, 3]);
  return [m.requiredUint(1), m.requiredUint(2), m.requiredUint(3)];
}
