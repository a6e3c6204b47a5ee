/**
 * Shared helpers for the runner's tests: where the public vectors are, loading them, making
 * tampered copies in memory (the shared files are never edited), and running one format over a
 * file under both backends.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CryptoBackend } from '@p2pe/crypto';
import { nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { expect } from 'vitest';
import type { FileReport, VectorFile, VectorFormat } from '../src/format';
import { detectFormats } from '../src/registry';
import { readVectorFile } from '../src/runner';

/** The repository root (tests resolve paths from it, as CI does). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * The public vector folder, read in place: `P2PE_SHARED_VECTORS`, else `../shared/vectors` beside
 * the repository (where CI looks for it too). Tests on it are skipped when it is absent.
 */
export const SHARED_VECTORS = resolve(
  process.env.P2PE_SHARED_VECTORS ?? join(REPO_ROOT, '..', 'shared', 'vectors'),
);
export const HAVE_SHARED_VECTORS = existsSync(SHARED_VECTORS);

export const BACKENDS: readonly (readonly [string, CryptoBackend])[] = [
  ['noble', nobleBackend],
  ['node', nodeBackend],
];

export function sharedPath(relative: string): string {
  return join(SHARED_VECTORS, relative);
}

/** Reads a shared vector file with the runner's own reader. */
export function loadShared(relative: string): VectorFile {
  return readVectorFile(sharedPath(relative)).file;
}

/** A VectorFile from a JSON value (a tampered copy lives only in memory). */
export function jsonFile(json: unknown, path = 'memory.json'): VectorFile {
  return { path, text: JSON.stringify(json), json: structuredClone(json) };
}

export function textFile(text: string, path = 'memory.txt'): VectorFile {
  return { path, text, json: undefined };
}

export interface Case {
  tcId: number;
  result: string;
  flags: string[];
  [field: string]: unknown;
}
export interface Group {
  tests: Case[];
  [field: string]: unknown;
}
export interface Wycheproof {
  numberOfTests: number;
  testGroups: Group[];
  [field: string]: unknown;
}

export function allCases(json: Wycheproof): { group: Group; test: Case }[] {
  return json.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));
}

/**
 * A small copy of a Wycheproof file: the cases `keep` picks (at most `limit`), in their groups,
 * with `numberOfTests` set to match. Small copies keep tamper tests fast on the slow curves.
 */
export function subset(
  json: Wycheproof,
  keep: (test: Case, group: Group) => boolean,
  limit = 12,
): Wycheproof {
  const copy = structuredClone(json);
  let left = limit;
  for (const group of copy.testGroups) {
    group.tests = group.tests.filter((t) => left > 0 && keep(t, group) && left-- > 0);
  }
  copy.testGroups = copy.testGroups.filter((g) => g.tests.length > 0);
  copy.numberOfTests = copy.testGroups.reduce((n, g) => n + g.tests.length, 0);
  return copy;
}

/** The first case (in file order) that `pick` selects; fails the test when there is none. */
export function findCase(json: Wycheproof, pick: (test: Case, group: Group) => boolean): Case {
  const found = allCases(json).find(({ group, test }) => pick(test, group));
  if (found === undefined) throw new Error('no case matches');
  return found.test;
}

/** The first case `pick` selects, and a copy of the file that holds only that case. */
export function isolate(
  json: Wycheproof,
  pick: (test: Case, group: Group) => boolean,
): { target: Case; small: Wycheproof } {
  const target = findCase(json, pick);
  return { target, small: subset(json, (t) => t.tcId === target.tcId, 1) };
}

/** Hex with one bit flipped at position `bit` (mod length); the hex of empty input is unchanged. */
export function flipHexBit(hex: string, bit = 0): string {
  if (hex.length === 0) return hex;
  const bytes = hex.match(/../g)!.map((b) => Number.parseInt(b, 16));
  const i = bit % (bytes.length * 8);
  bytes[i >> 3]! ^= 1 << (i & 7);
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Counts of `valid` / `invalid` / `acceptable` in the file, taken without the runner. */
export function resultCounts(json: Wycheproof): Record<string, number> {
  const counts: Record<string, number> = { valid: 0, invalid: 0, acceptable: 0 };
  for (const { test } of allCases(json)) counts[test.result] = (counts[test.result] ?? 0) + 1;
  return counts;
}

/** The file's format is `format` and no other. */
export function expectOnlyFormat(file: VectorFile, format: VectorFormat): void {
  expect(detectFormats(file).map((f) => f.name)).toEqual([format.name]);
}

/** Runs `format` over `file` with `backend`; a report whose counts add up to `total`. */
export function verifyCounted(
  format: VectorFormat,
  file: VectorFile,
  backend: CryptoBackend,
  total: number,
): FileReport {
  const report = format.verify(file, backend);
  expect(report.passed + report.failed + report.skipped).toBe(total);
  expect(report.failures.length).toBe(report.failed);
  return report;
}

/** The tcIds named in a report's failure lines. */
export function failedIds(report: FileReport): number[] {
  return report.failures.map((line) => Number(/^tcId (\d+)/.exec(line)?.[1] ?? Number.NaN));
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): {
  dir: string;
  write(name: string, data: string | Uint8Array): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'p2pe-vectors-'));
  return {
    dir,
    write(name, data) {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
