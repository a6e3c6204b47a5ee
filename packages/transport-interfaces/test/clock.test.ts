import { describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  assertBytes,
  checkedNow,
  fromHex,
  fromUtf8,
  ManualClock,
  P2peError,
  systemClock,
  systemRandomBytes,
  toHex,
  ValidationError,
} from '../src/index';

describe('ManualClock', () => {
  it('keeps whole milliseconds: a fractional or negative start or step is INVALID_TIME', () => {
    for (const bad of [0.5, -1, Number.NaN, 2 ** 53]) {
      expect(() => new ManualClock(bad)).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
      expect(() => new ManualClock(0).advance(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_TIME' }),
      );
    }
    const clock = new ManualClock(7);
    clock.advance(3);
    expect(clock.now()).toBe(10);
  });

  it('checkedNow passes whole ms through and refuses a clock that breaks the contract', () => {
    expect(checkedNow(new ManualClock(42))).toBe(42);
    for (const bad of [0.5, -1, Number.NaN, 2 ** 53]) {
      const broken = { ...systemClock(), now: () => bad };
      expect(() => checkedNow(broken)).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
    }
  });

  it('fires timers in time order, ties in the order set, and only when due', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('c'), 20);
    const cancelled = clock.setTimeout(() => fired.push('x'), 5);
    clock.clearTimeout(cancelled);
    clock.advance(15);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(1015);
    clock.advance(5);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs timers set by a timer within the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it('sleep resolves when time advances and rejects with AbortError on abort', async () => {
    const clock = new ManualClock();
    const slept = clock.sleep(100);
    clock.advance(100);
    await expect(slept).resolves.toBeUndefined();
    const controller = new AbortController();
    const pending = clock.sleep(100, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('systemClock and systemRandomBytes', () => {
  it('sleeps on real time and can be cancelled', async () => {
    const clock = systemClock();
    const before = clock.now();
    await clock.sleep(5);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 4);
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 1);
    clock.clearTimeout(handle);
    await clock.sleep(10);
    expect(fired).toBe(false);
  });

  it('waits out delays beyond the host timer limit (2^31 - 1 ms) instead of firing at once', () => {
    vi.useFakeTimers();
    try {
      const clock = systemClock();
      const day = 24 * 3600 * 1000;
      let fired = 0;
      clock.setTimeout(() => fired++, 30 * day);
      clock.setTimeout(() => fired++, Number.POSITIVE_INFINITY);
      vi.advanceTimersByTime(25 * day);
      expect(fired).toBe(0);
      vi.advanceTimersByTime(5 * day - 1);
      expect(fired).toBe(0);
      vi.advanceTimersByTime(1);
      expect(fired).toBe(1);
      const cancelled = clock.setTimeout(() => fired++, 40 * day);
      vi.advanceTimersByTime(30 * day);
      clock.clearTimeout(cancelled);
      vi.advanceTimersByTime(20 * day);
      expect(fired).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns the requested number of bytes beyond the 64 KiB getRandomValues limit', () => {
    const bytes = systemRandomBytes(100_000);
    expect(bytes).toHaveLength(100_000);
    expect(bytes.subarray(70_000).some((b) => b !== 0)).toBe(true);
  });
});

describe('errors and bytes', () => {
  it('every error carries a stable code, a category and its class name', () => {
    const e = new ValidationError('INVALID_LENGTH', 'x');
    expect(e).toBeInstanceOf(P2peError);
    expect(e.name).toBe('ValidationError');
    expect(e.category).toBe('validation');
    expect(P2peError.is(e, 'INVALID_LENGTH')).toBe(true);
    expect(P2peError.is(e, 'OTHER')).toBe(false);
    expect(P2peError.is(new Error('x'))).toBe(false);
  });

  it('describes wrong arguments like noble does, without their content', () => {
    expect(() => assertBytes(new Uint8Array(31), 'key', 32)).toThrow(
      '"key" expected Uint8Array of length 32, got length=31',
    );
    expect(() => assertBytes('secret', 'key')).toThrow('"key" expected Uint8Array, got string');
  });

  it('hex round-trips and rejects malformed hex; invalid UTF-8 is a typed error', () => {
    expect(toHex(fromHex('00ffA0'))).toBe('00ffa0');
    expect(() => fromHex('abc')).toThrow(ValidationError);
    expect(() => fromHex('zz')).toThrow(ValidationError);
    expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow(
      expect.objectContaining({ code: 'INVALID_UTF8' }),
    );
  });
});
