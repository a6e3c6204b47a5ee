/**
 * Wycheproof x25519_test.json (C2SP/wycheproof testvectors_v1, snapshot dac1dd47, Apache-2.0),
 * schema xdh_comp_schema_v1: 518 cases, 264 valid, 254 acceptable.
 */
import { describe, expect, it } from 'vitest';
import { wycheproofXdh, XDH_RULES } from '../src/formats/xdh';
import {
  BACKENDS,
  failedIds,
  flipHexBit,
  HAVE_SHARED_VECTORS,
  isolate,
  jsonFile,
  verifyCounted,
} from './helpers';
import {
  expectRefusedWhenValid,
  load,
  type WycheproofFileSpec,
  wycheproofChecks,
} from './wycheproof-suite';

const spec: WycheproofFileSpec = {
  file: 'wycheproof/x25519_test.json',
  format: wycheproofXdh,
  counts: { valid: 264, acceptable: 254, invalid: 0 },
  outputField: 'shared',
  rules: XDH_RULES,
};

wycheproofChecks(spec);

describe.skipIf(!HAVE_SHARED_VECTORS)('x25519 acceptable rules', () => {
  it('a ZeroSharedSecret case is refused: relabelled valid it fails on both backends', () => {
    expectRefusedWhenValid(
      spec,
      (t) => t.flags.includes('ZeroSharedSecret'),
      /rejected: DH_ZERO_SHARED_SECRET/,
    );
  });

  it('an accepted Twist or NonCanonicalPublic case must give the vector shared secret', () => {
    const json = load(spec);
    for (const flag of ['Twist', 'NonCanonicalPublic']) {
      const { target, small } = isolate(
        json,
        (t) =>
          t.result === 'acceptable' &&
          t.flags.includes(flag) &&
          !t.flags.includes('ZeroSharedSecret'),
      );
      const test = small.testGroups[0]!.tests[0]!;
      test.shared = flipHexBit(test.shared as string, 7);
      for (const [, backend] of BACKENDS) {
        const report = verifyCounted(wycheproofXdh, jsonFile(small), backend, 1);
        expect(failedIds(report)).toEqual([target.tcId]);
      }
    }
  });

  it('prints the rule it applied to the acceptable cases', () => {
    const report = wycheproofXdh.verify(jsonFile(load(spec)), BACKENDS[1]![1]);
    expect(report.notes.join('\n')).toContain('[ZeroSharedSecret] rule reject');
    expect(report.notes.join('\n')).toContain('31 cases: 0 accepted, 31 rejected');
    expect(report.notes.join('\n')).toMatch(
      /Twist.*rule accept.*223 cases: 223 accepted, 0 rejected/,
    );
  });
});
