import { type Address, StateError, ValidationError } from '@p2pe/transport-interfaces';
import { type Endpoint, endpointIp, endpointPort, formatEndpoint, parseAddress } from './address';
import {
  MAX_PAYLOAD_BYTES,
  STREAM_MAX_RETRANSMIT_MS,
  STREAM_MAX_RETRANSMITS,
  STREAM_MIN_RETRANSMIT_MS,
} from './constants';
import { type Distribution, sample, validateDistribution } from './distribution';
import type { DropReason, Metrics } from './metrics';
import type { SimPeer } from './peer';
import type { EventQueue } from './queue';
import type { SimRandom } from './rng';
import { assertNumber, assertPositive, assertProbability } from './validate';

/** Properties of a link, in one direction. Fields left out take the network's defaults. */
export interface LinkOptions {
  /** One-way propagation delay in ms. @default lognormal, median 50 ms, sigma 0.5 */
  latency?: Distribution;
  /** Bytes per second; packets queue behind each other on the link. @default Infinity */
  bandwidth?: number;
  /** Probability a packet is lost. @default 0 */
  loss?: number;
  /** Probability a datagram is held back by `reorderDelay`, so later ones overtake it. @default 0 */
  reorder?: number;
  /** Extra delay of a reordered datagram. @default uniform 0..100 ms */
  reorderDelay?: Distribution;
  /** Probability a datagram arrives twice. @default 0 */
  duplicate?: number;
}

export interface ResolvedLink {
  latency: Distribution;
  bandwidth: number;
  loss: number;
  reorder: number;
  reorderDelay: Distribution;
  duplicate: number;
}

export interface RegionOptions {
  name: string;
  /** Relative share of peers placed in this region. @default 1 */
  weight?: number;
}

export interface NetworkOptions {
  /** The link between any two peers unless a region pair or a pair of peers says otherwise. */
  link?: LinkOptions;
  /** Regions peers are placed in (by weight, from the seeded source). @default one region "default" */
  regions?: readonly RegionOptions[];
  /** Links between regions (both directions): `{ from: 'eu', to: 'us', link: {...} }`. */
  regionLinks?: readonly { from: string; to: string; link: LinkOptions }[];
}

export const DEFAULT_LINK: ResolvedLink = {
  latency: { kind: 'lognormal', median: 50, sigma: 0.5 },
  bandwidth: Number.POSITIVE_INFINITY,
  loss: 0,
  reorder: 0,
  reorderDelay: { kind: 'uniform', min: 0, max: 100 },
  duplicate: 0,
};

/** Validates link options and fills the gaps from `base`. */
export function resolveLink(options: LinkOptions, base: ResolvedLink, name: string): ResolvedLink {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('SIM_INVALID_OPTION', `"${name}" expected an object`);
  }
  return {
    latency:
      options.latency === undefined
        ? base.latency
        : validateDistribution(options.latency, `${name}.latency`),
    bandwidth:
      options.bandwidth === undefined
        ? base.bandwidth
        : assertPositive(options.bandwidth, `${name}.bandwidth`, true),
    loss: options.loss === undefined ? base.loss : assertProbability(options.loss, `${name}.loss`),
    reorder:
      options.reorder === undefined
        ? base.reorder
        : assertProbability(options.reorder, `${name}.reorder`),
    reorderDelay:
      options.reorderDelay === undefined
        ? base.reorderDelay
        : validateDistribution(options.reorderDelay, `${name}.reorderDelay`),
    duplicate:
      options.duplicate === undefined
        ? base.duplicate
        : assertProbability(options.duplicate, `${name}.duplicate`),
  };
}

/** Packet kinds: datagrams for the message API, segments for simulated streams. */
export enum Kind {
  Datagram = 0,
  Stream = 1,
}

/** Stream segment types. */
export enum Seg {
  Syn = 0,
  SynAck = 1,
  Data = 2,
  Fin = 3,
  Rst = 4,
}

/**
 * A packet in flight, and the message a datagram handler receives. `source` is what the receiver
 * sees: the sender's public endpoint after its NAT. `fromPeer` is the simulator's own knowledge
 * (for metrics and adversary hooks); protocol code that must not know who sent a packet should
 * read `source` only.
 */
export class Packet {
  constructor(
    readonly id: number,
    readonly kind: Kind,
    readonly protocol: string,
    public payload: Uint8Array,
    readonly fromPeer: number,
    readonly source: Endpoint,
    readonly destination: Endpoint,
    readonly toPeer: number,
    readonly sentAt: number,
    /** A duplicate made by the link or a replay made by an adversary. */
    readonly copy: boolean,
    /** Stream fields: connection id, segment type, and the sending end's ordering state. */
    readonly conn: number,
    readonly seg: Seg,
    readonly order: { last: number } | null,
  ) {}

