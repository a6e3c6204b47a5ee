import {
  AbortError,
  type AbortOptions,
  type Address,
  assertBytes,
  type Connection,
  type ConnectionHandler,
  IoError,
  type Listener,
  type ListenOptions,
  type Source,
  StateError,
  type TimerHandle,
  type Transport,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { type Endpoint, formatEndpoint } from './address';
import { DEFAULT_DIAL_TIMEOUT_MS, DIAL_RETRY_INTERVAL_MS } from './constants';
import { Kind, type Network, type Packet, Seg } from './network';
import type { SimPeer } from './peer';

/** Options of `SimTransport.dial` beyond the standard abort signal. */
export interface SimDialOptions extends AbortOptions {
  /** Label under which the connection's traffic is counted in the metrics. @default 'stream' */
  protocol?: string;
  /** Give up after this long without an answer. @default 5000 ms */
  timeoutMs?: number;
}

const EMPTY = new Uint8Array(0);

interface PendingDial {
  conn: SimConnection;
  resolve: (c: Connection) => void;
  reject: (e: Error) => void;
  retry: TimerHandle;
  timeout: TimerHandle;
  onAbort: (() => void) | undefined;
  signal: AbortSignal | undefined;
}

/**
 * A `Transport` over the simulated network (scheme `sim`, addresses `sim:<ip>:<port>` or
 * `sim:<peer>`). A dial sends connection requests through both NATs, again every 250 ms, until the
 * other side answers, refuses, or the dial times out, so simultaneous dials punch holes as real
 * ones do. Connections are reliable, ordered byte-chunk streams: link loss becomes retransmission
 * delay (until the retransmissions give up); a partition, a departed peer or a NAT that stops a
 * segment resets the connection, and so does a segment for a connection the peer no longer has.
 */
export class SimTransport implements Transport {
  readonly schemes = ['sim'] as const;
  private readonly peer: SimPeer;
  private readonly network: Network;
  /** Connection ends by key: `connId * 2 + (dialer ? 0 : 1)`. */
  private readonly conns = new Map<number, SimConnection>();
  private readonly pending = new Map<number, PendingDial>();
  /** Keys of every connection accepted, so a late duplicate request does not open it again. */
  private readonly accepted = new Set<number>();
  private handler: ConnectionHandler | undefined;

  /** @internal */
  constructor(peer: SimPeer, network: Network) {
    this.peer = peer;
    this.network = network;
  }

  dial(address: Address, options: SimDialOptions = {}): Promise<Connection> {
    const signal = options.signal;
    if (signal?.aborted === true)
      return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    const peer = this.peer;
    if (!peer.online)
      return Promise.reject(new IoError('SIM_PEER_OFFLINE', `peer ${peer.id} is offline`));
    let dest: Endpoint;
    try {
      dest = this.network.resolveAddress(address);
    } catch (err) {
      return Promise.reject(err);
    }
    const protocol = options.protocol ?? 'stream';
    const timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    const key = this.network.nextConnectionId() * 2;
    const conn = new SimConnection(this, key, dest, protocol, peer.address, formatEndpoint(dest));
    return new Promise<Connection>((resolve, reject) => {
      const clock = peer.clock;
      const sendSyn = (): void => {
        this.network.send(peer, dest, protocol, EMPTY, Kind.Stream, key + 1, Seg.Syn, null);
      };
      const retry = (): void => {
        const p = this.pending.get(key);
        if (p === undefined) return;
        sendSyn();
        p.retry = clock.setTimeout(retry, DIAL_RETRY_INTERVAL_MS);
      };
      const entry: PendingDial = {
        conn,
        resolve,
        reject,
        retry: clock.setTimeout(retry, DIAL_RETRY_INTERVAL_MS),
        timeout: clock.setTimeout(() => {
          this.settle(key, new IoError('SIM_DIAL_TIMEOUT', `no answer within ${timeoutMs} ms`));
        }, timeoutMs),
        onAbort: undefined,
        signal,
      };
      if (signal !== undefined) {
        entry.onAbort = () => this.settle(key, new AbortError(undefined, { cause: signal.reason }));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.pending.set(key, entry);
      sendSyn();
    });
  }

  async listen(handler: ConnectionHandler, options: ListenOptions = {}): Promise<Listener> {
    if (options.signal?.aborted === true)
      throw new AbortError(undefined, { cause: options.signal.reason });
    if (typeof handler !== 'function')
      throw new ValidationError('INVALID_ARGUMENT', '"handler" expected a function');
    if (
      options.address !== undefined &&
      this.network.resolveAddress(options.address) !== this.peer.endpoint
    ) {
      throw new ValidationError('SIM_INVALID_ADDRESS', 'a peer listens only on its own address');
    }
    if (this.handler !== undefined)
      throw new StateError('SIM_ALREADY_LISTENING', `peer ${this.peer.id} already listens`);
    this.handler = handler;
    const addresses = [this.peer.address];
    return {
      addresses,
      close: async () => {
        if (this.handler === handler) this.handler = undefined;
      },
    };
  }

  /** Open connection ends of this peer. */
  get connections(): readonly Connection[] {
    return [...this.conns.values()];
  }

  private settle(key: number, result: Error | SimConnection): void {
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    const clock = this.peer.clock;
    clock.clearTimeout(p.retry);
    clock.clearTimeout(p.timeout);
    if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
    if (result instanceof SimConnection) {
      this.conns.set(key, result);
      p.resolve(result);
    } else {
      p.reject(result);
    }
  }

  /** @internal Sends one segment of `conn` to its remote end. */
  sendSegment(conn: SimConnection, seg: Seg, payload: Uint8Array): void {
    if (!this.peer.online) return;
    this.network.send(
      this.peer,
      conn.remote,
      conn.protocol,
      payload,
      Kind.Stream,
      conn.key ^ 1,
      seg,
      conn.order,
    );
  }

  /** @internal */
  forget(conn: SimConnection): void {
    if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
  }

  /** @internal A segment arrived. */
  onPacket(pkt: Packet): unknown {
    const key = pkt.conn;
    switch (pkt.seg) {
      case Seg.Syn: {
        const existing = this.conns.get(key);
        if (existing !== undefined) {
          this.reply(pkt, Seg.SynAck, existing.order);
          return undefined;
        }
        // A late copy of a request for a connection that has come and gone.
        if (this.accepted.has(key)) return undefined;
        const handler = this.handler;
        if (handler === undefined) {
          this.reply(pkt, Seg.Rst);
          return undefined;
        }
        const conn = new SimConnection(
          this,
          key,
          pkt.source,
          pkt.protocol,
          this.peer.address,
          pkt.from,
        );
        this.conns.set(key, conn);
        this.accepted.add(key);
        // The answer is ordered with the connection's data, so data the handler writes at once
        // cannot overtake it.
        this.reply(pkt, Seg.SynAck, conn.order);
        return handler(conn);
      }
      case Seg.SynAck: {
        const p = this.pending.get(key);
        if (p !== undefined) this.settle(key, p.conn);
        // An answer to a dial that gave up: tell the other side, as TCP answers with a reset.
        else if (!this.conns.has(key)) this.reply(pkt, Seg.Rst);
        return undefined;
      }
      case Seg.Data:
      case Seg.Fin: {
        const conn = this.conns.get(key);
        // No such connection (this peer crashed and came back, or reset it): answer with a
        // reset, as TCP does for a segment to a closed port (RFC 793, "Reset Generation").
        if (conn === undefined) this.reply(pkt, Seg.Rst);
        else if (pkt.seg === Seg.Data) conn.push(pkt.payload);
        else conn.remoteEnded();
        return undefined;
      }
      case Seg.Rst: {
        if (this.pending.has(key)) {
          this.settle(
            key,
            new IoError('SIM_CONNECTION_REFUSED', 'the remote peer does not listen'),
          );
        }
        this.conns
          .get(key)
          ?.reset(new IoError('SIM_CONNECTION_RESET', 'the remote end reset the connection'));
        return undefined;
      }
    }
  }

  private reply(pkt: Packet, seg: Seg, order: { last: number } | null = null): void {
    if (!this.peer.online) return;
    this.network.send(
      this.peer,
      pkt.source,
      pkt.protocol,
      EMPTY,
      Kind.Stream,
      pkt.conn ^ 1,
      seg,
      order,
    );
  }

  /** @internal A segment of a connection of ours could not get through: reset our end. */
  onFailure(pkt: Packet): void {
    if (pkt.seg === Seg.Syn || pkt.seg === Seg.SynAck) return; // the dial retries or times out
    const err = new IoError('SIM_CONNECTION_RESET', 'the connection was cut');
    if (pkt.fromPeer === this.peer.id) this.conns.get(pkt.conn ^ 1)?.reset(err);
    if (pkt.toPeer === this.peer.id) this.conns.get(pkt.conn)?.reset(err);
  }

  /** @internal The peer leaves: close everything; a clean shutdown tells the other ends. */
  teardown(clean: boolean): void {
    for (const key of [...this.pending.keys()]) {
      this.settle(key, new IoError('SIM_PEER_OFFLINE', `peer ${this.peer.id} left the network`));
    }
    for (const conn of [...this.conns.values()]) {
      if (clean && !conn.closed) this.sendSegment(conn, Seg.Rst, EMPTY);
      conn.reset(new IoError('SIM_PEER_OFFLINE', `peer ${this.peer.id} left the network`));
    }
    this.handler = undefined;
  }
}

/**
 * One end of a simulated connection. Reads come from a queue filled by arriving segments; the sink
 * never blocks (an unbounded send buffer), while the link's bandwidth and latency decide arrival.
 */
export class SimConnection implements Connection {
  readonly remoteAddress: Address;
  readonly localAddress: Address;
  /** @internal */
  readonly key: number;
  /** @internal */
  readonly remote: Endpoint;
  /** @internal */
  readonly protocol: string;
  /** @internal Arrival time of our last segment, so segments arrive in order. */
  readonly order = { last: 0 };
  private readonly transport: SimTransport;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private ended = false;
  private error: Error | undefined;
  private isClosed = false;
  private finSent = false;
  private sinkUsed = false;
  private sinkDone: Promise<void> | undefined;
  private waiter:
    | { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: Error) => void }
    | undefined;

  readonly source: AsyncIterable<Uint8Array>;

  /** @internal */
  constructor(
    transport: SimTransport,
    key: number,
    remote: Endpoint,
    protocol: string,
    localAddress: Address,
    remoteAddress: Address,
  ) {
    this.transport = transport;
    this.key = key;
    this.remote = remote;
    this.protocol = protocol;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    const iterator: AsyncIterator<Uint8Array> = {
      next: () => this.read(),
      return: async () => ({ done: true, value: undefined }),
    };
    this.source = { [Symbol.asyncIterator]: () => iterator };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  sink = (source: Source<Uint8Array>): Promise<void> => {
    if (this.sinkUsed)
      return Promise.reject(new StateError('SIM_SINK_USED', 'a connection sink can be used once'));
    this.sinkUsed = true;
    this.sinkDone = this.drain(source);
    return this.sinkDone;
  };

  private async drain(source: Source<Uint8Array>): Promise<void> {
    for await (const chunk of source) {
      if (this.error !== undefined) throw this.error;
      if (this.finSent) throw new StateError('SIM_CONNECTION_CLOSED', 'the connection is closed');
      assertBytes(chunk, 'chunk');
      this.transport.sendSegment(this, Seg.Data, chunk);
    }
    if (this.error !== undefined) throw this.error;
    this.sendFin();
  }

  private sendFin(): void {
    if (this.finSent || this.error !== undefined) return;
    this.finSent = true;
    this.transport.sendSegment(this, Seg.Fin, EMPTY);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    if (this.sinkDone !== undefined) await this.sinkDone.catch(() => undefined);
    this.sendFin();
    this.isClosed = true;
    if (this.ended) this.transport.forget(this);
  }

  abort(reason: Error): void {
    if (this.error !== undefined) return;
    if (!this.finSent || !this.ended) this.transport.sendSegment(this, Seg.Rst, EMPTY);
    this.reset(reason);
  }

  private read(): Promise<IteratorResult<Uint8Array>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head]!;
      this.queue[this.head++] = EMPTY;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    if (this.waiter !== undefined)
      return Promise.reject(new StateError('SIM_CONCURRENT_READ', 'one read at a time'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** @internal */
  push(chunk: Uint8Array): void {
    if (this.error !== undefined || this.ended) return;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve({ done: false, value: chunk });
    } else {
      this.queue.push(chunk);
    }
  }

  /** @internal */
  remoteEnded(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve({ done: true, value: undefined });
    }
    if (this.isClosed) this.transport.forget(this);
  }

  /** @internal Fails the connection at once, without telling the other end. */
  reset(reason: Error): void {
    if (this.error !== undefined) return;
    this.error = reason;
    this.isClosed = true;
    this.queue.length = 0;
    this.head = 0;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.reject(reason);
    }
    this.transport.forget(this);
  }
}
