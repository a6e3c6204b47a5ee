import { AbortError, ValidationError } from './errors';

/** A timer handle returned by `Clock.setTimeout`; pass it to `Clock.clearTimeout`. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time, injected. Protocol code never calls `Date.now` or `setTimeout` itself: it takes a Clock,
 * so the simulator can run thousands of peers on virtual time and vector generators are
 * reproducible. Times are milliseconds since the Unix epoch (virtual clocks may start at 0).
 */
export interface Clock {
  /**
   * Current time in whole milliseconds: a non-negative safe integer. Protocol layers refuse
   * anything else (identity records carry integer times), so a clock whose time advances by
   * fractions (a simulator) reports the floor.
   */
  now(): number;
  /** Runs `callback` once after `delayMs`; returns a handle to cancel it. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending timer; a no-op for a timer that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `delayMs`; rejects with AbortError if `signal` fires first. */
  sleep(delayMs: number, options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * `clock.now()`, checked against the contract (whole, non-negative ms): a clock that breaks it is
 * the caller's bug, a ValidationError `INVALID_TIME`, never a time a protocol acts on.
 */
export function checkedNow(clock: Clock): number {
  const now = clock.now();
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new ValidationError(
      'INVALID_TIME',
      'clock returned a time that is not a non-negative safe integer (whole ms)',
    );
  }
  return now;
}

/** Builds `sleep` from `setTimeout`/`clearTimeout`, so every Clock shares the abort handling. */
export function sleepWith(
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  delayMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new AbortError(undefined, { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Hosts fire a timer whose delay exceeds 2^31 - 1 ms (about 24.8 days) almost at once; longer
 * delays are waited out in steps of at most this much.
 */
const MAX_HOST_TIMER_MS = 2 ** 31 - 1;

/** The wall clock of the host (`Date.now`, `globalThis.setTimeout`). */
export function systemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof globalThis.setTimeout>>();
  let nextId = 1;
  const arm = (id: number, callback: () => void, delayMs: number): void => {
    const step = Math.min(Math.max(0, delayMs), MAX_HOST_TIMER_MS);
    timers.set(
      id,
      globalThis.setTimeout(() => {
        if (delayMs > step) {
          arm(id, callback, delayMs - step);
          return;
        }
        timers.delete(id);
        callback();
      }, step),
    );
  };
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout(callback, delayMs) {
      const id = nextId++;
      // An infinite (or NaN) delay never fires.
      if (!(delayMs < Number.POSITIVE_INFINITY)) return { id };
      arm(id, callback, delayMs);
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer !== undefined) globalThis.clearTimeout(timer);
      timers.delete(handle.id);
    },
    sleep: (delayMs, options) => sleepWith(clock, delayMs, options?.signal),
  };
  return clock;
}

/**
 * A clock that moves only when told to: for unit tests of timeouts, TTLs and retries.
 * `advance(ms)` fires due timers in time order (ties in the order they were set).
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  constructor(startMs = 0) {
    if (!Number.isSafeInteger(startMs) || startMs < 0) {
      throw new ValidationError('INVALID_TIME', '"startMs" expected a non-negative safe integer');
    }
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.current + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  sleep(delayMs: number, options?: { signal?: AbortSignal }): Promise<void> {
    return sleepWith(this, delayMs, options?.signal);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new ValidationError('INVALID_TIME', '"ms" expected a non-negative safe integer');
    }
    const target = this.current + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.pending) {
        if (timer.at <= target && timer.at < nextAt) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.pending.get(nextId)!;
      this.pending.delete(nextId);
      this.current = timer.at;
      timer.callback();
    }
    this.current = target;
  }

  /** Number of timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.pending.size;
  }
}
