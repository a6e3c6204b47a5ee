import { InternalError } from '@p2pe/transport-interfaces';
import { CDF_POINTS, DELIVERY_BUCKETS, MAX_TRACE_EVENTS } from './constants';

/** Why a packet did not arrive. */
export type DropReason =
  | 'loss' // the link lost it
  | 'partition' // sender and receiver were on different sides of a partition
  | 'offline' // the receiver (or sender) was not online
  | 'nat' // the receiver's NAT filtered it
  | 'unreachable' // no host at the destination endpoint
  | 'no-handler' // the receiver has no handler for the protocol
  | 'adversary'; // an adversary hook dropped it

export const DROP_REASONS: readonly DropReason[] = [
  'loss',
  'partition',
  'offline',
  'nat',
  'unreachable',
  'no-handler',
  'adversary',
];

/** One line of the event trace. */
export interface TraceEvent {
  t: number;
  event: string;
  message?: number;
  from?: number;
  to?: number;
  protocol?: string;
  bytes?: number;
  detail?: string;
}

/** A growable Float64 array: latency samples without per-sample allocation. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;
  sum = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
    this.sum += v;
  }

  /** Sorted copy of the samples. */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** Quantile summary of a set of samples (values rounded to 3 decimals for stable JSON). */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(sorted: Float64Array | readonly number[]): Summary {
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    mean: round(sum / n),
    min: round(sorted[0]!),
    p50: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted[n - 1]!),
  };
}

