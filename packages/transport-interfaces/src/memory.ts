import { Channel } from './channel';
import { IoError, StateError, throwIfAborted, ValidationError } from './errors';
import type { Duplex, Source } from './stream';
import type {
  AbortOptions,
  Address,
  Connection,
  ConnectionHandler,
  Listener,
  ListenOptions,
  Transport,
} from './transport';

/** Chunks in flight per direction before a writer waits (backpressure). */
const DEFAULT_CAPACITY = 16;

/**
 * Two connected duplex streams: what one side's sink writes, the other side's source reads.
 * Chunks are copied on write, so a writer may reuse its buffer.
 */
export function duplexPair(capacity = DEFAULT_CAPACITY): [Duplex<Uint8Array>, Duplex<Uint8Array>] {
  const aToB = new Channel<Uint8Array>(capacity);
  const bToA = new Channel<Uint8Array>(capacity);
  return [halfDuplex(bToA, aToB), halfDuplex(aToB, bToA)];
}

function halfDuplex(
  inbound: Channel<Uint8Array>,
  outbound: Channel<Uint8Array>,
): Duplex<Uint8Array> {
  return {
    source: inbound,
    async sink(source: Source<Uint8Array>) {
      for await (const chunk of source) await outbound.push(chunk.slice());
      outbound.end();
    },
  };
}

class MemoryConnection implements Connection {
  closed = false;
  readonly source: AsyncIterable<Uint8Array>;
  peer: MemoryConnection | undefined;

  constructor(
    readonly localAddress: Address,
    readonly remoteAddress: Address,
    private readonly inbound: Channel<Uint8Array>,
    private readonly outbound: Channel<Uint8Array>,
  ) {
    this.source = inbound;
  }

  sink = async (source: Source<Uint8Array>): Promise<void> => {
    if (this.closed) throw new StateError('CONNECTION_CLOSED', 'connection is closed');
    for await (const chunk of source) {
      if (this.closed) throw new StateError('CONNECTION_CLOSED', 'connection is closed');
      await this.outbound.push(chunk.slice());
    }
    this.outbound.end();
  };

  async close(options?: AbortOptions): Promise<void> {
    throwIfAborted(options?.signal);
    if (this.closed) return;
    this.closed = true;
    this.outbound.end();
    this.inbound.end();
  }

  abort(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.inbound.fail(reason);
    this.outbound.fail(new IoError('CONNECTION_RESET', 'the remote peer aborted the connection'));
    if (this.peer !== undefined) this.peer.closed = true;
  }
}

/**
 * A registry of in-memory listeners, for tests: every transport made by one network can dial
 * every listener registered on it. Addresses are `memory:<name>`.
 */
export class MemoryNetwork {
  private readonly listeners = new Map<string, ConnectionHandler>();
  private nextName = 1;

  transport(options: { capacity?: number } = {}): Transport {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    let dialerCount = 0;
    const dialerName = `dialer-${this.nextName++}`;
    return {
      schemes: ['memory'],
      dial: async (address: Address, opts?: AbortOptions): Promise<Connection> => {
        throwIfAborted(opts?.signal);
        const name = parseMemoryAddress(address);
        const handler = this.listeners.get(name);
        if (handler === undefined) {
          throw new IoError('DIAL_REFUSED', 'no listener at that memory address');
        }
        const localAddress = `memory:${dialerName}/${++dialerCount}`;
        const aToB = new Channel<Uint8Array>(capacity);
        const bToA = new Channel<Uint8Array>(capacity);
        const dialer = new MemoryConnection(localAddress, address, bToA, aToB);
        const accepted = new MemoryConnection(address, localAddress, aToB, bToA);
        dialer.peer = accepted;
        accepted.peer = dialer;
        handler(accepted);
        return dialer;
      },
      listen: async (handler: ConnectionHandler, opts?: ListenOptions): Promise<Listener> => {
        throwIfAborted(opts?.signal);
        const address = opts?.address ?? `memory:listener-${this.nextName++}`;
        const name = parseMemoryAddress(address);
        if (this.listeners.has(name)) {
          throw new StateError('ADDRESS_IN_USE', 'a listener already uses that memory address');
        }
        this.listeners.set(name, handler);
        return {
          addresses: [address],
          close: async () => {
            if (this.listeners.get(name) === handler) this.listeners.delete(name);
          },
        };
      },
    };
  }
}

function parseMemoryAddress(address: Address): string {
  if (typeof address !== 'string' || !address.startsWith('memory:') || address.length <= 7) {
    throw new ValidationError('INVALID_ADDRESS', 'expected an address of the form memory:<name>');
  }
  if (address.length > 1024) {
    throw new ValidationError('INVALID_ADDRESS', 'address longer than 1024 characters');
  }
  return address.slice(7);
}
