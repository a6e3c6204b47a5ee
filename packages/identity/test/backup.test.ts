import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type CodeError,
  encodeIdentity,
  generateRecoveryCode,
  type KdfLimits,
  openBackup,
  openBackupSync,
  sealBackup,
  TEST_ONLY_WEAK_KDF,
} from '../src/index';
import { asyncErrorOf, fixture, flipBit } from './helpers';

const crypto = nodeBackend;
/** Small limits for tests: flipped KDF parameters must not make a test run for minutes. */
const TEST_LIMITS: KdfLimits = { maxMemoryBytes: 1 << 20, maxIterations: 4, maxParallelism: 4 };
const WEAK_SCRYPT = { name: 'scrypt', logN: 4, r: 8, p: 1 } as const;

describe('backup', () => {
  test('restore with the recovery code gives back the same identity and app state', async () => {
    const random = deterministicRandomForTestsOnly('backup');
    const alice = fixture('alice');
    const code = generateRecoveryCode({ random });
    expect(code).toMatch(/^p2perc1( [a-z0-9]{1,4}){9}$/);
    const appState = new Uint8Array([1, 2, 3]);
    const file = await sealBackup(alice, { recoveryCode: code }, { random, crypto, appState });
    const back = await openBackup(file, { recoveryCode: code.toUpperCase() }, { crypto });
    expect(encodeIdentity(back.identity)).toEqual(encodeIdentity(alice));
    expect(back.appState).toEqual(appState);
  });

  test('restore with the passphrase (argon2id and scrypt) gives back the same identity', async () => {
    const alice = fixture('alice');
    for (const kdf of [TEST_ONLY_WEAK_KDF, WEAK_SCRYPT]) {
      const file = await sealBackup(alice, { passphrase: 'correct horse', kdf }, { crypto });
      const back = await openBackup(file, { passphrase: 'correct horse' }, { crypto });
      expect(encodeIdentity(back.identity)).toEqual(encodeIdentity(alice));
      expect(back.appState).toEqual(new Uint8Array(0));
      const again = openBackupSync(file, { passphrase: 'correct horse' }, { crypto });
      expect(encodeIdentity(again.identity)).toEqual(encodeIdentity(alice));
      expect(() => openBackupSync(file, { passphrase: 'wrong horse' }, { crypto })).toThrow(
        /wrong recovery code or passphrase/,
      );
    }
  });

  test('passphrases are compared after Unicode normalisation (NFKC)', async () => {
    const file = await sealBackup(
      fixture('alice'),
      { passphrase: 'caf\u00e9', kdf: TEST_ONLY_WEAK_KDF },
      { crypto },
    );
    const back = await openBackup(file, { passphrase: 'cafe\u0301' }, { crypto });
    expect(back.identity.publicKey).toEqual(fixture('alice').publicKey);
  });

  test('a wrong recovery code or passphrase gives BACKUP_AUTH_FAILED', async () => {
    const alice = fixture('alice');
    const random = deterministicRandomForTestsOnly('wrong');
    const code = generateRecoveryCode({ random });
    const other = generateRecoveryCode({ random });
    const file = await sealBackup(alice, { recoveryCode: code }, { crypto });
    expect((await asyncErrorOf(() => openBackup(file, { recoveryCode: other }))).code).toBe(
      'BACKUP_AUTH_FAILED',
    );
    const pfile = await sealBackup(alice, { passphrase: 'a', kdf: TEST_ONLY_WEAK_KDF }, { crypto });
    expect((await asyncErrorOf(() => openBackup(pfile, { passphrase: 'b' }))).code).toBe(
      'BACKUP_AUTH_FAILED',
    );
    expect((await asyncErrorOf(() => openBackup(pfile, { recoveryCode: code }))).code).toBe(
      'BACKUP_SECRET_KIND',
    );
    expect((await asyncErrorOf(() => openBackup(file, { passphrase: 'a' }))).code).toBe(
      'BACKUP_SECRET_KIND',
    );
  });

  test('a mistyped recovery code is caught by its checksum, with the position', async () => {
    const code = generateRecoveryCode({ random: deterministicRandomForTestsOnly('typo') });
    const file = await sealBackup(fixture('alice'), { recoveryCode: code }, { crypto });
    const compact = code.replace(/ /g, '');
    const at = 'p2perc1'.length + 5;
    const typo = compact.slice(0, at) + (compact[at] === 'q' ? 'p' : 'q') + compact.slice(at + 1);
    const e = await asyncErrorOf(() => openBackup(file, { recoveryCode: typo }));
    expect(e.code).toBe('CODE_CHECKSUM');
    expect((e as CodeError).position).toBe(5);
  });

  test('every flipped bit of a recovery-code backup fails with a typed error (exhaustive)', async () => {
    const code = generateRecoveryCode({ random: deterministicRandomForTestsOnly('flip') });
    const file = await sealBackup(fixture('alice'), { recoveryCode: code }, { crypto });
    for (let bit = 0; bit < file.length * 8; bit++) {
      const e = await asyncErrorOf(() =>
        openBackup(flipBit(file, bit), { recoveryCode: code }, { crypto, limits: TEST_LIMITS }),
      );
      expect(['decode', 'limit', 'verification']).toContain(e.category);
    }
  });

  test('any flipped bit of a passphrase backup fails with a typed error (sampled)', async () => {
    const file = await sealBackup(
      fixture('alice'),
      { passphrase: 'pw', kdf: TEST_ONLY_WEAK_KDF },
      { crypto },
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(file.length * 8 - 1), async (bit) => {
        const e = await asyncErrorOf(() =>
          openBackup(flipBit(file, bit), { passphrase: 'pw' }, { crypto, limits: TEST_LIMITS }),
        );
        expect(['decode', 'limit', 'verification']).toContain(e.category);
      }),
      { numRuns: 150 },
    );
  });

  test('a file asking for more KDF work than the limits is refused before any work', async () => {
    const file = await sealBackup(
      fixture('alice'),
      {
        passphrase: 'pw',
        kdf: { ...WEAK_SCRYPT, logN: 14 },
      },
      { crypto },
    );
    const e = await asyncErrorOf(() =>
      openBackup(file, { passphrase: 'pw' }, { crypto, limits: TEST_LIMITS }),
    );
    expect(e.code).toBe('BACKUP_KDF_TOO_COSTLY');
  });

  test('truncated, oversized and random files are refused with typed errors', async () => {
    const code = generateRecoveryCode();
    const file = await sealBackup(fixture('alice'), { recoveryCode: code }, { crypto });
    for (let n = 0; n < file.length; n += 7) {
      await asyncErrorOf(() => openBackup(file.subarray(0, n), { recoveryCode: code }));
    }
    expect(
      (await asyncErrorOf(() => openBackup(new Uint8Array(1_100_001), { recoveryCode: code })))
        .code,
    ).toBe('DECODE_TOO_LARGE');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await asyncErrorOf(() =>
          openBackup(bytes, { recoveryCode: code }, { limits: TEST_LIMITS }),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('bad arguments are refused before any work', async () => {
    const alice = fixture('alice');
    expect((await asyncErrorOf(() => sealBackup(alice, { passphrase: '' }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      (
        await asyncErrorOf(() =>
          sealBackup(alice, {
            passphrase: 'x',
            kdf: { name: 'argon2id', memoryKiB: 4, iterations: 1, parallelism: 1 },
          }),
        )
      ).code,
    ).toBe('BACKUP_KDF_PARAMS');
    expect(
      (await asyncErrorOf(() => sealBackup(alice, { recoveryCode: 'p2perc1qqqq' }))).code,
    ).toBe('CODE_LENGTH');
    expect(
      (
        await asyncErrorOf(() =>
          sealBackup(
            alice,
            { recoveryCode: generateRecoveryCode() },
            { appState: new Uint8Array(1_048_577) },
          ),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
  });
});
