/**
 * The demo's view of the network: the deterministic simulator from @p2pe/simulator, a clock that
 * reads it as wall-clock time, and the narrator's "wire", which counts every message and byte that
 * a peer sends and remembers what each hop learned. The wire is the storyteller's omniscience, not
 * a protocol participant: no peer ever reads it.
 */
import type { Endpoint, SimPeer } from '@p2pe/simulator';
import { type Clock, sleepWith, type TimerHandle, toHex } from '@p2pe/transport-interfaces';

/**
 * A Clock that reads `inner` (virtual time from 0) as whole milliseconds since the Unix epoch.
 * The simulator's time is fractional (sampled latencies); @p2pe/identity insists on integers.
 */
export function wallClock(inner: Clock, originMs: number): Clock {
  const clock: Clock = {
    now: () => originMs + Math.floor(inner.now()),
    setTimeout: (callback: () => void, delayMs: number): TimerHandle =>
      inner.setTimeout(callback, delayMs),
    clearTimeout: (handle: TimerHandle) => inner.clearTimeout(handle),
    sleep: (delayMs, options) => sleepWith(clock, delayMs, options?.signal),
  };
  return clock;
}

/** One thing a hop learned while processing a packet. */
export interface HopObservation {
  readonly trace: number;
  readonly hop: string;
  readonly at: number;
  readonly receivedBytes: number;
  /** What the hop's processing revealed to it, in words. */
  readonly learned: string;
  readonly forwardedBytes?: number;
}

export interface TrafficCounters {
  messages: number;
  bytes: number;
}

export class Wire {
  /** Totals since the last `resetStep()`. */
  step: TrafficCounters = { messages: 0, bytes: 0 };
  readonly total: TrafficCounters = { messages: 0, bytes: 0 };
  readonly observations: HopObservation[] = [];
  /** Every packet size that went over the wire, per protocol. */
  readonly sizes = new Map<string, Set<number>>();
  private readonly counts = new Map<string, number>();
  private readonly traces = new Map<string, number>();
  private readonly firstSent = new Map<number, { at: number; bytes: Uint8Array }>();
  private nextTrace = 1;

  constructor(private readonly now: () => number) {}

  /** Sends one datagram from `from` to an endpoint and counts it. */
  send(
    from: SimPeer,
    to: Endpoint | SimPeer,
    protocol: string,
    bytes: Uint8Array,
    trace?: number,
  ): void {
    this.step.messages++;
    this.step.bytes += bytes.length;
    this.total.messages++;
    this.total.bytes += bytes.length;
    const sizes = this.sizes.get(protocol) ?? new Set<number>();
    sizes.add(bytes.length);
    this.sizes.set(protocol, sizes);
    this.counts.set(protocol, (this.counts.get(protocol) ?? 0) + 1);
    if (trace !== undefined) {
      this.traces.set(traceKey(bytes), trace);
      if (!this.firstSent.has(trace))
        this.firstSent.set(trace, { at: this.now(), bytes: bytes.slice() });
    }
    from.send(to, protocol, bytes);
  }

  /** Datagrams sent on `protocol` so far. */
  packets(protocol: string): number {
    return this.counts.get(protocol) ?? 0;
  }

  /** Starts following a new packet; returns its trace number. */
  newTrace(): number {
    return this.nextTrace++;
  }

  /** The narrator's trace number of a packet it saw being sent (undefined for strangers). */
  traceOf(bytes: Uint8Array): number | undefined {
    return this.traces.get(traceKey(bytes));
  }

  /** When the first packet of a trace left its sender (virtual ms). */
  sentAt(trace: number): number | undefined {
    return this.firstSent.get(trace)?.at;
  }

  /** The bytes of a trace's first packet, as an eavesdropper on the sender's link recorded them. */
  recorded(trace: number): Uint8Array | undefined {
    return this.firstSent.get(trace)?.bytes.slice();
  }

  observe(o: Omit<HopObservation, 'at'>): void {
    this.observations.push({ ...o, at: this.now() });
  }

  resetStep(): TrafficCounters {
    const done = this.step;
    this.step = { messages: 0, bytes: 0 };
    return done;
  }
}

function traceKey(bytes: Uint8Array): string {
  return `${bytes.length}:${toHex(bytes.subarray(0, 48))}`;
}
