/**
 * Our `p2pe-identity-v1` vectors (test-vectors/identity/*.json, written by
 * test-vectors/scripts/generate-identity.ts from fixed seeds): every file verifies under both
 * backends, the files are what the generator writes today, and tampered copies fail.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateIdentityVectors } from '../scripts/generate-identity';
import {
  IDENTITY_VECTOR_FORMAT,
  type IdentityVectorFile,
  p2peIdentity,
} from '../src/formats/identity';
import { readVectorFile } from '../src/runner';
import { BACKENDS, jsonFile, REPO_ROOT } from './helpers';

const DIR = join(REPO_ROOT, 'test-vectors', 'identity');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('p2pe-identity-v1 vectors', () => {
  it('covers keys, codes, records, invites, safety numbers, succession and backups', () => {
    expect(files.sort()).toEqual([
      'backups.json',
      'codes.json',
      'invites.json',
      'keys.json',
      'records.json',
      'safety.json',
      'succession.json',
    ]);
  });

  it.each(files)('%s: every case verifies under both backends', (name) => {
    const file = readVectorFile(join(DIR, name)).file;
    expect(p2peIdentity.detect(file)).toBe(true);
    const json = file.json as IdentityVectorFile;
    expect(json.format).toBe(IDENTITY_VECTOR_FORMAT);
    expect(json.cases.length).toBeGreaterThan(3);
    for (const [, backend] of BACKENDS) {
      const report = p2peIdentity.verify(file, backend);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ passed: json.cases.length, failed: 0, skipped: 0 });
    }
  });

  it('the files are what the generator writes today (no drift)', async () => {
    const generated = await generateIdentityVectors();
    for (const name of files) {
      expect(generated[name], name).toEqual(readVectorFile(join(DIR, name)).file.json);
    }
  });

  it('a tampered output or a wrongly expected error fails its case, naming it', () => {
    const load = (name: string) =>
      structuredClone(readVectorFile(join(DIR, name)).file.json) as IdentityVectorFile;
    const keys = load('keys.json');
    const k = keys.cases[0] as { peerId: string };
    k.peerId = (k.peerId[0] === '0' ? '1' : '0') + k.peerId.slice(1);
    const records = load('records.json');
    const stale = records.cases.find((c) => c.id === 'record-stale') as { error: string };
    stale.error = 'RECORD_EXPIRED';
    const valid = records.cases.find((c) => c.id === 'record-full') as { addresses: string[] };
    valid.addresses = ['/ip4/203.0.113.9/tcp/1'];
    const codes = load('codes.json');
    const single = codes.cases.find((c) => c.id === 'code-1-wrong-at-17') as { position: number };
    single.position = 18;
    const [, backend] = BACKENDS[1]!;
    const failures = [keys, records, codes].flatMap((json) => {
      const report = p2peIdentity.verify(jsonFile(json), backend);
      return report.failures;
    });
    expect(failures).toEqual([
      'key-1 (key): peerId differs',
      'record-full (record): addresses differs',
      'record-stale (record): threw RECORD_STALE, expected RECORD_EXPIRED',
      'code-1-wrong-at-17 (code): position 17, expected 18',
    ]);
  });

  it('is not detected for other files', () => {
    expect(p2peIdentity.detect(jsonFile({ format: 'p2pe-onion-v1', cases: [] }))).toBe(false);
    expect(p2peIdentity.detect(jsonFile([1, 2]))).toBe(false);
    const report = p2peIdentity.verify(jsonFile({ hello: 1 }), BACKENDS[0]![1]);
    expect(report.failed).toBe(1);
  });
});
