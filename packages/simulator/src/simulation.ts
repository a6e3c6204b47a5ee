import {
  LimitError,
  type RandomBytes,
  StateError,
  type TimerHandle,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { SimClock } from './clock';
import {
  DEFAULT_LISTEN_PORT,
  DEFAULT_MAX_EVENTS,
  MAX_PEERS,
  NAT_FIRST_EXTERNAL_PORT,
} from './constants';
import { type Distribution, sample, validateDistribution } from './distribution';
import { Metrics } from './metrics';
import { NAT_TYPES, NatState, type NatType } from './nat';
import { Network, type NetworkOptions } from './network';
import { type LeaveKind, SimPeer } from './peer';
import { EventQueue } from './queue';
import { SimRandom } from './rng';
import { assertFinite, assertInteger, assertNumber, assertProbability } from './validate';

/** First public IP handed out (10.0.0.1); peer `i` gets IP base + i unless it shares one. */
const IP_BASE = 0x0a000001;

export interface SimulationOptions {
  /** The seed of the one random source. Same seed and scenario, same run. */
  seed: number | string;
  network?: NetworkOptions;
  /** Share of peers given each NAT type when `addPeer` does not say. @default all `open` */
  nat?: Partial<Record<NatType, number>>;
}

export interface PeerOptions {
  region?: string;
  nat?: NatType;
}

export interface RunOptions {
  /** Stop when the next event is later than this virtual time (ms); the clock ends here. */
  until?: number;
  /** Fail with `SIM_EVENT_LIMIT` after this many events. @default 100,000,000 */
  maxEvents?: number;
  /** Called every `progressEvery` events (and once at the end). */
  onProgress?: (progress: Progress) => void;
  /** @default 10,000 */
  progressEvery?: number;
}

export interface Progress {
  /** Virtual time, ms. */
  time: number;
  events: number;
  pending: number;
}

export interface RunStats {
  events: number;
  /** Virtual time at the end, ms. */
  time: number;
  /** Events still queued (beyond `until`). */
  pending: number;
}

/** Churn by distribution: each peer alternates online sessions and offline gaps. */
export interface ChurnOptions {
  /** Peers that churn (those offline at the call start with a downtime). @default every peer */
  peers?: readonly SimPeer[];
  /** Length of an online session, ms. */
  session: Distribution;
  /** Time offline before rejoining, ms; leave it out and peers never come back. */
  downtime?: Distribution;
  /** Probability that a leave is a crash rather than a clean shutdown. @default 0 */
  crash?: number;
  /** No churn event is scheduled after this time (ms). */
  until: number;
}

/** One step of a churn script. */
export interface ChurnStep {
  at: number;
  peer: SimPeer;
  action: 'join' | 'leave' | 'crash';
}

const yieldToHost: () => Promise<void> =
  typeof globalThis.setImmediate === 'function'
    ? () => new Promise<void>((resolve) => globalThis.setImmediate(resolve))
    : (() => {
        const channel = new MessageChannel();
        const waiting: (() => void)[] = [];
        channel.port1.onmessage = () => waiting.shift()?.();
        return () =>
          new Promise<void>((resolve) => {
            waiting.push(resolve);
            channel.port2.postMessage(0);
          });
      })();

/**
 * A deterministic discrete-event simulation: one event queue keyed by (virtual time, sequence),
 * one seeded random source, and a network of simulated peers.
 *
 * Determinism with async code: after every event the loop yields to the host's macrotask queue,
 * which runs every pending microtask (promise continuations) first. So all promise chains an event
 * starts finish, at that event's virtual time, before the next event runs; and nothing but the
 * simulation's own events advances the clock. The same seed and scenario give the same run, event
 * for event, as long as protocol code takes time and randomness only from the simulation.
 */
export class Simulation {
  readonly random: SimRandom;
  /** Random bytes from the simulation's source, for protocol code (NOT cryptographically secure). */
  readonly randomBytes: RandomBytes;
  readonly metrics = new Metrics();
  readonly network: Network;
  private readonly peerList: SimPeer[] = [];
  /** The global view of the virtual clock. */
  readonly clock: SimClock;
  /** @internal */
  readonly queue = new EventQueue();
  private time = 0;
  private events = 0;
  private readonly timerIds = { next: 1 };
  private readonly natWeights: [NatType, number][];
  private readonly sessionStart: number[] = [];
  private failure: { error: unknown } | undefined;
  private running = false;

  constructor(options: SimulationOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ValidationError('SIM_INVALID_OPTION', '"options" expected an object');
    }
    if (typeof options.seed !== 'number' && typeof options.seed !== 'string') {
      throw new ValidationError('SIM_INVALID_OPTION', '"seed" expected a number or string');
    }
    this.random = new SimRandom(options.seed);
    this.randomBytes = this.random.randomBytes();
    this.clock = new SimClock(this.queue, () => this.time, this.timerIds);
    this.network = new Network(this, options.network);
    const nat = options.nat ?? { open: 1 };
    this.natWeights = NAT_TYPES.filter((t) => nat[t] !== undefined).map((t) => [
      t,
      assertNumber(nat[t], `nat.${t}`),
    ]);
    for (const key of Object.keys(nat)) {
      if (!NAT_TYPES.includes(key as NatType))
        throw new ValidationError('SIM_INVALID_OPTION', '"nat" names an unknown NAT type');
    }
    if (this.natWeights.reduce((a, [, w]) => a + w, 0) <= 0) {
      throw new ValidationError('SIM_INVALID_OPTION', '"nat" weights must add up to more than 0');
    }
  }

  /** Every peer, by id (Sybil identities included). */
  get peers(): readonly SimPeer[] {
    return this.peerList;
  }

  /** Current virtual time, ms. */
  now(): number {
    return this.time;
  }

  /** Events processed so far. */
  get eventCount(): number {
    return this.events;
  }

  /** Runs `fn` after `delayMs` of virtual time (global: survives churn). */
  schedule(delayMs: number, fn: () => unknown): TimerHandle {
    return this.clock.setTimeout(fn as () => void, delayMs);
  }

  /** Runs `fn` at virtual time `timeMs` (or now, if that has passed). */
  at(timeMs: number, fn: () => unknown): TimerHandle {
    return this.schedule(assertFinite(timeMs, 'timeMs') - this.time, fn);
  }

  /** Adds one peer. Region and NAT type are drawn from the configured weights unless given. */
  addPeer(options: PeerOptions = {}): SimPeer {
    return this.createPeer(options, undefined, undefined);
  }

  /** Adds `count` peers. */
  addPeers(count: number, options: PeerOptions = {}): SimPeer[] {
    assertInteger(count, 'count', 0, MAX_PEERS - this.peers.length);
    const out: SimPeer[] = [];
    for (let i = 0; i < count; i++) out.push(this.addPeer(options));
    return out;
  }

  /**
   * Adds `count` Sybil identities run by `controller`: new peers in its region, each marked with
   * `sybilOf`. With `sameIp` they share the controller's IP on other ports (one host, many
   * identities); otherwise each gets its own IP (the adversary rents addresses).
   */
  addSybils(controller: SimPeer, count: number, options: { sameIp?: boolean } = {}): SimPeer[] {
    assertInteger(count, 'count', 0, MAX_PEERS - this.peers.length);
    const out: SimPeer[] = [];
    const sameIp = options.sameIp === true;
    const first = sameIp ? controller.nat.localPort + 1 + this.countSybils(controller) : 0;
    if (sameIp && first + count > NAT_FIRST_EXTERNAL_PORT) {
      // Ports above stay for NAT mappings; one IP has room for about 16,000 identities.
      throw new ValidationError(
        'SIM_INVALID_OPTION',
        `"count" leaves no free port on one IP: at most ${NAT_FIRST_EXTERNAL_PORT - first} more`,
      );
    }
    for (let i = 0; i < count; i++) {
      const at = sameIp ? { ip: controller.nat.ip, port: first + i } : undefined;
      out.push(this.createPeer({ region: controller.region, nat: 'open' }, controller.id, at));
    }
    return out;
  }

  private countSybils(controller: SimPeer): number {
    let n = 0;
    for (const p of this.peers)
      if (p.sybilOf === controller.id && p.nat.ip === controller.nat.ip) n++;
    return n;
  }

  private createPeer(
    options: PeerOptions,
    sybilOf: number | undefined,
    at: { ip: number; port: number } | undefined,
  ): SimPeer {
    const id = this.peers.length;
    if (id >= MAX_PEERS)
      throw new ValidationError('SIM_INVALID_OPTION', `at most ${MAX_PEERS} peers`);
    const regionIndex =
      options.region === undefined
        ? this.network.pickRegion()
        : this.network.regionIndex(options.region, 'region');
    const natType = options.nat ?? this.pickNat();
    if (!NAT_TYPES.includes(natType))
      throw new ValidationError('SIM_INVALID_OPTION', '"nat" is not a known NAT type');
    const nat = new NatState(natType, at?.ip ?? IP_BASE + id, at?.port ?? DEFAULT_LISTEN_PORT);
    const clock = new SimClock(this.queue, () => this.time, this.timerIds);
    const peer = new SimPeer(
      this,
      id,
      this.network.regions[regionIndex]!,
      regionIndex,
      nat,
      clock,
      this.randomBytes,
      sybilOf,
    );
    this.peerList.push(peer);
    this.network.attach(peer);
    this.sessionStart[id] = this.time;
    this.metrics.peerSent[id] = this.metrics.peerSent[id] ?? 0;
    return peer;
  }

  private pickNat(): NatType {
    const w = this.natWeights;
    if (w.length === 1) return w[0]![0];
    let total = 0;
    for (const [, x] of w) total += x;
    let r = this.random.float() * total;
    for (const [t, x] of w) {
      r -= x;
      if (r < 0) return t;
    }
    return w[w.length - 1]![0];
  }

  /** Splits the network into sides at time `at` (now when absent); see `Network.partition`. */
  partition(sides: readonly (readonly SimPeer[])[], at?: number): void {
    const seen = new Set<SimPeer>();
    for (const side of Array.isArray(sides) ? sides : [null]) {
      for (const p of Array.isArray(side) ? side : [null]) {
        if (!(p instanceof SimPeer) || seen.has(p)) {
          throw new ValidationError(
            'SIM_INVALID_OPTION',
            '"sides" expected arrays of peers, each peer on one side at most',
          );
        }
        seen.add(p);
      }
    }
    const apply = (): void => {
      this.network.partition(sides);
      this.metrics.count('network.partitions');
      if (this.metrics.tracing)
        this.metrics.record({ t: this.time, event: 'partition', detail: `${sides.length} sides` });
    };
    if (at === undefined) apply();
    else this.at(assertNumber(at, 'at'), apply);
  }

  /** Heals any partition at time `at` (now when absent). */
  heal(at?: number): void {
    const apply = (): void => {
      this.network.heal();
      this.metrics.count('network.heals');
      if (this.metrics.tracing) this.metrics.record({ t: this.time, event: 'heal' });
    };
    if (at === undefined) apply();
    else this.at(assertNumber(at, 'at'), apply);
  }

  /** Peers leave and rejoin by a session-length distribution. */
  churn(options: ChurnOptions): void {
    const session = validateDistribution(options.session, 'churn.session');
    const downtime =
      options.downtime === undefined
        ? undefined
        : validateDistribution(options.downtime, 'churn.downtime');
    const crash = assertProbability(options.crash ?? 0, 'churn.crash');
    const until =
      options.until === Number.POSITIVE_INFINITY
        ? options.until
        : assertNumber(options.until, 'churn.until');
    const peers = options.peers ?? this.peers;
    const leave = (peer: SimPeer): void => {
      if (peer.online) peer.leave(this.random.chance(crash) ? 'crash' : 'shutdown');
      if (downtime === undefined) return;
      const back = this.time + sample(downtime, this.random);
      if (back <= until) this.at(back, () => join(peer));
    };
    const join = (peer: SimPeer): void => {
      peer.join();
      const end = this.time + sample(session, this.random);
      if (end <= until) this.at(end, () => leave(peer));
    };
    for (const peer of peers) {
      if (!(peer instanceof SimPeer))
        throw new ValidationError('SIM_INVALID_OPTION', '"churn.peers" expected peers');
    }
    for (const peer of peers) {
      if (peer.online) {
        const end = this.time + sample(session, this.random);
        if (end <= until) this.at(end, () => leave(peer));
      } else if (downtime !== undefined) {
        // A peer that is away already starts with a downtime, then alternates like the others.
        const back = this.time + sample(downtime, this.random);
        if (back <= until) this.at(back, () => join(peer));
      }
    }
  }

  /** Peers join, leave or crash at scripted times. */
  script(steps: readonly ChurnStep[]): void {
    steps.forEach((step, i) => {
      assertNumber(step.at, `script[${i}].at`);
      if (!(step.peer instanceof SimPeer))
        throw new ValidationError('SIM_INVALID_OPTION', `"script[${i}].peer" expected a peer`);
      if (step.action !== 'join' && step.action !== 'leave' && step.action !== 'crash') {
        throw new ValidationError(
          'SIM_INVALID_OPTION',
          `"script[${i}].action" expected join, leave or crash`,
        );
      }
    });
    for (const step of steps) {
      this.at(step.at, () => {
        if (step.action === 'join') step.peer.join();
        else step.peer.leave(step.action === 'crash' ? 'crash' : 'shutdown');
      });
    }
  }

  /** @internal Records session boundaries of a peer. */
  peerSession(peer: SimPeer, event: 'join' | LeaveKind): void {
    const m = this.metrics;
    if (event === 'join') {
      this.sessionStart[peer.id] = this.time;
      m.count('peers.joined');
    } else {
      m.observe('peers.sessionMs', this.time - (this.sessionStart[peer.id] ?? 0));
      m.count(event === 'crash' ? 'peers.crashed' : 'peers.shutdown');
    }
    if (m.tracing && m.tracesPeer(peer.id)) m.record({ t: this.time, event, from: peer.id });
  }

  /** Number of peers online now. */
  get onlineCount(): number {
    let n = 0;
    for (const p of this.peers) if (p.online) n++;
    return n;
  }

  /**
   * Runs events in (time, sequence) order until the queue is empty or `until` is reached.
   * Rejects with the first error an event throws (or its promise rejects with).
   */
  async run(options: RunOptions = {}): Promise<RunStats> {
    if (this.running) throw new StateError('SIM_ALREADY_RUNNING', 'run() is already in progress');
    const until =
      options.until === undefined || options.until === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : assertNumber(options.until, 'until');
    const maxEvents = assertInteger(options.maxEvents ?? DEFAULT_MAX_EVENTS, 'maxEvents', 1);
    const every = assertInteger(options.progressEvery ?? 10_000, 'progressEvery', 1);
    const onProgress = options.onProgress;
    const queue = this.queue;
    const onError = (error: unknown): void => {
      if (this.failure === undefined) this.failure = { error };
    };
    this.running = true;
    let processed = 0;
    try {
      await yieldToHost();
      for (;;) {
        if (this.failure !== undefined) throw this.failure.error;
        const ev = queue.peek();
        if (ev === undefined || ev.at > until) break;
        queue.pop();
        if (ev.cancelled) continue;
        if (ev.at > this.time) this.time = ev.at;
        this.events++;
        if (++processed > maxEvents) {
          throw new LimitError(
            'SIM_EVENT_LIMIT',
            `more than ${maxEvents} events; raise maxEvents or set until`,
          );
        }
        const result = ev.fn(ev.arg);
        if (isThenable(result)) result.then(undefined, onError);
        // Drain every microtask the event started before the next event runs.
        await yieldToHost();
        if (onProgress !== undefined && processed % every === 0) {
          onProgress({ time: this.time, events: this.events, pending: queue.size });
        }
      }
      const failure = this.failure as { error: unknown } | undefined;
      if (failure !== undefined) throw failure.error;
      if (until !== Number.POSITIVE_INFINITY && until > this.time) this.time = until;
      onProgress?.({ time: this.time, events: this.events, pending: queue.size });
      return { events: this.events, time: this.time, pending: queue.size };
    } finally {
      this.running = false;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
