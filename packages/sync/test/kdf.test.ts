import { argon2id } from '@noble/hashes/argon2.js';
import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { ProtoMessage, ProtoWriter, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  argon2idKdf,
  DEFAULT_ARGON2ID_PARAMS,
  DEFAULT_SCRYPT_PARAMS,
  EncryptedStore,
  type LevelDatabase,
  RecordKind,
  type StoreKdf,
  scryptKdf,
  TEST_ONLY_WEAK_STORE_KDF,
} from '../src/index';
import { memoryDb } from './helpers';

const VIEW = { keyEncoding: 'view', valueEncoding: 'view' } as const;
const META = Uint8Array.of(RecordKind.META);
const random = deterministicRandomForTestsOnly('kdf');
const PASS = utf8('correct horse battery staple');
const WEAK_SCRYPT = scryptKdf({ logN: 4, r: 8, p: 1 });
const key = Uint8Array.of(RecordKind.HISTORY, 1);

/** Creates a store with `kdf`, writes one record, closes it. */
async function created(kdf: StoreKdf): Promise<LevelDatabase> {
  const db = memoryDb();
  const store = await EncryptedStore.open(db, { passphrase: PASS, kdf }, { random });
  await store.write([store.put(key, utf8('secret value'))]);
  await store.close();
  return db;
}

/** Rewrites the stored meta record's KDF id (field 3) and/or parameters (field 4). */
async function tamperMeta(
  db: LevelDatabase,
  change: { id?: string; params?: Uint8Array },
): Promise<void> {
  await db.open();
  const raw = (await db.get(META, VIEW))!;
  const m = ProtoMessage.decode(raw, 1024);
  const w = new ProtoWriter().uint(1, m.requiredUint(1)).bytes(2, m.requiredBytes(2));
  const id = change.id ?? m.string(3);
  if (id !== undefined && id !== '') w.string(3, id);
  w.bytes(4, change.params ?? m.requiredBytes(4));
  w.bytes(5, m.requiredBytes(5));
  await db.batch([{ type: 'put', key: META, value: w.finish() }], VIEW);
  await db.close();
}

const params = (a: number, b: number, c: number) =>
  new ProtoWriter().uint(1, a).uint(2, b).uint(3, c).finish();

