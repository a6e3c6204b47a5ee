/**
 * The checks every pyca BLAKE2 vector file gets (each `*.test.ts` names its file and provenance):
 * recognised by exactly one format; every block verified with 0 failures on both backends;
 * tampered copies in memory produce failures.
 */
import { describe, expect, it } from 'vitest';
import { pycaBlake2 } from '../src/formats/blake2';
import {
  BACKENDS,
  expectOnlyFormat,
  HAVE_SHARED_VECTORS,
  loadShared,
  textFile,
  verifyCounted,
} from './helpers';

export interface Blake2FileSpec {
  /** Path under the shared vector folder. */
  readonly file: string;
  /** The hash of the file's digests, as the format's notes and failures name it. */
  readonly hash: string;
  readonly digestBytes: number;
  /** The other BLAKE2 variant: a digest of its length is checked as that hash. */
  readonly other: { readonly hash: string; readonly digestBytes: number };
  /** Blocks (`Len`/`Msg`/`MD`) in the file, as SOURCES.md counts them. */
  readonly blocks: number;
}

/** The blocks of the file, counted without the runner. */
const blockCount = (text: string) => text.split('\n').filter((l) => l.startsWith('MD = ')).length;

/** The file with the `index`-th line that starts with `prefix` rewritten by `edit`. */
function editLine(text: string, prefix: string, index: number, edit: (line: string) => string) {
  let seen = -1;
  return text
    .split('\n')
    .map((line) => (line.startsWith(prefix) && ++seen === index ? edit(line) : line))
    .join('\n');
}

/** Registers the checks in a `describe` named after the file. */
export function pycaBlake2Checks(spec: Blake2FileSpec): void {
  const { file: path, hash, digestBytes, other, blocks } = spec;

  describe.skipIf(!HAVE_SHARED_VECTORS)(`${path} (pyca-blake2)`, () => {
    it('is recognised by its content as pyca-blake2 and no other format', () => {
      const file = loadShared(path);
      expectOnlyFormat(file, pycaBlake2);
      expectOnlyFormat({ ...file, path: 'renamed.json' }, pycaBlake2);
      expect(blockCount(file.text)).toBe(blocks);
    });

    for (const [name, backend] of BACKENDS) {
      it(`verifies every case with 0 failures [${name}]`, () => {
        const file = loadShared(path);
        const report = verifyCounted(pycaBlake2, file, backend, blocks);
        expect(report).toMatchObject({ passed: blocks, failed: 0, skipped: 0 });
        expect(report.notes).toEqual([`hash by digest length: ${hash}`]);
      });
    }

    it('a flipped digest nibble, in any block, fails that block only', () => {
      const { text } = loadShared(path);
      for (let i = 0; i < blocks; i++) {
        const tampered = editLine(
          text,
          'MD = ',
          i,
          (l) => `${l.slice(0, -1)}${l.endsWith('0') ? '1' : '0'}`,
        );
        for (const [, backend] of BACKENDS) {
          const report = verifyCounted(pycaBlake2, textFile(tampered), backend, blocks);
          expect(report.failed).toBe(1);
          expect(report.failures[0]).toContain(`${hash} digest differs`);
        }
      }
    });

    it('a Len that disagrees with Msg fails as malformed', () => {
      const { text } = loadShared(path);
      const tampered = editLine(text, 'Len = ', 1, () => 'Len = 16');
      const report = verifyCounted(pycaBlake2, textFile(tampered), BACKENDS[0]![1], blocks);
      expect(report.failures).toEqual([
        expect.stringMatching(/malformed: Len 16 but Msg has 1 bytes/),
      ]);
    });

    it('a digest of the other BLAKE2 length is checked as the other hash, and fails', () => {
      const { text } = loadShared(path);
      const hex = 'MD = '.length;
      const tampered = editLine(text, 'MD = ', 0, (l) =>
        l
          .slice(0, hex + Math.min(digestBytes, other.digestBytes) * 2)
          .padEnd(hex + other.digestBytes * 2, '0'),
      );
      const report = verifyCounted(pycaBlake2, textFile(tampered), BACKENDS[0]![1], blocks);
      expect(report.failures).toEqual([expect.stringContaining(`${other.hash} digest differs`)]);
    });
  });
}
