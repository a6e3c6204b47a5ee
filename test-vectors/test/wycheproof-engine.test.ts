/**
 * The Wycheproof engine on its own (no crypto): how `result`, our outcome and the `acceptable`
 * rules combine, and that every case counts exactly once whatever happens.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AcceptableRule,
  type CaseOutcome,
  type FlagRules,
  judge,
  ruleFor,
  runWycheproof,
  type WycheproofFile,
} from '../src/formats/wycheproof';

const RULES: FlagRules = {
  R: { rule: 'reject', why: 'r' },
  A: { rule: 'accept', why: 'a' },
  E: { rule: 'either', why: 'e' },
};

const outcome: fc.Arbitrary<CaseOutcome> = fc.oneof(
  fc.boolean().map((matches) => ({ kind: 'accepted', matches }) as const),
  fc.constant({ kind: 'rejected', reason: 'X' } as const),
  fc.constant({ kind: 'unsupported', reason: 'sizes' } as const),
  fc.constant({ kind: 'broken', reason: 'threw' } as const),
);
const result = fc.constantFrom('valid', 'invalid', 'acceptable' as const);
const flags = fc.array(fc.constantFrom('R', 'A', 'E'), { minLength: 1, maxLength: 3 });

describe('judge', () => {
  it('never passes an accepted case whose result differs from the vector', () => {
    fc.assert(
      fc.property(
        result,
        fc.constantFrom<AcceptableRule>('reject', 'accept', 'either'),
        (r, rule) => {
          expect(judge(r, { kind: 'accepted', matches: false }, rule).verdict).toBe('fail');
        },
      ),
    );
  });

  it('never passes a broken contract, and skips only valid-like cases our API cannot express', () => {
    fc.assert(
      fc.property(
        result,
        outcome,
        fc.constantFrom<AcceptableRule>('reject', 'accept', 'either'),
        (r, o, rule) => {
          const v = judge(r, o, r === 'acceptable' ? rule : undefined);
          if (o.kind === 'broken') expect(v.verdict).toBe('fail');
          if (v.verdict === 'skip') {
            expect(o.kind).toBe('unsupported');
            expect(r === 'valid' || (r === 'acceptable' && rule === 'accept')).toBe(true);
          }
        },
      ),
    );
  });

  it('valid must be accepted with the right result; invalid must be refused', () => {
    expect(judge('valid', { kind: 'accepted', matches: true }, undefined).verdict).toBe('pass');
    expect(judge('valid', { kind: 'rejected', reason: 'X' }, undefined).verdict).toBe('fail');
    expect(judge('invalid', { kind: 'rejected', reason: 'X' }, undefined).verdict).toBe('pass');
    expect(judge('invalid', { kind: 'accepted', matches: true }, undefined).verdict).toBe('fail');
    expect(judge('invalid', { kind: 'unsupported', reason: 's' }, undefined).verdict).toBe('pass');
  });
});

describe('ruleFor', () => {
  it('takes the strictest rule of the flags, whatever their order', () => {
    fc.assert(
      fc.property(flags, (fs) => {
        const found = ruleFor(fs, RULES);
        const expected = fs.includes('R') ? 'reject' : fs.includes('A') ? 'accept' : 'either';
        expect(found).toEqual({ rule: expected });
        expect(ruleFor([...fs].reverse(), RULES)).toEqual(found);
      }),
    );
  });

  it('names undocumented flags, and an acceptable case without flags has no rule', () => {
    expect(ruleFor(['A', 'Nope'], RULES)).toEqual({ undocumented: ['Nope'] });
    expect(ruleFor([], RULES)).toEqual({ undocumented: ['(no flags)'] });
  });
});

describe('runWycheproof', () => {
  it('counts every case exactly once, whatever the outcomes, and lists one failure per failed case', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(result, flags, outcome), { maxLength: 30 }), (cases) => {
        const file: WycheproofFile = {
          algorithm: 'TEST',
          schema: 'test_schema_v1',
          numberOfTests: cases.length,
          testGroups: [
            {
              type: 'Test',
              tests: cases.map(([r, f], i) => ({ tcId: i + 1, comment: '', flags: f, result: r })),
            },
          ],
        };
        const report = runWycheproof(file, {
          rules: RULES,
          runCase: (_g, t) => cases[t.tcId - 1]![2],
        });
        expect(report.passed + report.failed + report.skipped).toBe(cases.length);
        expect(report.failures).toHaveLength(report.failed);
        if (report.skipped > 0) expect(report.notes.some((n) => n.includes('skipped'))).toBe(true);
      }),
    );
  });

  it('a case that is not an object, or has no valid result, fails as malformed', () => {
    const file: WycheproofFile = {
      algorithm: 'TEST',
      schema: 'test_schema_v1',
      numberOfTests: 3,
      testGroups: [
        {
          type: 'Test',
          tests: [42, { tcId: 2, result: 'maybe' }, { tcId: 3, result: 'valid', flags: [] }],
        },
      ],
    };
    const report = runWycheproof(file, {
      rules: RULES,
      runCase: () => ({ kind: 'accepted', matches: true }),
    });
    expect(report).toMatchObject({ passed: 1, failed: 2 });
    expect(report.failures.every((f) => f.includes('malformed'))).toBe(true);
  });
});