/** Nearest-rank quantile of sorted samples. */
export function quantile(sorted: Float64Array | readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** CDF points `[value, fraction]` at evenly spaced fractions 0..1. */
export function cdf(sorted: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  if (sorted.length === 0) return out;
  for (let k = 0; k < CDF_POINTS; k++) {
    const q = k / (CDF_POINTS - 1);
    out.push([round(quantile(sorted, q)), round(q)]);
  }
  return out;
}

export function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The counts of `ProtocolSnapshot`, and the latency samples behind its summary. */
type ProtocolCounters = Omit<ProtocolSnapshot, 'latencyMs'> & { latency: Samples };

function emptyDrops(): Record<DropReason, number> {
  return {
    loss: 0,
    partition: 0,
    offline: 0,
    nat: 0,
    unreachable: 0,
    'no-handler': 0,
    adversary: 0,
  };
}

/** Time buckets that double in width as the run gets longer, so their number stays bounded. */
class Buckets {
  width: number;
  readonly sent = new Float64Array(DELIVERY_BUCKETS);
  readonly delivered = new Float64Array(DELIVERY_BUCKETS);
  readonly dropped = new Float64Array(DELIVERY_BUCKETS);
  /** Deliveries and drops counted in the bucket of their send time. */
  readonly deliveredBySent = new Float64Array(DELIVERY_BUCKETS);
  readonly droppedBySent = new Float64Array(DELIVERY_BUCKETS);

  constructor(width: number) {
    this.width = width;
  }

  index(t: number): number {
    // Times are finite by construction (validated inputs, clamped samples and delays); a
    // non-finite one here would double the width forever.
    if (!Number.isFinite(t)) throw new InternalError('SIM_INTERNAL', `non-finite time ${t}`);
    while (t >= this.width * DELIVERY_BUCKETS) this.grow();
    return Math.floor(t / this.width);
  }

  private grow(): void {
    for (const arr of [
      this.sent,
      this.delivered,
      this.dropped,
      this.deliveredBySent,
      this.droppedBySent,
    ]) {
      for (let i = 0; i < DELIVERY_BUCKETS; i++) {
        arr[i] = i < DELIVERY_BUCKETS / 2 ? arr[2 * i]! + arr[2 * i + 1]! : 0;
      }
    }
    this.width *= 2;
  }
}

/** Options of `Metrics`. */
export interface TraceFilter {
  /** Trace every packet sent or received by this peer, and its lifecycle events. */
  peer?: number;
  /** Trace this one message (ids are assigned in send order, so a rerun with the same seed
   *  gives the same id). */
  message?: number;
}

/**
 * Counters and samples of one run: messages and bytes per peer and per protocol, delivery and
 * latency distributions, delivery over time, named counters and samples a scenario adds, and an
 * event trace switched on per peer or per message.
 */
export class Metrics {
  private readonly protocols = new Map<string, ProtocolCounters>();
  // Per peer, indexed by peer id.
  readonly peerSent: number[] = [];
  readonly peerBytesSent: number[] = [];
  readonly peerReceived: number[] = [];
  readonly peerBytesReceived: number[] = [];
  readonly counters = new Map<string, number>();
  readonly samples = new Map<string, Samples>();
  private readonly buckets = new Buckets(100);
  private readonly tracePeers = new Set<number>();
  private readonly traceMessages = new Set<number>();
  readonly trace: TraceEvent[] = [];
  traceDropped = 0;

  /** Switches the trace on for a peer or a message. */
  enableTrace(filter: TraceFilter): void {
    if (filter.peer !== undefined) this.tracePeers.add(filter.peer);
    if (filter.message !== undefined) this.traceMessages.add(filter.message);
  }

  get tracing(): boolean {
    return this.tracePeers.size > 0 || this.traceMessages.size > 0;
  }

  /** Whether a packet between these peers, with this id, is traced. */
  traced(message: number, from: number, to: number): boolean {
    return this.traceMessages.has(message) || this.tracePeers.has(from) || this.tracePeers.has(to);
  }

  tracesPeer(peer: number): boolean {
    return this.tracePeers.has(peer);
  }

  record(ev: TraceEvent): void {
    if (this.trace.length >= MAX_TRACE_EVENTS) {
      this.traceDropped++;
      return;
    }
    this.trace.push(ev);
  }

  /** Adds `n` to a named counter. */
  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  /** Adds a sample to a named distribution (e.g. round-trip times, session lengths). */
  observe(name: string, value: number): void {
    let s = this.samples.get(name);
    if (s === undefined) {
      s = new Samples();
      this.samples.set(name, s);
    }
    s.push(value);
  }

  private proto(protocol: string): ProtocolCounters {
    let p = this.protocols.get(protocol);
    if (p === undefined) {
      p = {
        sent: 0,
        delivered: 0,
        bytesSent: 0,
        bytesDelivered: 0,
        duplicated: 0,
        dropped: emptyDrops(),
        latency: new Samples(),
      };
      this.protocols.set(protocol, p);
    }
    return p;
  }

  /** @internal */
  onSend(now: number, peer: number, protocol: string, bytes: number): void {
    const p = this.proto(protocol);
    p.sent++;
    p.bytesSent += bytes;
    this.peerSent[peer] = (this.peerSent[peer] ?? 0) + 1;
    this.peerBytesSent[peer] = (this.peerBytesSent[peer] ?? 0) + bytes;
    this.buckets.sent[this.buckets.index(now)]!++;
  }

  /** @internal */
  onDeliver(now: number, peer: number, protocol: string, bytes: number, latency: number): void {
    const p = this.proto(protocol);
    p.delivered++;
    p.bytesDelivered += bytes;
    p.latency.push(latency);
    this.peerReceived[peer] = (this.peerReceived[peer] ?? 0) + 1;
    this.peerBytesReceived[peer] = (this.peerBytesReceived[peer] ?? 0) + bytes;
    this.buckets.delivered[this.buckets.index(now)]!++;
    this.buckets.deliveredBySent[this.buckets.index(now - latency)]!++;
  }

  /** @internal */
  onDrop(now: number, protocol: string, reason: DropReason, sentAt: number): void {
    this.proto(protocol).dropped[reason]++;
    this.buckets.dropped[this.buckets.index(now)]!++;
    this.buckets.droppedBySent[this.buckets.index(sentAt)]!++;
  }

  /** @internal */
  onDuplicate(protocol: string): void {
    this.proto(protocol).duplicated++;
  }

  /** The one-way latencies of delivered packets of `protocol` (or of every protocol), sorted. */
  latencySorted(protocol?: string): Float64Array {
    if (protocol !== undefined)
      return this.protocols.get(protocol)?.latency.sorted() ?? new Float64Array();
    let n = 0;
    for (const p of this.protocols.values()) n += p.latency.length;
    const all = new Float64Array(n);
    let o = 0;
    for (const p of this.protocols.values()) {
      all.set(p.latency.sorted(), o);
      o += p.latency.length;
    }
    return all.sort();
  }

  /** A JSON-ready snapshot. Every number is a count or rounded, so equal runs print equal. */
  snapshot(): MetricsSnapshot {
    const protocols: Record<string, ProtocolSnapshot> = {};
    const totals = {
      sent: 0,
      delivered: 0,
      bytesSent: 0,
      bytesDelivered: 0,
      duplicated: 0,
      dropped: emptyDrops(),
    };
    for (const name of [...this.protocols.keys()].sort()) {
      const p = this.protocols.get(name)!;
      protocols[name] = { ...counts(p), latencyMs: summarize(p.latency.sorted()) };
      totals.sent += p.sent;
      totals.delivered += p.delivered;
      totals.bytesSent += p.bytesSent;
      totals.bytesDelivered += p.bytesDelivered;
      totals.duplicated += p.duplicated;
      for (const r of DROP_REASONS) totals.dropped[r] += p.dropped[r];
    }
    const latency = this.latencySorted();
    const counters: Record<string, number> = {};
    for (const k of [...this.counters.keys()].sort()) counters[k] = round(this.counters.get(k)!);
    const samples: Record<string, Summary> = {};
    const sampleCdfs: Record<string, [number, number][]> = {};
    for (const k of [...this.samples.keys()].sort()) {
      const sorted = this.samples.get(k)!.sorted();
      samples[k] = summarize(sorted);
      sampleCdfs[k] = cdf(sorted);
    }
    const peers = this.peerSent.length;
    const perPeer = (arr: number[]): Summary => {
      const v = new Float64Array(peers);
      for (let i = 0; i < peers; i++) v[i] = arr[i] ?? 0;
      return summarize(v.sort());
    };
    const b = this.buckets;
    const used = Math.max(1, lastNonZero(b.sent, b.delivered, b.dropped) + 1);
    return {
      messages: {
        sent: totals.sent,
        delivered: totals.delivered,
        duplicated: totals.duplicated,
        deliveryRatio: totals.sent === 0 ? 0 : round(totals.delivered / totals.sent),
        dropped: totals.dropped,
      },
      bytes: { sent: totals.bytesSent, delivered: totals.bytesDelivered },
      latencyMs: summarize(latency),
      latencyCdf: cdf(latency),
      protocols,
      perPeer: {
        messagesSent: perPeer(this.peerSent),
        bytesSent: perPeer(this.peerBytesSent),
        messagesReceived: perPeer(this.peerReceived),
        bytesReceived: perPeer(this.peerBytesReceived),
      },
      overTime: {
        bucketMs: b.width,
        sent: [...b.sent.subarray(0, used)],
        delivered: [...b.delivered.subarray(0, used)],
        dropped: [...b.dropped.subarray(0, used)],
        deliveredBySendTime: [...b.deliveredBySent.subarray(0, used)],
        droppedBySendTime: [...b.droppedBySent.subarray(0, used)],
      },
      counters,
      samples,
      sampleCdfs,
    };
  }

  /** Messages and bytes of one peer. */
  peer(id: number): { sent: number; bytesSent: number; received: number; bytesReceived: number } {
    return {
      sent: this.peerSent[id] ?? 0,
      bytesSent: this.peerBytesSent[id] ?? 0,
      received: this.peerReceived[id] ?? 0,
      bytesReceived: this.peerBytesReceived[id] ?? 0,
    };
  }

  /** Counters of one protocol, or undefined if nothing was sent on it. */
  protocol(name: string): Omit<ProtocolSnapshot, 'latencyMs'> | undefined {
    const p = this.protocols.get(name);
    return p === undefined ? undefined : counts(p);
  }
}

function counts(p: ProtocolCounters): Omit<ProtocolSnapshot, 'latencyMs'> {
  return {
    sent: p.sent,
    delivered: p.delivered,
    bytesSent: p.bytesSent,
    bytesDelivered: p.bytesDelivered,
    duplicated: p.duplicated,
    dropped: { ...p.dropped },
  };
}

function lastNonZero(...arrays: Float64Array[]): number {
  let last = -1;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] !== 0 && i > last) last = i;
  return last;
}

