import {
  type Address,
  type RandomBytes,
  type Transport,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { type Endpoint, endpoint, formatEndpoint } from './address';
import type { SimClock } from './clock';
import type { Metrics } from './metrics';
import type { NatState } from './nat';
import { type Datagram, Kind, type Network, type Packet } from './network';
import { SimTransport } from './transport';

/** How a peer leaves: a crash loses unsaved state at once; a shutdown runs stop hooks first. */
export type LeaveKind = 'crash' | 'shutdown';

export type DatagramHandler = (message: Datagram) => unknown;

/** @internal What a peer needs from the simulation. */
export interface PeerHost {
  readonly network: Network;
  readonly metrics: Metrics;
  readonly peers: readonly SimPeer[];
  now(): number;
  peerSession(peer: SimPeer, event: 'join' | LeaveKind): void;
}

/**
 * One simulated peer: its network identity (IP, NAT, region), its clock and random source, a
 * datagram API, and a `Transport` for stream connections. Protocol code gets `clock`,
 * `randomBytes` and `transport` and runs unchanged.
 *
 * State: `storage` survives crashes and restarts (a disk); `memory` is wiped whenever the peer
 * leaves (RAM). On a clean shutdown, stop hooks run first and may save to `storage`.
 */
export class SimPeer {
  readonly id: number;
  readonly region: string;
  /** @internal */
  readonly regionIndex: number;
  readonly nat: NatState;
  readonly clock: SimClock;
  readonly randomBytes: RandomBytes;
  /** The peer this one is a Sybil identity of, if any. */
  readonly sybilOf: number | undefined;
  readonly storage = new Map<string, Uint8Array>();
  readonly memory = new Map<string, unknown>();
  private isOnline = true;
  private readonly handlers = new Map<string, DatagramHandler>();
  private readonly startHooks: (() => void)[] = [];
  private readonly stopHooks: ((how: LeaveKind) => void)[] = [];
  private transportImpl: SimTransport | undefined;
  private readonly host: PeerHost;

  /** @internal */
  constructor(
    host: PeerHost,
    id: number,
    region: string,
    regionIndex: number,
    nat: NatState,
    clock: SimClock,
    randomBytes: RandomBytes,
    sybilOf: number | undefined,
  ) {
    this.host = host;
    this.id = id;
    this.region = region;
    this.regionIndex = regionIndex;
    this.nat = nat;
    this.clock = clock;
    this.randomBytes = randomBytes;
    this.sybilOf = sybilOf;
  }

  get online(): boolean {
    return this.isOnline;
  }

  /** The peer's own endpoint (its NAT's IP and its local port). Reachable unsolicited only when
   *  the peer is `open`. */
  get endpoint(): Endpoint {
    return endpoint(this.nat.ip, this.nat.localPort);
  }

  /** `sim:<ip>:<port>` of `endpoint`. */
  get address(): Address {
    return formatEndpoint(this.endpoint);
  }

  /** Registers the handler for datagrams of `protocol` (replacing any earlier one). Handlers are
   *  the peer's code: they stay across restarts; what they keep should live in `memory`. */
  handle(protocol: string, handler: DatagramHandler): void {
    if (typeof protocol !== 'string' || protocol.length === 0) {
      throw new ValidationError('INVALID_ARGUMENT', '"protocol" expected a non-empty string');
    }
    this.handlers.set(protocol, handler);
  }

  /** @internal */
  handlerFor(protocol: string): DatagramHandler | undefined {
    return this.handlers.get(protocol);
  }

  /**
   * Sends one datagram: to another peer (its own endpoint), to an endpoint, or to an address
   * `sim:<ip>:<port>` (e.g. a `Datagram.from` to reply). Returns the message id (for tracing).
   * Datagrams may be lost, reordered or duplicated as the link says; nothing is retried.
   */
  send(to: SimPeer | Endpoint | Address, protocol: string, payload: Uint8Array): number {
    if (typeof protocol !== 'string' || protocol.length === 0) {
      throw new ValidationError('INVALID_ARGUMENT', '"protocol" expected a non-empty string');
    }
    const network = this.host.network;
    const dest =
      to instanceof SimPeer
        ? to.endpoint
        : typeof to === 'number'
          ? to
          : network.resolveAddress(to);
    return network.send(this, dest, protocol, payload, Kind.Datagram);
  }

  /** The peer's `Transport` (scheme `sim`), created on first use. */
  get transport(): Transport & SimTransport {
    if (this.transportImpl === undefined)
      this.transportImpl = new SimTransport(this, this.host.network);
    return this.transportImpl;
  }

  /** Runs `hook` each time the peer joins again after leaving. */
  onStart(hook: () => void): void {
    this.startHooks.push(hook);
  }

  /** Runs `hook` when the peer shuts down cleanly (not on a crash), while it is still online. */
  onStop(hook: (how: LeaveKind) => void): void {
    this.stopHooks.push(hook);
  }

  /** Leaves the network. A crash wipes `memory` with no warning; a shutdown runs stop hooks
   *  first, closes connections with a reset the other side sees, then wipes `memory`. */
  leave(how: LeaveKind = 'shutdown'): void {
    if (!this.isOnline) return;
    if (how === 'shutdown') for (const hook of this.stopHooks) hook(how);
    this.transportImpl?.teardown(how === 'shutdown');
    this.isOnline = false;
    this.clock.cancelAll();
    this.memory.clear();
    this.host.peerSession(this, how);
  }

  /** Joins the network again and runs the start hooks. */
  join(): void {
    if (this.isOnline) return;
    this.isOnline = true;
    this.host.peerSession(this, 'join');
    for (const hook of this.startHooks) hook();
  }

  /** @internal A stream segment arrived for this peer. */
  onStreamPacket(pkt: Packet): unknown {
    return this.transport.onPacket(pkt);
  }

  /** @internal A stream segment of this peer's could not get through. */
  onStreamFailure(pkt: Packet): void {
    this.transportImpl?.onFailure(pkt);
  }
}
