import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8 } from '@p2pe/transport-interfaces';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptedStore, RecordKind } from '../src/index';
import { loadOrCreateKeyFile, openLevelDatabase } from '../src/node';

const dir = mkdtempSync(join(tmpdir(), 'p2pe-sync-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('key file and LevelDB (Node)', () => {
  it('creates an owner-only key file once and reads the same secret back', async () => {
    const path = join(dir, 'device.key');
    const first = await loadOrCreateKeyFile(path);
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateKeyFile(path)).toEqual(first);
  });

  it('refuses a key file others can read, or of the wrong size', async () => {
    const open = join(dir, 'open.key');
    writeFileSync(open, new Uint8Array(32));
    chmodSync(open, 0o644);
    await expect(loadOrCreateKeyFile(open)).rejects.toMatchObject({ code: 'KEYFILE_PERMISSIONS' });
    const short = join(dir, 'short.key');
    writeFileSync(short, new Uint8Array(16), { mode: 0o600 });
    await expect(loadOrCreateKeyFile(short)).rejects.toMatchObject({ code: 'KEYFILE_CORRUPT' });
  });

  it('a store on LevelDB survives a reopen; another key file cannot open it', async () => {
    const location = join(dir, 'db');
    const secret = await loadOrCreateKeyFile(join(dir, 'db.key'));
    const store = await EncryptedStore.open(openLevelDatabase(location), { deviceSecret: secret });
    const key = Uint8Array.of(RecordKind.HISTORY, 1);
    await store.write([store.put(key, utf8('persisted'))]);
    await store.close();
    const again = await EncryptedStore.open(openLevelDatabase(location), { deviceSecret: secret });
    expect(await again.get(key)).toEqual(utf8('persisted'));
    await again.close();
    const other = await loadOrCreateKeyFile(join(dir, 'other.key'));
    await expect(
      EncryptedStore.open(openLevelDatabase(location), { deviceSecret: other }),
    ).rejects.toMatchObject({ code: 'STORE_WRONG_SECRET' });
  });
});
