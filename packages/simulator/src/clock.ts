import {
  type Clock,
  sleepWith,
  type TimerHandle,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { MAX_SAMPLE } from './constants';
import type { EventQueue, SimEvent } from './queue';

interface TimerArg {
  clock: SimClock;
  id: number;
  callback: () => void;
}

function fire(arg: unknown): unknown {
  const t = arg as TimerArg;
  t.clock.timers.delete(t.id);
  return (t.callback as () => unknown)();
}

/**
 * The virtual clock, a `Clock` from @p2pe/transport-interfaces on the simulator's event queue:
 * `now()` is virtual time (in whole ms), `setTimeout` schedules an event. Each peer has its own
 * view, whose timers are cancelled when the peer leaves the network; the simulation has a global
 * one.
 */
export class SimClock implements Clock {
  /** @internal Pending timers of this view, by id. */
  readonly timers = new Map<number, SimEvent>();
  private readonly queue: EventQueue;
  private readonly time: () => number;
  private readonly ids: { next: number };

  /** @internal */
  constructor(queue: EventQueue, time: () => number, ids: { next: number }) {
    this.queue = queue;
    this.time = time;
    this.ids = ids;
  }

  /** Whole milliseconds (the Clock contract); events keep their exact fractional times. */
  now(): number {
    return Math.floor(this.time());
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    if (typeof callback !== 'function') {
      throw new ValidationError('INVALID_ARGUMENT', '"callback" expected a function');
    }
    // As with the host's setTimeout, a delay that is not a positive number means "now"; a
    // delay beyond MAX_SAMPLE (285,000 years) is cut there so virtual time stays finite.
    const delay = delayMs > 0 ? Math.min(delayMs, MAX_SAMPLE) : 0;
    const id = this.ids.next++;
    const ev = this.queue.push(this.time() + delay, fire, { clock: this, id, callback });
    this.timers.set(id, ev);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const ev = this.timers.get(handle?.id);
    if (ev === undefined) return;
    ev.cancelled = true;
    this.timers.delete(handle.id);
  }

  sleep(delayMs: number, options?: { signal?: AbortSignal }): Promise<void> {
    return sleepWith(this, delayMs, options?.signal);
  }

  /** @internal Cancels every pending timer of this view. */
  cancelAll(): void {
    for (const ev of this.timers.values()) ev.cancelled = true;
    this.timers.clear();
  }
}
