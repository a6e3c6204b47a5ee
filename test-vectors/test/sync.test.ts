/**
 * Our `p2pe-sync-v1` vectors (test-vectors/sync/reconcile.json and delivery.json, written by
 * test-vectors/scripts/generate-sync.ts from fixed seeds): verified under both backends, the
 * files match the generator, and tampered copies fail the case that changed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDeliveryVectors, generateSyncVectors } from '../scripts/generate-sync';
import { p2peSync, SYNC_VECTOR_FORMAT, type SyncVectorFile } from '../src/formats/sync';
import { readVectorFile } from '../src/runner';
import { BACKENDS, jsonFile, REPO_ROOT } from './helpers';

const PATH = join(REPO_ROOT, 'test-vectors', 'sync', 'reconcile.json');
const DELIVERY = join(REPO_ROOT, 'test-vectors', 'sync', 'delivery.json');

describe('p2pe-sync-v1 vectors', () => {
  it('every case verifies under both backends', () => {
    const file = readVectorFile(PATH).file;
    expect(p2peSync.detect(file)).toBe(true);
    const json = file.json as SyncVectorFile;
    expect(json.format).toBe(SYNC_VECTOR_FORMAT);
    expect(json.cases.filter((c) => c.type === 'reconcile').length).toBeGreaterThanOrEqual(8);
    for (const [, backend] of BACKENDS) {
      const report = p2peSync.verify(file, backend);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ passed: json.cases.length, failed: 0, skipped: 0 });
    }
  });

  it('the file is what the generator writes today (no drift)', () => {
    expect(generateSyncVectors()).toEqual(readVectorFile(PATH).file.json);
  });

  it('tampered fingerprints, transcripts and results fail their case', () => {
    const json = structuredClone(readVectorFile(PATH).file.json) as SyncVectorFile;
    const flip = (hex: string, at: number) =>
      hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
    const byId = (id: string) => json.cases.find((c) => c.id === id)!;
    const fp = byId('fp-100');
    if (fp.type === 'fingerprint') fp.children[3] = flip(fp.children[3]!, 2);
    const one = byId('one-missing');
    if (one.type === 'reconcile') one.transcript[1] = flip(one.transcript[1]!, 40);
    const both = byId('both-extra');
    if (both.type === 'reconcile') both.aNeed.pop();
    const report = p2peSync.verify(jsonFile(json), BACKENDS[0]![1]);
    expect(report.failed).toBe(3);
    expect(report.failures.join('\n')).toMatch(/fp-100: children/);
    expect(report.failures.join('\n')).toMatch(/one-missing: transcript message 1/);
    expect(report.failures.join('\n')).toMatch(/both-extra: aNeed/);
  });

  it('delivery vectors: every envelope and signed notice verifies under both backends', () => {
    const file = readVectorFile(DELIVERY).file;
    expect(p2peSync.detect(file)).toBe(true);
    const json = file.json as SyncVectorFile;
    expect(json.cases.map((c) => c.type).sort()).toEqual([
      'envelope',
      'envelope',
      'notice',
      'notice',
    ]);
    for (const [, backend] of BACKENDS) {
      const report = p2peSync.verify(file, backend);
      expect(report.failures).toEqual([]);
      expect(report).toMatchObject({ passed: json.cases.length, failed: 0, skipped: 0 });
    }
    expect(generateDeliveryVectors()).toEqual(json);
  });

  it('tampered delivery vectors fail their case', () => {
    const json = structuredClone(readVectorFile(DELIVERY).file.json) as SyncVectorFile;
    const flip = (hex: string, at: number) =>
      hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
    for (const c of json.cases) {
      if (c.type === 'notice' && c.kind === 'ack') c.signature = flip(c.signature, 10);
      if (c.type === 'notice' && c.kind === 'deletion') c.time += 1;
      if (c.type === 'envelope' && c.seq > 0) c.minSeq += 1;
    }
    const report = p2peSync.verify(jsonFile(json), BACKENDS[0]![1]);
    expect(report.failed).toBe(3);
    const text = report.failures.join('\n');
    expect(text).toMatch(/ack-one: signature/);
    expect(text).toMatch(/deletion-two: body/);
    expect(text).toMatch(/envelope-message: encoding/);
  });
});
