import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dist, mean, SimRandom, sample } from '../src/index';
import { EventQueue } from '../src/queue';

describe('SimRandom (simulation random source)', () => {
  it('same seed gives the same stream; another seed another stream', () => {
    const a = new SimRandom(7);
    const b = new SimRandom(7);
    const c = new SimRandom(8);
    const sa = Array.from({ length: 64 }, () => a.u32());
    const sb = Array.from({ length: 64 }, () => b.u32());
    const sc = Array.from({ length: 64 }, () => c.u32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('string and number seeds both work and differ', () => {
    expect(new SimRandom('7').u32()).toBe(new SimRandom(7).u32());
    expect(new SimRandom('seven').u32()).not.toBe(new SimRandom(7).u32());
  });

  it('int(n) stays in [0, n) and float() in [0, 1) for all seeds', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 1_000_000 }), (seed, n) => {
        const r = new SimRandom(seed);
        for (let i = 0; i < 50; i++) {
          const v = r.int(n);
          const f = r.float();
          if (!(v >= 0 && v < n && Number.isInteger(v) && f >= 0 && f < 1)) return false;
        }
        return true;
      }),
      { numRuns: 50 },
    );
  });

  it('bytes(n) returns n bytes and the RandomBytes view draws from the same stream', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 100 }), (seed, n) => {
        const a = new SimRandom(seed);
        const b = new SimRandom(seed);
        const x = a.bytes(n);
        const y = b.randomBytes()(n);
        return x.length === n && x.every((v, i) => v === y[i]);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a negative or fractional seed', () => {
    expect(() => new SimRandom(-1)).toThrow(/seed/);
    expect(() => new SimRandom(1.5)).toThrow(/seed/);
  });

  it('sample means match the distribution means within 5%', () => {
    const r = new SimRandom(1);
    for (const d of [
      dist.exponential(30),
      dist.uniform(10, 20),
      dist.lognormal(50, 0.5),
      dist.normal(100, 10),
      dist.pareto(10, 3),
    ]) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += sample(d, r);
      expect(Math.abs(sum / n - mean(d)) / mean(d)).toBeLessThan(0.05);
    }
  });
});

describe('EventQueue', () => {
  it('pops in (time, sequence) order for any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue();
        for (const [i, t] of times.entries()) q.push(t, () => undefined, i);
        const out: { at: number; arg: number }[] = [];
        for (let e = q.pop(); e !== undefined; e = q.pop())
          out.push({ at: e.at, arg: e.arg as number });
        const expected = times
          .map((t, i) => ({ at: t, arg: i }))
          .sort((a, b) => a.at - b.at || a.arg - b.arg);
        return JSON.stringify(out) === JSON.stringify(expected);
      }),
      { numRuns: 100 },
    );
  });
});
