/**
 * Node-only helpers (`@p2pe/sync/node`): the device secret in a key file with owner-only
 * permissions, and a LevelDB (classic-level) database for the store. Browsers and other
 * runtimes pass their own abstract-level database and secret to `EncryptedStore.open`.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  IoError,
  type RandomBytes,
  StateError,
  systemRandomBytes,
} from '@p2pe/transport-interfaces';
import { ClassicLevel } from 'classic-level';
import { DEVICE_SECRET_LENGTH } from './constants';
import type { LevelDatabase } from './store';

/**
 * Reads the 32-byte device secret from `path`, creating it (mode 0600, exclusive create) from
 * `random` when absent. Refuses a file that group or others can read or write (StateError
 * `KEYFILE_PERMISSIONS`) or of the wrong size (StateError `KEYFILE_CORRUPT`). POSIX permissions
 * are not checked on Windows, where the file's ACL must be set by other means.
 */
export async function loadOrCreateKeyFile(
  path: string,
  random: RandomBytes = systemRandomBytes,
): Promise<Uint8Array> {
  try {
    const handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      0o600,
    );
    try {
      await handle.writeFile(random(DEVICE_SECRET_LENGTH));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The new directory entry must reach the disk too, or a power cut could keep a store
    // encrypted under a key file that no longer exists.
    await syncDirectory(dirname(path));
  } catch (cause) {
    if (!(cause instanceof Error && 'code' in cause && cause.code === 'EEXIST')) {
      throw new IoError('KEYFILE_CREATE_FAILED', 'cannot create the key file', { cause });
    }
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new IoError('KEYFILE_READ_FAILED', 'cannot read the key file', { cause });
  }
  if (process.platform !== 'win32' && (Number(info.mode) & 0o077) !== 0) {
    throw new StateError(
      'KEYFILE_PERMISSIONS',
      `the key file is accessible to group or others (mode ${(Number(info.mode) & 0o777).toString(8)})`,
    );
  }
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(await handle.readFile());
    if (bytes.length !== DEVICE_SECRET_LENGTH) {
      throw new StateError(
        'KEYFILE_CORRUPT',
        `the key file holds ${bytes.length} bytes, expected ${DEVICE_SECRET_LENGTH}`,
      );
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** fsync of a directory (POSIX); where a platform cannot open one (Windows), nothing to do. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not supported here: the file itself was synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** A LevelDB database at `location` with the encodings the store uses. */
export function openLevelDatabase(location: string): LevelDatabase {
  return new ClassicLevel<Uint8Array, Uint8Array>(location, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  }) as unknown as LevelDatabase;
}
