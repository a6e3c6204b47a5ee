/**
 * The runner: recognition over the whole shared folder, how a layer plugs in a format, how files
 * and directories are read, and that no bad input escapes as an exception.
 */
import { mkdirSync, readdirSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { nobleBackend } from '@p2pe/crypto';
import { DecodeError } from '@p2pe/transport-interfaces';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_VECTOR_FILE_BYTES } from '../src/constants';
import { emptyReport, type VectorFormat } from '../src/format';
import { detectFormats, knownFormats } from '../src/registry';
import { type RunEntry, readVectorFile, runVectors } from '../src/runner';
import { HAVE_SHARED_VECTORS, SHARED_VECTORS, tempDir } from './helpers';

/** A stand-in for a later layer's format: `{"format":"p2pe-demo-v1","cases":[{"ok":bool}]}`. */
const demoFormat: VectorFormat = {
  name: 'p2pe-demo',
  detect: (file) => (file.json as { format?: unknown } | undefined)?.format === 'p2pe-demo-v1',
  verify(file) {
    const report = emptyReport();
    for (const [i, c] of ((file.json as { cases: { ok: boolean }[] }).cases ?? []).entries()) {
      if (c.ok) report.passed++;
      else {
        report.failed++;
        report.failures.push(`case ${i}: not ok`);
      }
    }
    return report;
  },
};

const demo = (cases: boolean[]) =>
  JSON.stringify({ format: 'p2pe-demo-v1', cases: cases.map((ok) => ({ ok })) });

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let temp: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  temp?.remove();
  temp = undefined;
});

const verified = (entries: readonly RunEntry[]) =>
  entries.filter((e): e is Extract<RunEntry, { kind: 'verified' }> => e.kind === 'verified');

describe.skipIf(!HAVE_SHARED_VECTORS)('recognition over the shared vector folder', () => {
  it('no file is claimed by two formats; every Wycheproof and BLAKE2 file is claimed', () => {
    const files = walk(SHARED_VECTORS);
    expect(files.length).toBeGreaterThan(14);
    for (const path of files) {
      const claims = detectFormats(readVectorFile(path).file).map((f) => f.name);
      expect(claims.length, path).toBeLessThanOrEqual(1);
      if (/[/\\](wycheproof|blake2-pyca)[/\\]/.test(path)) expect(claims, path).toHaveLength(1);
    }
  });
});

