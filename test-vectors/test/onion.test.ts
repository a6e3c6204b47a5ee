/**
 * Our `p2pe-onion-v1` vectors (test-vectors/onion/*.json, written by
 * test-vectors/scripts/generate-onion.ts from fixed seeds): each file is verified under both
 * backends, and tampered copies must fail at the field that changed.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ONION_SUITES } from '@p2pe/onion';
import { describe, expect, it } from 'vitest';
import { generateOnionVectors } from '../scripts/generate-onion';
import { ONION_VECTOR_FORMAT, type OnionVectorFile, p2peOnion } from '../src/formats/onion';
import { readVectorFile } from '../src/runner';
import { BACKENDS, jsonFile, REPO_ROOT } from './helpers';

const DIR = join(REPO_ROOT, 'test-vectors', 'onion');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('p2pe-onion-v1 vectors', () => {
  it('there is one file per suite', () => {
    const suites = files.map(
      (f) => (readVectorFile(join(DIR, f)).file.json as OnionVectorFile).suite,
    );
    expect(suites.sort()).toEqual([...ONION_SUITES].sort());
  });

  it.each(files)(
    '%s: every case verifies under both backends (1 to 5 hops, with and without SURB)',
    (name) => {
      const file = readVectorFile(join(DIR, name)).file;
      expect(p2peOnion.detect(file)).toBe(true);
      const json = file.json as OnionVectorFile;
      expect(json.format).toBe(ONION_VECTOR_FORMAT);
      expect(json.cases.map((c) => c.hops.length)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 3]);
      expect(json.cases.filter((c) => c.surb !== undefined)).toHaveLength(5);
      for (const [, backend] of BACKENDS) {
        const report = p2peOnion.verify(file, backend);
        expect(report.failures).toEqual([]);
        expect(report).toMatchObject({ passed: json.cases.length, failed: 0, skipped: 0 });
      }
    },
  );

  it.each(files)('%s is what the generator writes today (no drift)', (name) => {
    const file = readVectorFile(join(DIR, name)).file;
    expect(generateOnionVectors((file.json as OnionVectorFile).suite)).toEqual(file.json);
  });

  it('a tampered packet, hop view or reply fails its case, naming the field', () => {
    const json = structuredClone(
      readVectorFile(join(DIR, 'x25519.json')).file.json,
    ) as OnionVectorFile;
    const flip = (hex: string, at: number) =>
      hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
    json.cases[4]!.packet = flip(json.cases[4]!.packet, 700);
    const view = json.cases[5]!.hops[1]!;
    view.replayTag = flip(view.replayTag, 0);
    const surb = json.cases[3]!.surb!;
    surb.replyHops.at(-1)!.sharedSecret = flip(surb.replyHops.at(-1)!.sharedSecret, 5);
    const report = p2peOnion.verify(jsonFile(json), BACKENDS[0]![1]);
    expect(report.failed).toBe(3);
    expect(report.failures).toEqual([
      '2-hops-with-surb: surb.replyHops[1].sharedSecret differs',
      '3-hops: packet differs',
      '3-hops-with-surb: hops[1].replayTag differs',
    ]);
  });

  it('a file that is not ours is not claimed; an unknown suite fails every case', () => {
    expect(p2peOnion.detect(jsonFile({ format: 'p2pe-ratchet-v1', cases: [], nodes: [] }))).toBe(
      false,
    );
    const report = p2peOnion.verify(
      jsonFile({ format: ONION_VECTOR_FORMAT, suite: 'X9', cases: [{}], nodes: [] }),
      BACKENDS[0]![1],
    );
    expect(report.failed).toBe(1);
  });
});
