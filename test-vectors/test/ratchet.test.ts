/**
 * Our own `p2pe-ratchet-v1` transcripts (test-vectors/ratchet/, made by
 * scripts/generate-ratchet.ts from fixed seeds): the runner's format replays every case under both
 * backends, and a tampered copy (one flipped byte in a wire message, a handshake message, a
 * plaintext, or a missing random draw) fails with the case named.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { p2peRatchet, type RatchetVectorFile } from '../src/formats/ratchet';
import { readVectorFile } from '../src/runner';
import { BACKENDS, jsonFile, REPO_ROOT } from './helpers';

const DIR = join(REPO_ROOT, 'test-vectors', 'ratchet');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

function flipHex(hex: string, at: number): string {
  const i = Math.min(at, hex.length - 1);
  const c = Number.parseInt(hex[i]!, 16) ^ 1;
  return hex.slice(0, i) + c.toString(16) + hex.slice(i + 1);
}

describe('p2pe-ratchet-v1 transcripts', () => {
  it('there is one file per DH suite', () => {
    expect(FILES).toEqual(['ratchet-25519.json', 'ratchet-448.json', 'ratchet-p256.json']);
  });

  for (const name of FILES) {
    const file = readVectorFile(join(DIR, name)).file;
    const json = file.json as RatchetVectorFile;

    it(`${name}: detected, and every transcript has a handshake and 20+ messages both ways`, () => {
      expect(p2peRatchet.detect(file)).toBe(true);
      for (const c of json.cases) {
        const sends = c.steps.filter((s) => 'send' in s);
        expect(sends.length).toBeGreaterThanOrEqual(20);
        expect(new Set(sends.map((s) => ('send' in s ? s.from : '')))).toEqual(
          new Set(['initiator', 'responder']),
        );
        expect(c.steps.some((s) => 'deliver' in s && s.expect === 'duplicate')).toBe(true);
        expect(c.handshake.length).toBeGreaterThanOrEqual(2);
      }
    });

    for (const [backendName, backend] of BACKENDS) {
      it(`${name}: every case replays under ${backendName}`, () => {
        const report = p2peRatchet.verify(file, backend);
        expect(report.failures).toEqual([]);
        expect(report.passed).toBe(json.cases.length);
      });
    }

    it(`${name}: tampered copies fail, naming the case`, () => {
      const tamper = (edit: (j: RatchetVectorFile) => void): string[] => {
        const copy = structuredClone(json);
        edit(copy);
        const report = p2peRatchet.verify(jsonFile(copy), BACKENDS[1]![1]);
        expect(report.failed).toBe(1);
        return report.failures;
      };
      expect(
        tamper((j) => {
          const s = j.cases[0]!.steps.find((x) => 'send' in x && x.send === 5)!;
          if ('send' in s) s.wire = flipHex(s.wire, 40);
        })[0],
      ).toMatch(/^ik: .*message 5 differs/);
      expect(
        tamper((j) => {
          j.cases[1]!.handshake[0]!.message = flipHex(j.cases[1]!.handshake[0]!.message, 10);
        })[0],
      ).toMatch(/handshake message 0 differs/);
      expect(
        tamper((j) => {
          const s = j.cases[2]!.steps.find((x) => 'deliver' in x && x.expect === 'plaintext')!;
          if ('deliver' in s) s.plaintext = flipHex(s.plaintext!, 0);
        })[0],
      ).toMatch(/delivery of/);
      expect(tamper((j) => void j.cases[3]!.random.initiator.pop())[0]).toMatch(
        /random draw .* not in the vector/,
      );
    });
  }

  it('a file of another format is not claimed', () => {
    expect(p2peRatchet.detect(jsonFile({ format: 'p2pe-onion-v1', cases: [] }))).toBe(false);
    expect(p2peRatchet.detect(jsonFile([1, 2]))).toBe(false);
  });
});