  /** The source as an address, `sim:<ip>:<port>`: reply here. */
  get from(): Address {
    return formatEndpoint(this.source);
  }

  get to(): Address {
    return formatEndpoint(this.destination);
  }

  /** A copy with its own payload bytes (a duplicate or replay must not share the buffer). */
  clone(): Packet {
    return new Packet(
      this.id,
      this.kind,
      this.protocol,
      this.payload.slice(),
      this.fromPeer,
      this.source,
      this.destination,
      this.toPeer,
      this.sentAt,
      true,
      this.conn,
      this.seg,
      this.order,
    );
  }
}

/** A datagram as its handler sees it. */
export type Datagram = Packet;

/**
 * What an adversary hook decides about a packet passing through its peer. Return nothing to let
 * it pass (inspection only).
 */
export interface Verdict {
  /** Drop the packet. */
  drop?: boolean;
  /** Hold it this long before it goes on. */
  delayMs?: number;
  /** Replace its payload. */
  payload?: Uint8Array;
  /** Send copies again after each of these delays (a replay). */
  replayAfterMs?: readonly number[];
}

export type Interceptor = (packet: Packet) => Verdict | undefined;

/** Hooks an adversarial peer runs on what it sends (including what it relays) and receives. */
export interface Adversary {
  outbound?: Interceptor;
  inbound?: Interceptor;
}

/** The simulator's internals the network uses. */
export interface NetworkHost {
  readonly queue: EventQueue;
  readonly random: SimRandom;
  readonly metrics: Metrics;
  readonly peers: readonly SimPeer[];
  now(): number;
}

/**
 * The simulated Internet: hosts by IP, links with latency, bandwidth, loss, reordering and
 * duplication, NAT filtering, partitions, and adversary hooks. Every decision draws from the
 * simulation's one random source in event order, so a run is a function of its seed.
 */
export class Network {
  readonly defaultLink: ResolvedLink;
  readonly regions: readonly string[];
  private readonly regionWeights: readonly number[];
  private readonly regionLinks: (ResolvedLink | undefined)[];
  private readonly pairLinks = new Map<number, ResolvedLink>();
  private readonly busyUntil = new Map<number, number>();
  private readonly hostsByIp = new Map<number, SimPeer | SimPeer[]>();
  private readonly adversaries = new Map<number, Adversary>();
  private groups: Int32Array | null = null;
  private nextPacketId = 1;
  private nextConn = 1;
  private readonly host: NetworkHost;
  private readonly arriveFn = (p: unknown): unknown => this.arrive(p as Packet);
  private readonly transmitFn = (p: unknown): unknown => {
    this.transmit(p as Packet);
    return undefined;
  };
  private readonly deliverFn = (p: unknown): unknown => this.deliver(p as Packet);
  private readonly giveUpFn = (p: unknown): unknown => this.drop(p as Packet, 'loss');

  constructor(host: NetworkHost, options: NetworkOptions = {}) {
    this.host = host;
    this.defaultLink = resolveLink(options.link ?? {}, DEFAULT_LINK, 'network.link');
    const regions = options.regions ?? [{ name: 'default' }];
    if (!Array.isArray(regions) || regions.length === 0) {
      throw new ValidationError(
        'SIM_INVALID_OPTION',
        '"network.regions" expected a non-empty array',
      );
    }
    this.regions = regions.map((r, i) => {
      if (typeof r?.name !== 'string' || r.name.length === 0) {
        throw new ValidationError(
          'SIM_INVALID_OPTION',
          `"network.regions[${i}].name" expected a non-empty string`,
        );
      }
      return r.name;
    });
    if (new Set(this.regions).size !== this.regions.length) {
      throw new ValidationError('SIM_INVALID_OPTION', '"network.regions" has a duplicate name');
    }
    this.regionWeights = regions.map((r, i) =>
      assertNumber(r.weight ?? 1, `network.regions[${i}].weight`),
    );
    const n = this.regions.length;
    this.regionLinks = new Array<ResolvedLink | undefined>(n * n).fill(undefined);
    for (const [i, rl] of (options.regionLinks ?? []).entries()) {
      const a = this.regionIndex(rl.from, `network.regionLinks[${i}].from`);
      const b = this.regionIndex(rl.to, `network.regionLinks[${i}].to`);
      const link = resolveLink(rl.link, this.defaultLink, `network.regionLinks[${i}].link`);
      this.regionLinks[a * n + b] = link;
      this.regionLinks[b * n + a] = link;
    }
  }

