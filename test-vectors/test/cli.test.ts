/**
 * The CLI: `verify [--backend noble|node|both] [--skip-unknown] <paths...>`, its output shape
 * and exit codes 0 / 1 / 2, through `main` with captured output and through a real process.
 */
import { spawnSync } from 'node:child_process';
import { join, relative, sep } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { MAX_PRINTED_FAILURES } from '../src/constants';
import {
  HAVE_SHARED_VECTORS,
  loadShared,
  REPO_ROOT,
  SHARED_VECTORS,
  sharedPath,
  tempDir,
  type Wycheproof,
} from './helpers';

function run(argv: string[], cwd = REPO_ROOT) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = main(argv, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), cwd });
  return { code, stdout, stderr };
}

const CLOSING = /^\d+ passed, \d+ failed, \d+ skipped$/;

let temp: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  temp?.remove();
  temp = undefined;
});

/** The shared HMAC-SHA256 file with the expected tag of every valid case changed. */
function tamperedHmac(): string {
  const json = loadShared('wycheproof/hmac_sha256_test.json').json as Wycheproof;
  let changed = 0;
  for (const g of json.testGroups) {
    for (const t of g.tests) {
      if (t.result !== 'valid') continue;
      t.tag = `${(t.tag as string).startsWith('0') ? '1' : '0'}${(t.tag as string).slice(1)}`;
      changed++;
    }
  }
  expect(changed).toBe(66);
  temp ??= tempDir();
  return temp.write('hmac_tampered.json', JSON.stringify(json));
}

describe.skipIf(!HAVE_SHARED_VECTORS)('verify over shared files', () => {
  it('exit 0: one line per file per backend, then exactly "N passed, M failed, K skipped"', () => {
    const { code, stdout, stderr } = run([
      'verify',
      sharedPath('wycheproof/hmac_sha256_test.json'),
    ]);
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    // Paths print relative to the working directory.
    const rel = relative(REPO_ROOT, sharedPath('wycheproof/hmac_sha256_test.json'))
      .split(sep)
      .join('/');
    expect(stdout).toEqual([
      expect.stringMatching(/^PASS wycheproof-mac {2,}/),
      expect.stringMatching(/^PASS wycheproof-mac {2,}/),
      '348 passed, 0 failed, 0 skipped',
    ]);
    expect(stdout[0]!.replace(/ {2,}/g, '  ')).toBe(
      `PASS wycheproof-mac  ${rel}  [noble]  174 passed, 0 failed, 0 skipped`,
    );
    expect(stdout[1]!.replace(/ {2,}/g, '  ')).toBe(
      `PASS wycheproof-mac  ${rel}  [node]  174 passed, 0 failed, 0 skipped`,
    );
    expect(stdout[2]).toBe('348 passed, 0 failed, 0 skipped');
  });

  it('--backend noble and --backend=node run one backend each', () => {
    const file = sharedPath('wycheproof/hkdf_sha256_test.json');
    for (const [args, backend] of [
      [['--backend', 'noble'], 'noble'],
      [['--backend=node'], 'node'],
    ] as const) {
      const { code, stdout } = run(['verify', ...args, file]);
      expect(code).toBe(0);
      expect(stdout.filter((l) => l.startsWith('PASS'))).toEqual([
        expect.stringContaining(`[${backend}]`),
      ]);
      expect(stdout.at(-1)).toBe('86 passed, 0 failed, 0 skipped');
    }
  });

  it('exit 1 on a failed case: FAIL line, failures listed and capped, closing line counts them', () => {
    const path = tamperedHmac();
    const { code, stdout } = run(['verify', '--backend', 'noble', path], temp!.dir);
    expect(code).toBe(1);
    expect(stdout[0]!.replace(/ {2,}/g, '  ')).toBe(
      'FAIL wycheproof-mac  hmac_tampered.json  [noble]  108 passed, 66 failed, 0 skipped',
    );
    const fails = stdout.filter((l) => l.startsWith('    fail: '));
    expect(fails).toHaveLength(MAX_PRINTED_FAILURES);
    expect(fails[0]).toMatch(/^ {4}fail: tcId \d+ \(valid; Pseudorandom\): rejected: tag differs$/);
    expect(stdout).toContain(`    … and ${66 - MAX_PRINTED_FAILURES} more failures`);
    expect(stdout.at(-1)).toBe('108 passed, 66 failed, 0 skipped');
  });

  it('--skip-unknown over the whole shared folder: unknown files listed as SKIP, 0 failed', () => {
    // One backend keeps this end-to-end run short; the per-file tests cover both.
    const { code, stdout, stderr } = run([
      'verify',
      '--backend',
      'node',
      '--skip-unknown',
      SHARED_VECTORS,
    ]);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).toContainEqual(expect.stringMatching(/^SKIP \S*SOURCES\.md: no known format$/));
    expect(stdout.at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
  }, 60_000);
});

