/**
 * pyca/cryptography vectors/cryptography_vectors/hashes/blake2/blake2s.txt (commit 0bf531b0,
 * Apache-2.0 OR BSD-3-Clause): 7 unkeyed BLAKE2s cases with 32-byte digests, `Len` in bits.
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

const FILE = 'blake2-pyca/blake2s.txt';
const HASH = 'BLAKE2s';
const DIGEST_BYTES = 32;
const OTHER = { hash: 'BLAKE2b', digestBytes: 64 };

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

describe.skipIf(!HAVE_SHARED_VECTORS)(`${FILE} (pyca-blake2)`, () => {
  it('is recognised by its content as pyca-blake2 and no other format', () => {
    const file = loadShared(FILE);
    expectOnlyFormat(file, pycaBlake2);
    expectOnlyFormat({ ...file, path: 'renamed.json' }, pycaBlake2);
    expect(blockCount(file.text)).toBe(7);
  });

  for (const [name, backend] of BACKENDS) {
    it(`verifies every case with 0 failures [${name}]`, () => {
      const file = loadShared(FILE);
      const report = verifyCounted(pycaBlake2, file, backend, 7);
      expect(report).toMatchObject({ passed: 7, failed: 0, skipped: 0 });
      expect(report.notes).toEqual([`hash by digest length: ${HASH}`]);
    });
  }

  it('a flipped digest nibble, in any block, fails that block only', () => {
    const { text } = loadShared(FILE);
    for (let i = 0; i < 7; i++) {
      const tampered = editLine(
        text,
        'MD = ',
        i,
        (l) => `${l.slice(0, -1)}${l.endsWith('0') ? '1' : '0'}`,
      );
      for (const [, backend] of BACKENDS) {
        const report = verifyCounted(pycaBlake2, textFile(tampered), backend, 7);
        expect(report.failed).toBe(1);
        expect(report.failures[0]).toContain(`${HASH} digest differs`);
      }
    }
  });

  it('a Len that disagrees with Msg fails as malformed', () => {
    const { text } = loadShared(FILE);
    const tampered = editLine(text, 'Len = ', 1, () => 'Len = 16');
    const report = verifyCounted(pycaBlake2, textFile(tampered), BACKENDS[0]![1], 7);
    expect(report.failures).toEqual([
      expect.stringMatching(/malformed: Len 16 but Msg has 1 bytes/),
    ]);
  });

  it('a digest of the other BLAKE2 length is checked as the other hash, and fails', () => {
    const { text } = loadShared(FILE);
    const hex = 'MD = '.length;
    const tampered = editLine(text, 'MD = ', 0, (l) =>
      l
        .slice(0, hex + Math.min(DIGEST_BYTES, OTHER.digestBytes) * 2)
        .padEnd(hex + OTHER.digestBytes * 2, '0'),
    );
    const report = verifyCounted(pycaBlake2, textFile(tampered), BACKENDS[0]![1], 7);
    expect(report.failures).toEqual([expect.stringContaining(`${OTHER.hash} digest differs`)]);
  });
});