  regionIndex(name: string, what = 'region'): number {
    const i = this.regions.indexOf(name);
    if (i < 0) throw new ValidationError('SIM_INVALID_OPTION', `"${what}" names an unknown region`);
    return i;
  }

  /** A region index drawn by weight. */
  pickRegion(): number {
    const w = this.regionWeights;
    if (w.length === 1) return 0;
    let total = 0;
    for (const x of w) total += x;
    let r = this.host.random.float() * total;
    for (let i = 0; i < w.length; i++) {
      r -= w[i]!;
      if (r < 0) return i;
    }
    return w.length - 1;
  }

  /** Overrides the link between two peers: both directions, or with `oneWay` only packets from
   *  `a` to `b` (an asymmetric link, or a one-way failure with `loss: 1`). Fields left out keep
   *  the values the link from `a` to `b` has now. */
  setLink(a: SimPeer, b: SimPeer, link: LinkOptions, options: { oneWay?: boolean } = {}): void {
    const base = this.linkBetween(a, b);
    const resolved = resolveLink(link, base, 'link');
    this.pairLinks.set(pairKey(a.id, b.id), resolved);
    if (options.oneWay !== true) this.pairLinks.set(pairKey(b.id, a.id), resolved);
  }

  /** The link packets from `a` to `b` take. */
  linkBetween(a: SimPeer, b: SimPeer): ResolvedLink {
    if (this.pairLinks.size > 0) {
      const l = this.pairLinks.get(pairKey(a.id, b.id));
      if (l !== undefined) return l;
    }
    return (
      this.regionLinks[a.regionIndex * this.regions.length + b.regionIndex] ?? this.defaultLink
    );
  }

  /** Makes the given peers into sides that cannot reach each other; peers listed nowhere form
   *  one more side. Packets already on the wire across the cut are lost. */
  partition(sides: readonly (readonly SimPeer[])[]): void {
    const groups = new Int32Array(Math.max(1, this.host.peers.length)).fill(-1);
    sides.forEach((side, g) => {
      for (const p of side) groups[p.id] = g;
    });
    this.groups = groups;
  }

  /** Ends any partition. */
  heal(): void {
    this.groups = null;
  }

  get partitioned(): boolean {
    return this.groups !== null;
  }

  /** Whether `a` and `b` are on the same side of the current partition. */
  connected(a: number, b: number): boolean {
    const g = this.groups;
    if (g === null) return true;
    return (g[a] ?? -1) === (g[b] ?? -1);
  }

  /** Makes `peer` adversarial: `hooks` see (and may change) every packet it sends or receives. */
  setAdversary(peer: SimPeer, hooks: Adversary | undefined): void {
    if (hooks === undefined) this.adversaries.delete(peer.id);
    else this.adversaries.set(peer.id, hooks);
  }

  /** @internal A fresh connection id for the stream transport. */
  nextConnectionId(): number {
    return this.nextConn++;
  }

  /** The peer with this id, if any. */
  peerById(id: number): SimPeer | undefined {
    return this.host.peers[id];
  }

  /** @internal The endpoint of `sim:<ip>:<port>`, or of peer N's own address for `sim:<N>`.
   *  Throws `SIM_INVALID_ADDRESS`. */
  resolveAddress(address: Address): Endpoint {
    const parsed = parseAddress(address);
    if ('endpoint' in parsed) return parsed.endpoint;
    const peer = this.host.peers[parsed.peer];
    if (peer === undefined)
      throw new ValidationError('SIM_INVALID_ADDRESS', `no peer ${parsed.peer}`);
    return peer.endpoint;
  }

  /** @internal Registers a peer's public IP. */
  attach(peer: SimPeer): void {
    const ip = peer.nat.ip;
    const existing = this.hostsByIp.get(ip);
    if (existing === undefined) this.hostsByIp.set(ip, peer);
    else if (Array.isArray(existing)) existing.push(peer);
    else this.hostsByIp.set(ip, [existing, peer]);
  }

  /** The peer that answers at `destination`, or -1. */
  private resolve(destination: Endpoint): number {
    const hosts = this.hostsByIp.get(endpointIp(destination));
    if (hosts === undefined) return -1;
    if (!Array.isArray(hosts)) return hosts.id;
    const port = endpointPort(destination);
    for (const h of hosts) if (h.nat.owns(port)) return h.id;
    return hosts[0]!.id;
  }