describe('exit 2 with a one-line error', () => {
  const cases: [string, string | Uint8Array][] = [
    ['garbage.bin', Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff)],
    [
      'truncated.json',
      '{"algorithm":"XDH","schema":"xdh_comp_schema_v1.json","testGroups":[{"tests":[',
    ],
    ['prose.txt', 'these are not vectors\nat all\n'],
    ['empty.json', ''],
    ['other.json', '{"hello": "world"}'],
  ];
  for (const [name, content] of cases) {
    it(`${name}: one stderr line naming the file, no stack trace`, () => {
      temp = tempDir();
      const path = temp.write(name, content);
      const { code, stdout, stderr } = run(['verify', path], temp.dir);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(new RegExp(`^ERROR ${name.replace('.', '\\.')}: no known format`));
      expect(stdout).toEqual(['0 passed, 0 failed, 0 skipped']);
    });
  }

  it('a missing path', () => {
    const { code, stderr } = run(['verify', 'no/such/file.json']);
    expect(code).toBe(2);
    expect(stderr).toEqual(['ERROR no/such/file.json: no such file or directory']);
  });

  it('usage mistakes', () => {
    for (const argv of [
      [],
      ['check', 'x'],
      ['verify'],
      ['verify', '--backend', 'rust', 'x'],
      ['verify', '--fast', 'x'],
    ]) {
      const { code, stdout, stderr } = run(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stdout).toEqual([]);
      expect(stderr).toEqual([expect.stringMatching(/^error: .+; usage: vectors verify /)]);
    }
  });

  it('--skip-unknown turns unknown files into SKIP lines and keeps exit 0', () => {
    temp = tempDir();
    temp.write('prose.txt', 'not vectors\n');
    const { code, stdout, stderr } = run(['verify', '--skip-unknown', temp.dir], temp.dir);
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout).toEqual(['SKIP prose.txt: no known format', '0 passed, 0 failed, 0 skipped']);
  });
});

describe('as a process', () => {
  const cli = join(REPO_ROOT, 'test-vectors', 'src', 'cli.ts');
  const spawn = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });

  it('a garbage file: exit 2, one line on stderr, no stack trace', () => {
    temp = tempDir();
    const path = temp.write('garbage.json', '{"testGroups": [ {"tests": [ tru');
    const result = spawn(['verify', path]);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^ERROR .*garbage\.json: no known format \(not valid JSON/),
    ]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('0 passed, 0 failed, 0 skipped\n');
  }, 30_000);

  it.skipIf(!HAVE_SHARED_VECTORS)(
    'a good file: exit 0, closing line last',
    () => {
      const result = spawn(['verify', '--backend', 'node', sharedPath('blake2-pyca/blake2s.txt')]);
      expect(result.status).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^PASS pyca-blake2 +\S+blake2s\.txt {2}\[node\] {2}7 passed, 0 failed, 0 skipped$/,
      );
      expect(lines.at(-1)).toMatch(CLOSING);
      expect(lines.at(-1)).toBe('7 passed, 0 failed, 0 skipped');
    },
    30_000,
  );
});