export interface ProtocolSnapshot {
  sent: number;
  delivered: number;
  bytesSent: number;
  bytesDelivered: number;
  duplicated: number;
  dropped: Record<DropReason, number>;
  latencyMs: Summary;
}

export interface MetricsSnapshot {
  messages: {
    sent: number;
    delivered: number;
    duplicated: number;
    deliveryRatio: number;
    dropped: Record<DropReason, number>;
  };
  bytes: { sent: number; delivered: number };
  latencyMs: Summary;
  latencyCdf: [number, number][];
  protocols: Record<string, ProtocolSnapshot>;
  perPeer: {
    messagesSent: Summary;
    bytesSent: Summary;
    messagesReceived: Summary;
    bytesReceived: Summary;
  };
  /** Per time bucket: packets sent, delivered and dropped in it, and what became of the packets
   *  sent in it: `deliveredBySendTime[i] / sent[i]` is the delivery ratio of bucket i, and
   *  `sent[i] - deliveredBySendTime[i] - droppedBySendTime[i]` were still on their way when the
   *  run ended. */
  overTime: {
    bucketMs: number;
    sent: number[];
    delivered: number[];
    dropped: number[];
    deliveredBySendTime: number[];
    droppedBySendTime: number[];
  };
  counters: Record<string, number>;
  samples: Record<string, Summary>;
  /** CDF points `[value, fraction]` of each named sample set. */
  sampleCdfs: Record<string, [number, number][]>;
}
