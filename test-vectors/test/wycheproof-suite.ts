/**
 * The checks every Wycheproof vector file gets (each `*.test.ts` names its file and provenance and
 * adds the checks particular to it): recognised by exactly one format; every case verified with 0
 * failures on both backends; tampered copies in memory produce failures. Then the checks every
 * file of one schema gets (HKDF, HMAC, the ChaCha20-Poly1305 AEADs), and `expectRefusedWhenValid`
 * for the per-file checks that a flagged case is refused.
 */
import { DecodeError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VectorFormat } from '../src/format';
import type { FlagRules } from '../src/formats/wycheproof';
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
  isolate,
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
  /** The format's rules for `acceptable` flags: when given, every such flag in the file has one. */
  readonly rules?: FlagRules;
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

    const { rules } = spec;
    if (rules !== undefined) {
      it('documents a rule for every acceptable flag in the file', () => {
        const json = load(spec);
        const flags = new Set(
          json.testGroups.flatMap((g) =>
            g.tests.filter((t) => t.result === 'acceptable').flatMap((t) => t.flags),
          ),
        );
        for (const flag of flags) expect(rules, flag).toHaveProperty(flag);
      });
    }
  });
}

/**
 * The first case `pick` selects, alone and relabelled `valid`, fails on each of `backends` with
 * one failure matching `reason`: our code refuses that input.
 */
export function expectRefusedWhenValid(
  spec: WycheproofFileSpec,
  pick: (test: Case, group: Group) => boolean,
  reason: RegExp,
  backends = BACKENDS,
): void {
  const { small } = isolate(load(spec), pick);
  small.testGroups[0]!.tests[0]!.result = 'valid';
  for (const [, backend] of backends) {
    const report = verifyCounted(spec.format, jsonFile(small), backend, 1);
    expect(report.failures).toEqual([expect.stringMatching(reason)]);
  }
}

/** HKDF (`hkdf_test_schema_v1`): the output size is checked exactly, and bounded (RFC 5869 §2.3). */
export function hkdfChecks(spec: WycheproofFileSpec): void {
  describe.skipIf(!HAVE_SHARED_VECTORS)(`${spec.file}: HKDF output size`, () => {
    it('asking for one byte less than the vector gives a failure, not a prefix match', () => {
      const { target, small } = isolate(
        load(spec),
        (t) => t.result === 'valid' && (t.size as number) > 1,
      );
      small.testGroups[0]!.tests[0]!.size = (target.size as number) - 1;
      for (const [, backend] of BACKENDS) {
        expect(verifyCounted(spec.format, jsonFile(small), backend, 1).failed).toBe(1);
      }
    });

    it('an output size over 255·HashLen is refused (SizeTooLarge)', () => {
      expectRefusedWhenValid(spec, (t) => t.flags.includes('SizeTooLarge'), /rejected: /);
    });
  });
}

/**
 * HMAC (`mac_test_schema_v1`): tags truncated to a group's `tagSize` (below the hash's
 * `fullTagBits`) are compared at exactly that length.
 */
export function macTruncationChecks(spec: WycheproofFileSpec, fullTagBits: number): void {
  describe.skipIf(!HAVE_SHARED_VECTORS)(`${spec.file}: truncated tags`, () => {
    const truncated = () => {
      const json = load(spec);
      const tagSize = json.testGroups.find((g) => (g.tagSize as number) < fullTagBits)!.tagSize;
      const small = subset(json, (t, g) => g.tagSize === tagSize && t.result === 'valid', 2);
      expect(small.numberOfTests).toBe(2);
      return small;
    };

    it('compares exactly tagSize bits: a tag one byte longer or shorter fails', () => {
      const small = truncated();
      const [longer, shorter] = small.testGroups[0]!.tests;
      longer!.tag = `${longer!.tag as string}00`;
      shorter!.tag = (shorter!.tag as string).slice(0, -2);
      for (const [, backend] of BACKENDS) {
        expect(verifyCounted(spec.format, jsonFile(small), backend, 2).failed).toBe(2);
      }
    });

    it('the truncated valid cases pass as given', () => {
      for (const [, backend] of BACKENDS) {
        expect(verifyCounted(spec.format, jsonFile(truncated()), backend, 2).passed).toBe(2);
      }
    });
  });
}

/**
 * ChaCha20-Poly1305 and XChaCha20-Poly1305 (`aead_test_schema_v1`, one key and nonce size each):
 * ciphertext and AAD are both authenticated, and the `refusedForSize` invalid cases with a
 * wrong-size nonce pass only by being refused for their size, which the report says.
 */
export function chachaPolyChecks(spec: WycheproofFileSpec, refusedForSize: number): void {
  describe.skipIf(!HAVE_SHARED_VECTORS)(`${spec.file}: ChaCha20-Poly1305 family`, () => {
    it('a changed ciphertext or AAD in a valid case fails (encrypt and decrypt are both checked)', () => {
      const json = load(spec);
      const small = subset(json, (t) => t.result === 'valid' && t.msg !== '' && t.aad !== '', 2);
      const [a, b] = small.testGroups.flatMap((g) => g.tests);
      a!.ct = `${(a!.ct as string).slice(0, -2)}${(a!.ct as string).endsWith('00') ? '01' : '00'}`;
      b!.aad = `${b!.aad as string}00`;
      for (const [, backend] of BACKENDS) {
        const report = verifyCounted(spec.format, jsonFile(small), backend, 2);
        expect(report.failed).toBe(2);
      }
    });

    it('notes that wrong-size nonces passed only by being refused for their size', () => {
      const report = spec.format.verify(loadShared(spec.file), BACKENDS[0]![1]);
      expect(report.notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${refusedForSize} cases that must be refused passed only because our API refuses their parameters`,
          ),
        ),
      ]);
    });
  });
}
