import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { ProtoWriter } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type CodeError,
  DEFAULT_PASSPHRASE_KDF,
  encodeIdentity,
  generateRecoveryCode,
  type KdfLimits,
  openBackup,
  openBackupSync,
  SCRYPT_PASSPHRASE_KDF,
  sealBackup,
  TEST_ONLY_WEAK_KDF,
} from '../src/index';
import { asyncErrorOf, errorOf, fixture, flipBit } from './helpers';

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

describe('backup KDF limits (hostile files)', () => {
  /** A backup file whose header asks for the given KDF work (its ciphertext is junk). */
  function craftedFile(kdf: number, cost: number, iterations: number, parallelism: number) {
    const header = new ProtoWriter()
      .uint(1, 1)
      .uint(2, kdf)
      .bytes(3, new Uint8Array(16))
      .uint(4, cost)
      .uint(5, iterations)
      .uint(6, parallelism)
      .bytes(7, new Uint8Array(24))
      .finish();
    return new ProtoWriter().bytes(1, header).bytes(2, new Uint8Array(64)).finish();
  }
  const ARGON2ID = 2;
  const SCRYPT = 3;

  test.each([
    ['argon2id with 1 GiB and 16 passes (over a minute)', ARGON2ID, 1 << 20, 16, 1],
    ['argon2id with 1 GiB and one pass (a 1 GiB allocation)', ARGON2ID, 1 << 20, 1, 1],
    ['argon2id with 256 MiB and 8 passes (10 times the default work)', ARGON2ID, 1 << 18, 8, 1],
    ['scrypt with N = 2^20, r = 8 (1 GiB)', SCRYPT, 20, 8, 1],
    ['scrypt with N = 2^16, r = 8, p = 16 (1 GiB of work)', SCRYPT, 16, 8, 16],
  ])('a file asking for %s is refused by default, before any work', (_name, kdf, c, t, p) => {
    const started = performance.now();
    const e = errorOf(() =>
      openBackupSync(craftedFile(kdf, c, t, p), { passphrase: 'pw' }, { crypto }),
    );
    expect(e.code).toBe('BACKUP_KDF_TOO_COSTLY');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('files with the default KDF parameters are within the default limits (the KDF runs)', () => {
    const d = DEFAULT_PASSPHRASE_KDF;
    const sc = SCRYPT_PASSPHRASE_KDF;
    if (d.name !== 'argon2id' || sc.name !== 'scrypt') throw new Error('unexpected defaults');
    const files = [
      craftedFile(ARGON2ID, d.memoryKiB, d.iterations, d.parallelism),
      craftedFile(SCRYPT, sc.logN, sc.r, sc.p),
    ];
    for (const file of files) {
      // Not refused by the limits: the KDF runs, and the junk ciphertext fails to open.
      expect(errorOf(() => openBackupSync(file, { passphrase: 'pw' }, { crypto })).code).toBe(
        'BACKUP_AUTH_FAILED',
      );
    }
  });

  test('sealing with a KDF beyond the limits a restore uses is refused (no unopenable backups)', async () => {
    const strong = { name: 'argon2id', memoryKiB: 1 << 19, iterations: 4, parallelism: 1 } as const;
    const e = await asyncErrorOf(() =>
      sealBackup(fixture('alice'), { passphrase: 'pw', kdf: strong }, { crypto }),
    );
    expect(e.code).toBe('BACKUP_KDF_PARAMS');
    const tooSmall = { maxMemoryBytes: 1 << 20, maxIterations: 1, maxParallelism: 1 };
    for (const kdf of [DEFAULT_PASSPHRASE_KDF, SCRYPT_PASSPHRASE_KDF]) {
      const refused = await asyncErrorOf(() =>
        sealBackup(fixture('alice'), { passphrase: 'pw', kdf }, { crypto, limits: tooSmall }),
      );
      expect(refused.code).toBe('BACKUP_KDF_PARAMS');
    }
  });

  test('any KDF parameters in a file: a typed refusal, or work within the limits', () => {
    const u32 = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constant(0xffff_ffff),
    );
    fc.assert(
      fc.property(fc.constantFrom(ARGON2ID, SCRYPT), u32, u32, u32, (kdf, c, t, p) => {
        const e = errorOf(() =>
          openBackupSync(
            craftedFile(kdf, c, t, p),
            { passphrase: 'pw' },
            { crypto, limits: TEST_LIMITS },
          ),
        );
        // Within TEST_LIMITS (1 MiB) the KDF runs and the junk ciphertext fails to open.
        expect(['BACKUP_KDF_PARAMS', 'BACKUP_KDF_TOO_COSTLY', 'BACKUP_AUTH_FAILED']).toContain(
          e.code,
        );
      }),
      { numRuns: 300 },
    );
  });

  test('parameters the KDF library cannot compute give a typed error, not a crash', async () => {
    const huge = { maxMemoryBytes: 2 ** 40, maxIterations: 16, maxParallelism: 16 };
    // 5 GiB is beyond @noble/hashes' ceiling: refused by it before any allocation.
    const e = errorOf(() =>
      openBackupSync(
        craftedFile(ARGON2ID, 5 << 20, 1, 1),
        { passphrase: 'pw' },
        { crypto, limits: huge },
      ),
    );
    expect(e.code).toBe('BACKUP_KDF_TOO_COSTLY');
    const a = await asyncErrorOf(() =>
      openBackup(craftedFile(SCRYPT, 33, 1, 1), { passphrase: 'pw' }, { crypto, limits: huge }),
    );
    expect(['BACKUP_KDF_PARAMS', 'BACKUP_KDF_TOO_COSTLY']).toContain(a.code);
  });
});