describe('built-in passphrase KDFs', () => {
  it('the right passphrase opens the store, a wrong one is STORE_WRONG_SECRET (argon2id and scrypt)', async () => {
    for (const kdf of [TEST_ONLY_WEAK_STORE_KDF, WEAK_SCRYPT]) {
      const db = await created(kdf);
      const store = await EncryptedStore.open(db, { passphrase: PASS, kdf }, { random });
      expect(await store.get(key)).toEqual(utf8('secret value'));
      await store.close();
      await expect(
        EncryptedStore.open(db, { passphrase: utf8('correct horse battery stapler'), kdf }),
      ).rejects.toMatchObject({ code: 'STORE_WRONG_SECRET', category: 'verification' });
    }
  });

  it('argon2id is RFC 9106 argon2id over the labelled salt (noble, same output)', async () => {
    const salt = random(40);
    const out = await TEST_ONLY_WEAK_STORE_KDF.derive(PASS, salt);
    expect(out).toEqual(argon2id(PASS, salt, { m: 64, t: 1, p: 1, dkLen: 32 }));
    expect(TEST_ONLY_WEAK_STORE_KDF.id).toBe('argon2id');
  });

  it('an existing store runs the KDF stored with it, whatever the caller passes', async () => {
    const db = await created(WEAK_SCRYPT);
    for (const kdf of [undefined, TEST_ONLY_WEAK_STORE_KDF, argon2idKdf()]) {
      const store = await EncryptedStore.open(
        db,
        kdf === undefined ? { passphrase: PASS } : { passphrase: PASS, kdf },
      );
      expect(await store.get(key)).toEqual(utf8('secret value'));
      await store.close();
    }
  });

  it('the documented defaults: argon2id m=64 MiB t=3 p=1 for a new store, scrypt N=2^17 r=8 p=1', async () => {
    expect(DEFAULT_ARGON2ID_PARAMS).toEqual({ memoryKiB: 65_536, iterations: 3, parallelism: 1 });
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ logN: 17, r: 8, p: 1 });
    expect(ProtoMessage.decode(argon2idKdf().params, 32).requiredUint(1)).toBe(65_536);
    // Without `kdf`, a new store asks for argon2id's 64 MiB (refused here by a 1 MiB limit, so
    // the test does not spend a second in the KDF).
    const db = memoryDb();
    const err = await EncryptedStore.open(
      db,
      { passphrase: PASS },
      { kdfLimits: { maxMemoryBytes: 1 << 20 } },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_KDF_TOO_COSTLY', category: 'limit' });
    expect((err as Error).message).toContain(`argon2id needs ${64 * 1024 * 1024} bytes`);
  });

  it('a stored header asking for gigabytes is refused before any work (STORE_KDF_TOO_COSTLY)', async () => {
    const db = await created(TEST_ONLY_WEAK_STORE_KDF);
    // 4 GiB of argon2id memory, then 2^40 × 8 × 128 bytes of scrypt: either would exhaust memory.
    for (const change of [
      { params: params(0xffff_ffff, 1, 1) },
      { params: params(2 ** 20, 1, 1) },
      { params: params(1, 1, 17) },
      { params: params(64, 17, 1) },
      { id: 'scrypt', params: params(40, 8, 1) },
    ]) {
      await tamperMeta(db, change);
      const started = performance.now();
      await expect(EncryptedStore.open(db, { passphrase: PASS })).rejects.toMatchObject({
        code: expect.stringMatching(/^STORE_KDF_(TOO_COSTLY|PARAMS)$/),
      });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('tampered KDF parameters are rejected: malformed, out of range, or merely different', async () => {
    const db = await created(TEST_ONLY_WEAK_STORE_KDF);
    const cases: Array<[{ id?: string; params?: Uint8Array }, string]> = [
      [{ params: Uint8Array.of(0xff, 0xff) }, 'STORE_KDF_PARAMS'], // does not parse
      [{ params: new ProtoWriter().uint(1, 64).uint(2, 1).finish() }, 'STORE_KDF_PARAMS'], // missing p
      [{ params: params(8, 1, 2) }, 'STORE_KDF_PARAMS'], // m < 8 p
      [{ params: params(64, 0, 1) }, 'STORE_KDF_PARAMS'], // t = 0
      [{ id: 'scrypt', params: params(63, 8, 1) }, 'STORE_KDF_PARAMS'], // log2 N > 62
      // In range but not what the store was made with: the key differs, the check fails.
      [{ params: params(72, 1, 1) }, 'STORE_WRONG_SECRET'],
      [{ id: 'scrypt', params: params(4, 8, 1) }, 'STORE_WRONG_SECRET'],
      [{ id: 'other-kdf' }, 'STORE_KDF_MISMATCH'],
      [{ id: '' }, 'STORE_KDF_MISMATCH'],
    ];
    for (const [change, code] of cases) {
      await tamperMeta(db, { id: 'argon2id', params: params(64, 1, 1) }); // restore
      await tamperMeta(db, change);
      await expect(
        EncryptedStore.open(db, { passphrase: PASS }),
        JSON.stringify(change),
      ).rejects.toMatchObject({ code });
    }
    // The original header opens again: nothing was written by the refused opens.
    await tamperMeta(db, { id: 'argon2id', params: params(64, 1, 1) });
    const store = await EncryptedStore.open(db, { passphrase: PASS });
    expect(await store.get(key)).toEqual(utf8('secret value'));
    await store.close();
  });

  it('a KDF whose header could not be read back is refused before the store is created', async () => {
    const derive = () => new Uint8Array(32).fill(1);
    const bad: StoreKdf[] = [
      { id: '', params: new Uint8Array(0), derive },
      { id: 'x'.repeat(65), params: new Uint8Array(0), derive },
      { id: 'custom', params: new Uint8Array(257), derive },
      { id: 'argon2id', params: Uint8Array.of(1, 2, 3), derive }, // a reserved id, bad params
    ];
    for (const kdf of bad) {
      const db = memoryDb();
      await expect(EncryptedStore.open(db, { passphrase: PASS, kdf })).rejects.toMatchObject({
        code: expect.stringMatching(/^STORE_KDF_(INVALID|PARAMS)$/),
      });
      // Nothing was written: a good KDF creates the store afterwards and opens it again.
      const good: StoreKdf = { id: 'custom', params: new Uint8Array(256), derive };
      await (await EncryptedStore.open(db, { passphrase: PASS, kdf: good })).close();
      await (await EncryptedStore.open(db, { passphrase: PASS, kdf: good })).close();
    }
  });

  it('bad parameters and passphrases are argument errors', async () => {
    expect(() => argon2idKdf({ memoryKiB: 4, iterations: 1, parallelism: 1 })).toThrowError(
      expect.objectContaining({ code: 'STORE_KDF_PARAMS' }),
    );
    expect(() => scryptKdf({ logN: 17, r: 0, p: 1 })).toThrowError(
      expect.objectContaining({ code: 'STORE_KDF_PARAMS' }),
    );
    await expect(
      EncryptedStore.open(memoryDb(), { passphrase: new Uint8Array(0) }),
    ).rejects.toThrow('"passphrase" expected 1..4096 bytes, got length=0');
  });
});