  /**
   * @internal Sends a packet from `from` to `destination`; returns its id. Applies the sender's
   * NAT, the adversary hooks, and the link; schedules the arrival.
   */
  send(
    from: SimPeer,
    destination: Endpoint,
    protocol: string,
    payload: Uint8Array,
    kind: Kind,
    conn = 0,
    seg: Seg = Seg.Data,
    order: { last: number } | null = null,
  ): number {
    if (!(payload instanceof Uint8Array)) {
      throw new ValidationError('INVALID_ARGUMENT', '"payload" expected Uint8Array');
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new ValidationError(
        'SIM_PAYLOAD_TOO_LARGE',
        `payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
      );
    }
    if (!from.online)
      throw new StateError('SIM_PEER_OFFLINE', `peer ${from.id} is offline and cannot send`);
    const host = this.host;
    const now = host.now();
    const source = from.nat.outbound(destination);
    const toPeer = this.resolve(destination);
    const pkt = new Packet(
      this.nextPacketId++,
      kind,
      protocol,
      payload.slice(),
      from.id,
      source,
      destination,
      toPeer,
      now,
      false,
      conn,
      seg,
      order,
    );
    host.metrics.onSend(now, from.id, protocol, payload.length);
    if (host.metrics.tracing && host.metrics.traced(pkt.id, from.id, toPeer))
      this.trace('send', pkt);
    const adversary = this.adversaries.get(from.id);
    if (
      adversary?.outbound !== undefined &&
      !this.intercept(adversary.outbound, pkt, this.transmitFn)
    )
      return pkt.id;
    this.transmit(pkt);
    return pkt.id;
  }

  /** Puts a packet on the link: partition, loss, bandwidth, latency, reordering, duplication. */
  private transmit(pkt: Packet): void {
    if (pkt.toPeer < 0) {
      this.drop(pkt, 'unreachable');
      return;
    }
    const host = this.host;
    const from = host.peers[pkt.fromPeer]!;
    const to = host.peers[pkt.toPeer]!;
    if (this.groups !== null && !this.connected(from.id, to.id)) {
      this.drop(pkt, 'partition');
      return;
    }
    const link = this.linkBetween(from, to);
    const rng = host.random;
    const now = host.now();
    let delay = sample(link.latency, rng);
    let lost = false;
    if (pkt.kind === Kind.Stream && pkt.seg !== Seg.Syn && pkt.seg !== Seg.SynAck) {
      // A reliable stream turns loss into delay, as TCP does: the first retransmission waits one
      // RTO of max(200 ms, 2 x the latency), each further one twice as long (RFC 6298 §5.5, up to
      // a cap); after STREAM_MAX_RETRANSMITS the sender gives up and the connection is reset then
      // (RFC 1122 §4.2.3.5). (Dial requests and answers are not retransmitted here: the dial
      // repeats its request itself.)
      let rto = Math.max(STREAM_MIN_RETRANSMIT_MS, 2 * delay);
      for (let tries = 0; rng.chance(link.loss); tries++) {
        if (tries === STREAM_MAX_RETRANSMITS) {
          host.queue.push(now + delay, this.giveUpFn, pkt);
          // Later segments wait behind this one, as in TCP: none arrives before the reset.
          if (pkt.order !== null) pkt.order.last = Math.max(pkt.order.last, now + delay);
          return;
        }
        delay += rto;
        rto = Math.min(2 * rto, STREAM_MAX_RETRANSMIT_MS);
      }
    } else {
      lost = rng.chance(link.loss);
    }
    let departure = now;
    if (link.bandwidth !== Number.POSITIVE_INFINITY) {
      // A packet the link loses has still taken its turn on the link.
      const key = pairKey(from.id, to.id);
      departure =
        Math.max(now, this.busyUntil.get(key) ?? 0) + (pkt.payload.length * 1000) / link.bandwidth;
      this.busyUntil.set(key, departure);
    }
    if (lost) {
      this.drop(pkt, 'loss');
      return;
    }
    let arrival = departure + delay;
    if (pkt.kind === Kind.Stream) {
      // In order per direction of a connection, as a stream delivers.
      const order = pkt.order;
      if (order !== null) {
        if (arrival < order.last) arrival = order.last;
        order.last = arrival;
      }
    } else {
      if (rng.chance(link.reorder)) arrival += sample(link.reorderDelay, rng);
      if (rng.chance(link.duplicate)) {
        host.queue.push(arrival + rng.float() * delay, this.arriveFn, pkt.clone());
      }
    }
    host.queue.push(arrival, this.arriveFn, pkt);
  }

  /** A packet reaches the destination's network: partition, liveness, NAT filter, hooks. */
  private arrive(pkt: Packet): unknown {
    const host = this.host;
    const to = host.peers[pkt.toPeer]!;
    if (this.groups !== null && !this.connected(pkt.fromPeer, to.id))
      return this.drop(pkt, 'partition');
    if (!to.online) return this.drop(pkt, 'offline');
    if (!to.nat.accepts(endpointPort(pkt.destination), pkt.source)) return this.drop(pkt, 'nat');
    const adversary = this.adversaries.get(to.id);
    if (adversary?.inbound !== undefined && !this.intercept(adversary.inbound, pkt, this.deliverFn))
      return undefined;
    return this.deliver(pkt);
  }

  private deliver(pkt: Packet): unknown {
    const host = this.host;
    const to = host.peers[pkt.toPeer]!;
    if (!to.online) return this.drop(pkt, 'offline');
    const metrics = host.metrics;
    if (pkt.kind === Kind.Stream) {
      this.count(pkt);
      return to.onStreamPacket(pkt);
    }
    const handler = to.handlerFor(pkt.protocol);
    if (handler === undefined) return this.drop(pkt, 'no-handler');
    this.count(pkt);
    if (metrics.tracing && metrics.traced(pkt.id, pkt.fromPeer, pkt.toPeer))
      this.trace('deliver', pkt);
    return handler(pkt);
  }

  private count(pkt: Packet): void {
    const host = this.host;
    const now = host.now();
    if (pkt.copy) host.metrics.onDuplicate(pkt.protocol);
    else
      host.metrics.onDeliver(now, pkt.toPeer, pkt.protocol, pkt.payload.length, now - pkt.sentAt);
  }

  /** Runs a hook; returns whether the packet goes on now. `next` continues a delayed packet. */
  private intercept(hook: Interceptor, pkt: Packet, next: (p: unknown) => unknown): boolean {
    const v = hook(pkt);
    if (v === undefined || v === null) return true;
    const delay = v.delayMs === undefined ? 0 : assertNumber(v.delayMs, 'verdict.delayMs');
    const host = this.host;
    const metrics = host.metrics;
    if (v.drop === true) {
      metrics.count('adversary.dropped');
      this.drop(pkt, 'adversary');
      return false;
    }
    if (v.payload !== undefined) {
      if (!(v.payload instanceof Uint8Array)) {
        throw new ValidationError('INVALID_ARGUMENT', '"verdict.payload" expected Uint8Array');
      }
      if (v.payload.length > MAX_PAYLOAD_BYTES) {
        throw new ValidationError(
          'SIM_PAYLOAD_TOO_LARGE',
          `verdict payload of ${v.payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
        );
      }
      pkt.payload = v.payload.slice();
      metrics.count('adversary.tampered');
    }
    if (v.replayAfterMs !== undefined) {
      if (!Array.isArray(v.replayAfterMs)) {
        throw new ValidationError(
          'SIM_INVALID_OPTION',
          '"verdict.replayAfterMs" expected an array of delays',
        );
      }
      for (const [i, d] of v.replayAfterMs.entries()) {
        const at = host.now() + assertNumber(d, `verdict.replayAfterMs[${i}]`);
        host.queue.push(at, next, pkt.clone());
        metrics.count('adversary.replayed');
      }
    }
    if (delay > 0) {
      host.queue.push(host.now() + delay, next, pkt);
      metrics.count('adversary.delayed');
      return false;
    }
    return true;
  }

