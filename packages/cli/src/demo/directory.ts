/**
 * STAND-IN FOR THE DHT. There is no DHT package yet, so this in-memory map plays its part: peers
 * publish their signed identity records under their peer id, and onion nodes publish their
 * per-epoch onion keys and addresses. It checks nothing and hides nothing: the reader of a record
 * verifies it (`verifyRecord`), exactly as it would verify one fetched from the DHT, and anyone
 * can see who published what. A real DHT spreads this over every peer (Kademlia, S-Kademlia).
 */
import type { Endpoint } from '@p2pe/simulator';
import { toHex } from '@p2pe/transport-interfaces';

/** An onion node as the directory lists it. */
export interface OnionNodeEntry {
  readonly name: string;
  /** The first 16 bytes of the node's peer id (Sphinx routing uses this short id). */
  readonly shortId: Uint8Array;
  readonly epoch: number;
  /** The node's onion public key for `epoch`. */
  readonly onionKey: Uint8Array;
  readonly endpoint: Endpoint;
  /** True for nodes that relay for others. */
  readonly relay: boolean;
}

export class InMemoryDirectory {
  private readonly records = new Map<string, Uint8Array>();
  private readonly nodes = new Map<string, OnionNodeEntry>();
  private readonly watchers: Array<(peerId: Uint8Array) => void> = [];
  lookups = 0;

  /** Stores a signed identity record under its peer id (the DHT would store the bytes as given). */
  publishRecord(peerId: Uint8Array, record: Uint8Array): void {
    this.records.set(toHex(peerId), record.slice());
    for (const watch of this.watchers) watch(peerId);
  }

  /** The record bytes stored under a peer id: unverified, as a DHT lookup returns them. */
  lookupRecord(peerId: Uint8Array): Uint8Array | undefined {
    this.lookups++;
    return this.records.get(toHex(peerId))?.slice();
  }

  /** Calls `watch` whenever a record is published (a DHT would offer a subscription or polling). */
  onRecord(watch: (peerId: Uint8Array) => void): void {
    this.watchers.push(watch);
  }

  publishNode(entry: OnionNodeEntry): void {
    this.nodes.set(toHex(entry.shortId), entry);
  }

  node(shortId: Uint8Array): OnionNodeEntry | undefined {
    return this.nodes.get(toHex(shortId));
  }

  relays(): OnionNodeEntry[] {
    return [...this.nodes.values()].filter((n) => n.relay);
  }
}
