import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { concatBytes, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  EncryptedStore,
  historyIdSet,
  type LevelDatabase,
  RecordKind,
  type StoreKdf,
} from '../src/index';
import { memoryDb } from './helpers';

const secret = new Uint8Array(32).fill(7);
const random = deterministicRandomForTestsOnly('store');

async function rawEntries(db: LevelDatabase): Promise<Array<[Uint8Array, Uint8Array]>> {
  const it = db.iterator({ keyEncoding: 'view', valueEncoding: 'view' });
  const out: Array<[Uint8Array, Uint8Array]> = [];
  for (;;) {
    const e = await it.next();
    if (e === undefined) break;
    out.push(e);
  }
  await it.close();
  return out;
}

const key = (n: number) => Uint8Array.of(RecordKind.HISTORY, n);

describe('encrypted store', () => {
  it('round-trips values and writes a batch atomically in one call', async () => {
    const db = memoryDb();
    const store = await EncryptedStore.open(db, { deviceSecret: secret }, { random });
    await store.write([store.put(key(1), utf8('one')), store.put(key(2), utf8('two'))]);
    expect(await store.get(key(1))).toEqual(utf8('one'));
    const seen: string[] = [];
    for await (const [, v] of store.scan(Uint8Array.of(RecordKind.HISTORY)))
      seen.push(new TextDecoder().decode(v));
    expect(seen).toEqual(['one', 'two']);
    await store.write([store.del(key(1))]);
    expect(await store.get(key(1))).toBeUndefined();
  });

  it('a wrong device secret fails at open with STORE_WRONG_SECRET', async () => {
    const db = memoryDb();
    const store = await EncryptedStore.open(db, { deviceSecret: secret }, { random });
    await store.close();
    await expect(
      EncryptedStore.open(db, { deviceSecret: new Uint8Array(32).fill(8) }, { random }),
    ).rejects.toMatchObject({ code: 'STORE_WRONG_SECRET', category: 'verification' });
  });

  it('every changed byte on disk is a STORE_RECORD_CORRUPT naming the record', async () => {
    const db = memoryDb();
    const store = await EncryptedStore.open(db, { deviceSecret: secret }, { random });
    await store.write([store.put(key(3), utf8('hello'))]);
    const [k, v] = (await rawEntries(db)).find(([rk]) => rk[0] === RecordKind.HISTORY)!;
    for (let i = 0; i < v.length; i++) {
      const flipped = v.slice();
      flipped[i]! ^= 0x40;
      await db.batch([{ type: 'put', key: k, value: flipped }], {
        keyEncoding: 'view',
        valueEncoding: 'view',
      });
      const err = await store.get(k).catch((e: unknown) => e);
      expect(P2peError.is(err, 'STORE_RECORD_CORRUPT')).toBe(true);
      expect((err as Error).message).toContain(`history record ${toHex(k)}`);
    }
    // A truncated value too.
    await db.batch([{ type: 'put', key: k, value: v.subarray(0, 20) }], {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await expect(store.get(k)).rejects.toMatchObject({ code: 'STORE_RECORD_CORRUPT' });
  });

  it('a repeating random source never repeats a nonce for different records (hedged nonces)', async () => {
    const db = memoryDb();
    const stuck = (n: number) => new Uint8Array(n); // a broken RNG: always zeros
    const store = await EncryptedStore.open(db, { deviceSecret: secret }, { random: stuck });
    await store.write([
      store.put(key(1), utf8('one')),
      store.put(key(2), utf8('one')),
      store.put(key(3), utf8('two')),
    ]);
    await store.write([store.put(key(3), utf8('three'))]);
    const nonces = (await rawEntries(db))
      .filter(([k]) => k[0] === RecordKind.HISTORY)
      .map(([, v]) => toHex(v.subarray(1, 25)));
    expect(nonces).toHaveLength(3);
    expect(new Set([...nonces, toHex(new Uint8Array(24))]).size).toBe(4);
    const first = await store.get(key(3));
    expect(first).toEqual(utf8('three'));
    // The same record written twice with a working RNG gets two different nonces.
    const again = await EncryptedStore.open(memoryDb(), { deviceSecret: secret }, { random });
    const a = again.put(key(1), utf8('x'));
    const b = again.put(key(1), utf8('x'));
    expect(a.type === 'put' && b.type === 'put' && toHex(a.value) !== toHex(b.value)).toBe(true);
  });

  it('a value moved to another record key does not open (the key is authenticated)', async () => {
    const db = memoryDb();
    const store = await EncryptedStore.open(db, { deviceSecret: secret }, { random });
    await store.write([store.put(key(4), utf8('four'))]);
    const [, v] = (await rawEntries(db)).find(([rk]) => rk[0] === RecordKind.HISTORY)!;
    await db.batch([{ type: 'put', key: key(5), value: v }], {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await expect(store.get(key(5))).rejects.toMatchObject({ code: 'STORE_RECORD_CORRUPT' });
  });

  it('record keys and values reveal no conversation id or content', async () => {
    const { Pair } = await import('./helpers');
    const { ManualClock } = await import('@p2pe/transport-interfaces');
    const pair = await new Pair(
      new ManualClock(1000),
      deterministicRandomForTestsOnly('leak'),
    ).open();
    const conversation = utf8('alice-and-bob-secret-chat');
    const content = utf8('meet at the old mill at noon');
    await pair.outbox.send(conversation, content);
    await pair.outbox.pump();
    await pair.flush();
    for (const db of [pair.aliceDb, pair.bobDb]) {
      const all = await rawEntries(db);
      expect(all.length).toBeGreaterThan(1);
      for (const [k, v] of all) {
        for (const needle of [
          conversation,
          content,
          conversation.subarray(0, 8),
          content.subarray(0, 8),
        ]) {
          expect(toHex(k)).not.toContain(toHex(needle));
          expect(toHex(v)).not.toContain(toHex(needle));
        }
      }
    }
  });

  it('a passphrase goes through the given KDF; the wrong passphrase or another KDF is refused', async () => {
    const calls: number[] = [];
    // A stand-in for scrypt/Argon2id: the store only needs a 32-byte output per (passphrase, salt).
    const kdf: StoreKdf = {
      id: 'test-kdf',
      params: Uint8Array.of(1),
      derive: (p, salt) => {
        calls.push(salt.length);
        return deterministicRandomForTestsOnly(concatBytes(p, salt))(32);
      },
    };
    const db = memoryDb();
    const store = await EncryptedStore.open(
      db,
      { passphrase: utf8('correct horse'), kdf },
      { random },
    );
    await store.write([store.put(key(6), utf8('six'))]);
    await store.close();
    const again = await EncryptedStore.open(
      db,
      { passphrase: utf8('correct horse'), kdf },
      { random },
    );
    expect(await again.get(key(6))).toEqual(utf8('six'));
    await again.close();
    await expect(
      EncryptedStore.open(db, { passphrase: utf8('wrong horse'), kdf }, { random }),
    ).rejects.toMatchObject({ code: 'STORE_WRONG_SECRET' });
    await expect(
      EncryptedStore.open(
        db,
        { passphrase: utf8('correct horse'), kdf: { ...kdf, id: 'other' } },
        { random },
      ),
    ).rejects.toMatchObject({ code: 'STORE_KDF_MISMATCH' });
    await expect(
      EncryptedStore.open(db, { deviceSecret: secret }, { random }),
    ).rejects.toMatchObject({
      code: 'STORE_KDF_MISMATCH',
    });
    expect(calls.length).toBe(3);
  });

  it('every batch asks the database for a synchronous (fsynced) write unless durable is false', async () => {
    const seen: unknown[] = [];
    const spy = (db: LevelDatabase): LevelDatabase => {
      const batch = db.batch.bind(db);
      db.batch = (ops, options) => {
        seen.push(options.sync);
        return batch(ops, options);
      };
      return db;
    };
    const store = await EncryptedStore.open(spy(memoryDb()), { deviceSecret: secret }, { random });
    await store.write([store.put(key(1), utf8('one'))]);
    expect(seen).toEqual([true, true]); // the meta record, then the write
    seen.length = 0;
    const fast = await EncryptedStore.open(
      spy(memoryDb()),
      { deviceSecret: secret },
      { random, durable: false },
    );
    await fast.write([fast.put(key(1), utf8('one'))]);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('argument errors read like noble', async () => {
    await expect(
      EncryptedStore.open(memoryDb(), { deviceSecret: new Uint8Array(31) }),
    ).rejects.toThrow('"deviceSecret" expected Uint8Array of length 32, got length=31');
  });

  it('a closed store refuses use', async () => {
    const store = await EncryptedStore.open(memoryDb(), { deviceSecret: secret }, { random });
    await store.close();
    await expect(store.get(key(1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(String(store)).toBe('EncryptedStore([redacted])');
  });

  it('expired history drops out of the reconciliation set', async () => {
    const { Pair } = await import('./helpers');
    const { ManualClock } = await import('@p2pe/transport-interfaces');
    const clock = new ManualClock(1000);
    const pair = await new Pair(clock, deterministicRandomForTestsOnly('expiry')).open();
    await pair.outbox.send(utf8('c'), utf8('short'), { ttlMs: 1000 });
    await pair.outbox.send(utf8('c'), utf8('long'), { ttlMs: 100_000 });
    expect((await historyIdSet(pair.aliceStore, utf8('c'), clock.now())).size).toBe(2);
    clock.advance(1000);
    expect((await historyIdSet(pair.aliceStore, utf8('c'), clock.now())).size).toBe(1);
  });
});
