/**
 * The checks every Wycheproof vector file gets (each `*.test.ts` names its file and provenance and
 * adds the checks particular to it): recognised by exactly one format; every case verified with 0
 * failures on both backends; tampered copies in memory produce failures.
 */
import { DecodeError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VectorFormat } from '../src/format';
import {
  allCases,
  BACKENDS,
  type Case,
  expectOnlyFormat,
  failedIds,
  findCase,
  flipHexBit,
  type Group,
  HAVE_SHARED_VECTORS,
  jsonFile,
  loadShared,
  resultCounts,
  subset,
  verifyCounted,
  type Wycheproof,
} from './helpers';

export interface WycheproofFileSpec {
  /** Path under the shared vector folder. */
  readonly file: string;
  readonly format: VectorFormat;
  /** Cases in the file, as SOURCES.md counts them (valid/acceptable/invalid). */
  readonly counts: {
    readonly valid: number;
    readonly acceptable: number;
    readonly invalid: number;
  };
  /** The field holding a valid case's expected output or authenticator, to tamper with. */
  readonly outputField: string;
  /** Valid cases our API takes (tamper tests pick from these); default all. */
  readonly supported?: (test: Case, group: Group) => boolean;
  /** Valid cases expected to be skipped (parameters our API cannot express); default 0. */
  readonly expectedSkipped?: (json: Wycheproof) => number;
}

export function load(spec: WycheproofFileSpec): Wycheproof {
  return loadShared(spec.file).json as Wycheproof;
}

/** The generic checks; returns nothing, registers tests in the current `describe`. */
export function wycheproofChecks(spec: WycheproofFileSpec): void {
  const { format } = spec;
  const supported = spec.supported ?? (() => true);

  describe.skipIf(!HAVE_SHARED_VECTORS)(`${spec.file} (${format.name})`, () => {
    it('is recognised by its content as this format and no other', () => {
      const file = loadShared(spec.file);
      expectOnlyFormat(file, format);
      // The same content under another name is still recognised: detection ignores names.
      expectOnlyFormat({ ...file, path: 'renamed.bin' }, format);
    });

    it('holds the cases SOURCES.md lists', () => {
      const json = load(spec);
      expect(resultCounts(json)).toEqual(spec.counts);
      expect(json.numberOfTests).toBe(allCases(json).length);
    });

    for (const [name, backend] of BACKENDS) {
      it(`verifies every case with 0 failures [${name}]`, () => {
        const file = loadShared(spec.file);
        const json = file.json as Wycheproof;
        const report = verifyCounted(format, file, backend, json.numberOfTests);
        expect(report.failures).toEqual([]);
        expect(report.skipped).toBe(spec.expectedSkipped?.(json) ?? 0);
      });
    }

    it(`a flipped bit in a valid case's "${spec.outputField}" fails exactly that case`, () => {
      const json = load(spec);
      const candidates = allCases(json).filter(
        ({ group, test }) =>
          test.result === 'valid' &&
          supported(test, group) &&
          typeof test[spec.outputField] === 'string' &&
          (test[spec.outputField] as string).length > 0,
      );
      expect(candidates.length).toBeGreaterThan(0);
      fc.assert(
        fc.property(
          fc.nat({ max: candidates.length - 1 }),
          fc.nat(),
          fc.constantFrom(...BACKENDS),
          (index, bit, [, backend]) => {
            const target = candidates[index]!.test;
            const small = subset(json, (t) => t.tcId === target.tcId, 1);
            const tampered = small.testGroups[0]!.tests[0]!;
            tampered[spec.outputField] = flipHexBit(tampered[spec.outputField] as string, bit);
            const report = verifyCounted(format, jsonFile(small), backend, 1);
            expect(failedIds(report)).toEqual([target.tcId]);
          },
        ),
        { numRuns: 12 },
      );
    });

    it('a valid case relabelled invalid fails, and an invalid one relabelled valid fails', () => {
      const json = load(spec);
      const valid = findCase(json, (t, g) => t.result === 'valid' && supported(t, g));
      const invalid = allCases(json).find(
        ({ group, test }) => test.result === 'invalid' && supported(test, group),
      )?.test;
      const ids = [valid.tcId, ...(invalid ? [invalid.tcId] : [])];
      const small = subset(json, (t) => ids.includes(t.tcId), 2);
      for (const { test } of allCases(small))
        test.result = test.result === 'valid' ? 'invalid' : 'valid';
      for (const [, backend] of BACKENDS) {
        const report = verifyCounted(format, jsonFile(small), backend, ids.length);
        expect(failedIds(report).sort()).toEqual([...ids].sort());
      }
    });

    it('an acceptable case with a flag no rule documents fails', () => {
      const json = load(spec);
      const valid = findCase(json, (t, g) => t.result === 'valid' && supported(t, g));
      const small = subset(json, (t) => t.tcId === valid.tcId, 1);
      const test = small.testGroups[0]!.tests[0]!;
      test.result = 'acceptable';
      test.flags = ['NoSuchFlag'];
      const report = verifyCounted(format, jsonFile(small), BACKENDS[0]![1], 1);
      expect(report.failures).toEqual([
        expect.stringContaining('no documented rule for flag NoSuchFlag'),
      ]);
    });

    it('a case with a non-hex field fails as malformed and the others still run', () => {
      const json = load(spec);
      const small = subset(json, (t, g) => t.result === 'valid' && supported(t, g), 3);
      const broken = small.testGroups[0]!.tests[0]!;
      broken[spec.outputField] = 'zz';
      const report = verifyCounted(format, jsonFile(small), BACKENDS[0]![1], small.numberOfTests);
      expect(report.failed).toBe(1);
      expect(report.failures[0]).toMatch(new RegExp(`^tcId ${broken.tcId} .*malformed`));
      expect(report.passed).toBe(small.numberOfTests - 1);
    });

    it('a numberOfTests that disagrees with the file is a file error, not a case result', () => {
      const json = load(spec);
      const small = subset(json, () => true, 2);
      small.numberOfTests += 1;
      expect(() => format.verify(jsonFile(small), BACKENDS[0]![1])).toThrow(DecodeError);
    });
  });
}
