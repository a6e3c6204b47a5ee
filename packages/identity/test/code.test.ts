import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BECH32_CHARSET, decodeRecoveryCode, encodeRecoveryCode } from '../src/code';
import { CODE_LENGTH, CodeError, identityCode, parseIdentityCode } from '../src/index';
import { errorOf } from './helpers';

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const PREFIX = 'p2pe1';

/** Replaces the data character at `position` (0-based, after "p2pe1") of a compact code. */
function substitute(code: string, position: number, replacement: string): string {
  const at = PREFIX.length + position;
  return code.slice(0, at) + replacement + code.slice(at + 1);
}

describe('identity code', () => {
  test('round-trips every key, grouped and compact', () => {
    fc.assert(
      fc.property(key32, (key) => {
        const compact = identityCode(key, { grouped: false });
        expect(compact).toHaveLength(CODE_LENGTH);
        expect(parseIdentityCode(compact)).toEqual(key);
        expect(parseIdentityCode(identityCode(key))).toEqual(key);
      }),
      { numRuns: 200 },
    );
  });

  test('fits the 89-character bound of the bech32m error-detection guarantee', () => {
    expect(CODE_LENGTH).toBeLessThanOrEqual(89);
  });

  test('has no look-alike characters and reads in groups of 4', () => {
    fc.assert(
      fc.property(key32, (key) => {
        const grouped = identityCode(key);
        expect(grouped.startsWith(`${PREFIX} `)).toBe(true);
        expect(grouped.slice(PREFIX.length)).not.toMatch(/[1bio]/);
        const data = grouped.slice(PREFIX.length).trim().split(' ');
        expect(data.slice(0, -1).every((g) => g.length === 4)).toBe(true);
        expect(data.join('')).toMatch(/^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/);
      }),
      { numRuns: 50 },
    );
  });

  test('accepts any case, spaces, dashes and line breaks, and the o/i/b/1 look-alikes', () => {
    fc.assert(
      fc.property(key32, fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (key, upper) => {
        const compact = identityCode(key, { grouped: false });
        const mixed = [...compact].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
        expect(parseIdentityCode(mixed)).toEqual(key);
        const dashed = `${compact.slice(0, 5)}-${compact.slice(5, 20)}\n ${compact.slice(20)}`;
        expect(parseIdentityCode(dashed)).toEqual(key);
        const lookAlikes = compact
          .slice(PREFIX.length)
          .replace(/0/g, 'O')
          .replace(/l/g, 'I')
          .replace(/8/g, 'B');
        expect(parseIdentityCode(PREFIX + lookAlikes)).toEqual(key);
      }),
      { numRuns: 50 },
    );
  });

  test('every single substitution of one code is detected and located (exhaustive)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    const code = identityCode(key, { grouped: false });
    let tried = 0;
    for (let p = 0; p < CODE_LENGTH - PREFIX.length; p++) {
      for (const c of BECH32_CHARSET) {
        if (c === code[PREFIX.length + p]) continue;
        const e = errorOf(() => parseIdentityCode(substitute(code, p, c)));
        expect(e).toBeInstanceOf(CodeError);
        // A changed version symbol with a valid checksum cannot happen: the checksum covers it.
        expect(e.code).toBe('CODE_CHECKSUM');
        expect((e as CodeError).position).toBe(p);
        tried++;
      }
    }
    expect(tried).toBe(59 * 31);
  });

  test('every substitution of 1 to 4 characters is detected (sampled)', () => {
    const substitutions = fc
      .uniqueArray(fc.integer({ min: 0, max: 58 }), { minLength: 1, maxLength: 4 })
      .chain((positions) =>
        fc.tuple(
          fc.constant(positions),
          fc.array(fc.integer({ min: 1, max: 31 }), {
            minLength: positions.length,
            maxLength: positions.length,
          }),
        ),
      );
    fc.assert(
      fc.property(key32, substitutions, (key, [positions, deltas]) => {
        let code = identityCode(key, { grouped: false });
        positions.forEach((p, i) => {
          const old = BECH32_CHARSET.indexOf(code[PREFIX.length + p]!);
          code = substitute(code, p, BECH32_CHARSET[(old + deltas[i]!) % 32]!);
        });
        const e = errorOf(() => parseIdentityCode(code));
        expect(['CODE_CHECKSUM']).toContain(e.code);
        if (positions.length === 1) expect((e as CodeError).position).toBe(positions[0]);
      }),
      { numRuns: 2000 },
    );
  });

  test('a missing or an extra character is detected and usually located', () => {
    fc.assert(
      fc.property(key32, fc.nat(58), fc.constantFrom(...BECH32_CHARSET), (key, p, c) => {
        const code = identityCode(key, { grouped: false });
        const at = PREFIX.length + p;
        const missing = errorOf(() => parseIdentityCode(code.slice(0, at) + code.slice(at + 1)));
        expect(missing.code).toBe('CODE_LENGTH');
        const mp = (missing as CodeError).position;
        // Deleting from a run of equal characters: the first place of the run is named.
        if (mp !== undefined) expect(code.slice(PREFIX.length + mp, at + 1)).toMatch(/^(.)\1*$/);
        const extra = errorOf(() => parseIdentityCode(code.slice(0, at) + c + code.slice(at)));
        expect(extra.code).toBe('CODE_LENGTH');
        const ep = (extra as CodeError).position;
        if (ep !== undefined) {
          const withExtra = code.slice(0, at) + c + code.slice(at);
          expect(withExtra.slice(PREFIX.length + ep, at + 1)).toMatch(/^(.)\1*$/);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a missing, extra or foreign character is named, never accepted', () => {
    const code = identityCode(new Uint8Array(32).fill(7), { grouped: false });
    expect(errorOf(() => parseIdentityCode(code.slice(0, -1))).code).toBe('CODE_LENGTH');
    expect(errorOf(() => parseIdentityCode(`${code}q`)).code).toBe('CODE_LENGTH');
    const foreign = errorOf(() => parseIdentityCode(substitute(code, 10, '!')));
    expect(foreign.code).toBe('CODE_CHARACTER');
    expect((foreign as CodeError).position).toBe(10);
    expect(errorOf(() => parseIdentityCode(`p2px1${code.slice(5)}`)).code).toBe('CODE_PREFIX');
    expect(errorOf(() => parseIdentityCode('')).code).toBe('CODE_PREFIX');
    expect(errorOf(() => parseIdentityCode('x'.repeat(5000))).code).toBe('CODE_LENGTH');
    expect(errorOf(() => parseIdentityCode(42 as unknown as string)).code).toBe('INVALID_ARGUMENT');
  });

  test('random text never parses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(() => parseIdentityCode(text)).toThrow(CodeError);
      }),
    );
  });

  test('rejects a key of the wrong length', () => {
    expect(errorOf(() => identityCode(new Uint8Array(31))).message).toBe(
      '"identityKey" expected Uint8Array of length 32, got length=31',
    );
  });
});

describe('recovery code', () => {
  test('round-trips and locates a single wrong character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(32), (secret, p) => {
        const code = encodeRecoveryCode(secret);
        expect(decodeRecoveryCode(code)).toEqual(secret);
        const compact = code.replace(/ /g, '');
        const at = 'p2perc1'.length + p;
        const old = BECH32_CHARSET.indexOf(compact[at]!);
        const bad = compact.slice(0, at) + BECH32_CHARSET[(old + 1) % 32] + compact.slice(at + 1);
        const e = errorOf(() => decodeRecoveryCode(bad));
        expect(e.code).toBe('CODE_CHECKSUM');
        expect((e as CodeError).position).toBe(p);
      }),
      { numRuns: 200 },
    );
  });

  test('an identity code is not a recovery code', () => {
    const code = identityCode(new Uint8Array(32));
    expect(errorOf(() => decodeRecoveryCode(code)).code).toBe('CODE_PREFIX');
  });
});