describe('registry', () => {
  it('every known format has its own name', () => {
    const names = knownFormats.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('runVectors', () => {
  it('a later layer plugs its format in beside the known ones', () => {
    temp = tempDir();
    const path = temp.write('layer.json', demo([true, true, false]));
    const run = runVectors([path], {
      formats: [...knownFormats, demoFormat],
      backends: [nobleBackend],
    });
    expect(verified(run.entries)).toEqual([
      expect.objectContaining({ format: 'p2pe-demo', backend: 'noble' }),
    ]);
    expect(run).toMatchObject({ passed: 2, failed: 1, skipped: 0, exitCode: 1 });
  });

  it('runs every file once per backend and sums the counts over backends', () => {
    temp = tempDir();
    const path = temp.write('layer.json', demo([true, true]));
    const run = runVectors([path], { formats: [demoFormat] });
    expect(verified(run.entries).map((e) => e.backend)).toEqual(['noble', 'node']);
    expect(run).toMatchObject({ passed: 4, failed: 0, exitCode: 0 });
  });

  it('a format whose verify throws gives an error entry and exit 2, never an exception', () => {
    temp = tempDir();
    const path = temp.write('layer.json', demo([true]));
    for (const thrown of [
      new DecodeError('VECTOR_FILE_MALFORMED', 'bad shape'),
      new TypeError('x is undefined'),
    ]) {
      const broken: VectorFormat = {
        ...demoFormat,
        verify: () => {
          throw thrown;
        },
      };
      const run = runVectors([path], { formats: [broken], backends: [nobleBackend] });
      expect(run.exitCode).toBe(2);
      expect(run.entries).toEqual([
        { kind: 'error', path, message: expect.stringContaining(thrown.message) },
      ]);
    }
  });

  it('a detect that throws counts as not recognised', () => {
    temp = tempDir();
    const path = temp.write('layer.json', demo([true]));
    const throwing: VectorFormat = {
      ...demoFormat,
      detect: () => {
        throw new Error('boom');
      },
    };
    const run = runVectors([path], { formats: [throwing, demoFormat], backends: [nobleBackend] });
    expect(verified(run.entries)).toHaveLength(1);
  });

  it('walks directories recursively in name order, leaving out hidden entries, node_modules and linked directories', () => {
    temp = tempDir();
    temp.write('b.json', demo([true]));
    temp.write('a.json', demo([true]));
    mkdirSync(join(temp.dir, 'sub'));
    temp.write('sub/c.json', demo([true]));
    temp.write('.hidden.json', demo([false]));
    mkdirSync(join(temp.dir, 'node_modules'));
    temp.write('node_modules/d.json', demo([false]));
    symlinkSync(join(temp.dir, 'sub'), join(temp.dir, 'loop'));
    symlinkSync(temp.dir, join(temp.dir, 'sub', 'back'));
    const run = runVectors([temp.dir], { formats: [demoFormat], backends: [nobleBackend] });
    expect(run.entries.map((e) => e.path.slice(temp!.dir.length + 1))).toEqual([
      'a.json',
      'b.json',
      'sub/c.json',
    ]);
    expect(run.exitCode).toBe(0);
  });

  it('unknown files are errors (exit 2), or skipped with skipUnknown (exit unchanged)', () => {
    temp = tempDir();
    const unknown = temp.write('notes.md', '# not vectors\n');
    const good = temp.write('layer.json', demo([true]));
    const strict = runVectors([unknown, good], { formats: [demoFormat], backends: [nobleBackend] });
    expect(strict.exitCode).toBe(2);
    expect(strict.entries[0]).toEqual({ kind: 'error', path: unknown, message: 'no known format' });
    const lenient = runVectors([unknown, good], {
      formats: [demoFormat],
      backends: [nobleBackend],
      skipUnknown: true,
    });
    expect(lenient.exitCode).toBe(0);
    expect(lenient.entries[0]).toEqual({
      kind: 'skipped',
      path: unknown,
      message: 'no known format',
    });
  });

  it('an error outranks a failed case in the exit code', () => {
    temp = tempDir();
    const failing = temp.write('fail.json', demo([false]));
    const missing = join(temp.dir, 'missing.json');
    const run = runVectors([failing, missing], { formats: [demoFormat], backends: [nobleBackend] });
    expect(run).toMatchObject({ failed: 1, errors: 1, exitCode: 2 });
    expect(run.entries[1]).toEqual({
      kind: 'error',
      path: missing,
      message: 'no such file or directory',
    });
  });

  it('bad files become one-line reasons: not UTF-8, broken JSON, over the size limit', () => {
    temp = tempDir();
    const binary = temp.write('blob.bin', Uint8Array.of(0xff, 0xfe, 0x00, 0x80));
    const broken = temp.write('cut.json', '{"algorithm": "XDH", "testGroups": [\n  {"tests": [');
    const huge = temp.write('huge.json', '');
    truncateSync(huge, MAX_VECTOR_FILE_BYTES + 1); // sparse: nothing is written or read
    const run = runVectors([binary, broken, huge], { backends: [nobleBackend] });
    expect(run.exitCode).toBe(2);
    const messages = run.entries.map((e) => (e.kind === 'error' ? e.message : e.kind));
    expect(messages[0]).toBe('no known format (not UTF-8 text)');
    expect(messages[1]).toMatch(/^no known format \(not valid JSON: .+\)$/);
    expect(messages[2]).toBe(
      `${MAX_VECTOR_FILE_BYTES + 1} bytes, over the ${MAX_VECTOR_FILE_BYTES}-byte limit`,
    );
    for (const m of messages) expect(m).not.toMatch(/\n/);
  });
});
