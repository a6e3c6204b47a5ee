import type { Duplex } from './stream';

/**
 * Where a peer can be reached: a string of the form `<scheme>:<rest>`, where the scheme names the
 * transport and `rest` is that transport's own syntax. Examples: `memory:alice`,
 * `tcp:127.0.0.1:4001`, `sim:42`. Layers above treat addresses as opaque; only the transport whose
 * `schemes` include the scheme parses the rest. Addresses are at most 1024 UTF-8 bytes.
 */
export type Address = string;

export const MAX_ADDRESS_LENGTH = 1024;

/** Options every async operation accepts. */
export interface AbortOptions {
  signal?: AbortSignal;
}

/** A bidirectional byte stream to one remote peer. */
export interface Connection extends Duplex<Uint8Array> {
  readonly remoteAddress: Address;
  readonly localAddress: Address;
  /** True once closed or aborted. */
  readonly closed: boolean;
  /** Ends our side gracefully: the sink finishes, then the connection closes. */
  close(options?: AbortOptions): Promise<void>;
  /** Tears the connection down at once; pending reads and writes fail with `reason`. */
  abort(reason: Error): void;
}

/** Accepts inbound connections at its addresses until closed. */
export interface Listener {
  readonly addresses: readonly Address[];
  close(options?: AbortOptions): Promise<void>;
}

export type ConnectionHandler = (connection: Connection) => void;

/** A way to reach peers: integrators plug in their own sockets by implementing this. */
export interface Transport {
  /** Address schemes this transport dials, e.g. `['tcp']`. */
  readonly schemes: readonly string[];
  dial(address: Address, options?: AbortOptions): Promise<Connection>;
  listen(handler: ConnectionHandler, options?: ListenOptions): Promise<Listener>;
}

export interface ListenOptions extends AbortOptions {
  /** The address to listen on; the transport picks one when absent. */
  address?: Address;
}