  private drop(pkt: Packet, reason: DropReason): undefined {
    const host = this.host;
    // A copy (duplicate or replay) that is lost was never sent: it is not counted as a drop.
    if (!pkt.copy) host.metrics.onDrop(host.now(), pkt.protocol, reason, pkt.sentAt);
    if (host.metrics.tracing && host.metrics.traced(pkt.id, pkt.fromPeer, pkt.toPeer))
      this.trace('drop', pkt, reason);
    if (pkt.kind === Kind.Stream && reason !== 'adversary') {
      // The stream cannot get through (for a data segment, also when retransmissions gave up):
      // both ends see a reset.
      host.peers[pkt.fromPeer]?.onStreamFailure(pkt);
      if (pkt.toPeer >= 0) host.peers[pkt.toPeer]?.onStreamFailure(pkt);
    }
    return undefined;
  }

  private trace(event: string, pkt: Packet, detail?: string): void {
    this.host.metrics.record({
      t: this.host.now(),
      event,
      message: pkt.id,
      from: pkt.fromPeer,
      to: pkt.toPeer,
      protocol: pkt.protocol,
      bytes: pkt.payload.length,
      ...(detail === undefined ? {} : { detail }),
    });
  }
}

function pairKey(a: number, b: number): number {
  return a * 2_097_152 + b;
}
