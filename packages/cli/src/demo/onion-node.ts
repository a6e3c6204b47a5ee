/**
 * An onion node: a peer with a per-epoch onion key that peels Sphinx packets (@p2pe/onion).
 * Relays forward what they peel; Alice and Bob use the same machinery to receive.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import { peerIdOf } from '@p2pe/identity';
import {
  defaultEpochSchedule,
  EpochKeyRing,
  epochAt,
  type HopResult,
  MemoryReplayCache,
  type OnionHop,
  type OnionProfile,
  OnionRelay,
} from '@p2pe/onion';
import type { Endpoint, SimPeer } from '@p2pe/simulator';
import type { Clock, RandomBytes } from '@p2pe/transport-interfaces';
import type { InMemoryDirectory, OnionNodeEntry } from './directory';
import type { Wire } from './network';

export const ONION_PROTOCOL = 'onion';
const HINT_LENGTH = 16;

/** The 16-byte address hint of a simulator endpoint (48 bits, big-endian, zero padded). */
export function endpointHint(endpoint: Endpoint): Uint8Array {
  const hint = new Uint8Array(HINT_LENGTH);
  let v = endpoint;
  for (let i = 5; i >= 0; i--) {
    hint[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return hint;
}

export function hintEndpoint(hint: Uint8Array): Endpoint {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + hint[i]!;
  return v;
}

export function hopOf(entry: OnionNodeEntry): OnionHop {
  return { publicKey: entry.onionKey, peerId: entry.shortId, hint: endpointHint(entry.endpoint) };
}

export interface OnionNodeInit {
  readonly name: string;
  readonly identityKey: Uint8Array;
  readonly peer: SimPeer;
  readonly profile: OnionProfile;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly directory: InMemoryDirectory;
  readonly wire: Wire;
  readonly backend: CryptoBackend;
  readonly relay: boolean;
}

export class OnionNode {
  readonly name: string;
  readonly peer: SimPeer;
  readonly shortId: Uint8Array;
  protected readonly keys: EpochKeyRing;
  protected readonly relayEngine: OnionRelay;
  protected readonly init: OnionNodeInit;

  constructor(init: OnionNodeInit) {
    this.init = init;
    this.name = init.name;
    this.peer = init.peer;
    this.shortId = peerIdOf(init.identityKey, { crypto: init.backend }).slice(0, 16);
    this.keys = new EpochKeyRing(init.profile.dh, init.random);
    this.relayEngine = new OnionRelay({
      profile: init.profile,
      keys: this.keys,
      cache: new MemoryReplayCache(),
      clock: init.clock,
    });
  }

  /** The current epoch, by this node's clock. */
  epoch(): number {
    return epochAt(defaultEpochSchedule, this.init.clock.now());
  }

  /** Makes this epoch's onion key and lists it in the directory (the DHT, in a real network). */
  publish(): OnionNodeEntry {
    const epoch = this.epoch();
    const pair = this.keys.ensure(epoch);
    this.keys.ensure(epoch + 1);
    const entry: OnionNodeEntry = {
      name: this.name,
      shortId: this.shortId,
      epoch,
      onionKey: pair.publicKey,
      endpoint: this.peer.endpoint,
      relay: this.init.relay,
    };
    this.init.directory.publishNode(entry);
    return entry;
  }

  /** Peels one layer; throws the onion layer's typed error for anything it refuses. */
  peel(packet: Uint8Array): Promise<HopResult> {
    return this.relayEngine.process(packet);
  }
}

/** A relay: peels one layer and passes the packet on to the next hop, learning nothing else. */
export class RelayNode extends OnionNode {
  /** A misbehaving relay (for tests): flips one payload bit of every packet it forwards. */
  private readonly tamper: boolean;

  constructor(init: Omit<OnionNodeInit, 'relay'> & { tamper?: boolean }) {
    super({ ...init, relay: true });
    this.tamper = init.tamper === true;
    this.peer.handle(ONION_PROTOCOL, (datagram) => this.onPacket(datagram.payload));
  }

  private async onPacket(packet: Uint8Array): Promise<void> {
    const { wire, directory } = this.init;
    const trace = wire.traceOf(packet);
    let result: HopResult;
    try {
      result = await this.peel(packet);
    } catch (err) {
      wire.observe({
        trace: trace ?? 0,
        hop: this.name,
        receivedBytes: packet.length,
        learned: `refused the packet (${(err as { code?: string }).code ?? 'error'})`,
      });
      return;
    }
    if (result.type !== 'forward') {
      // Relays here carry no mailboxes and make no SURBs: anything else is not for them.
      wire.observe({
        trace: trace ?? 0,
        hop: this.name,
        receivedBytes: packet.length,
        learned: `dropped a packet addressed to it (${result.type})`,
      });
      return;
    }
    const next = directory.node(result.nextHop.peerId);
    wire.observe({
      trace: trace ?? 0,
      hop: this.name,
      receivedBytes: packet.length,
      learned: `next hop = ${next?.name ?? 'unknown'} (short id ${hex8(result.nextHop.peerId)}…)`,
      forwardedBytes: result.packet.length,
    });
    const packetOut = result.packet.slice();
    const last = packetOut.length - 1;
    if (this.tamper) packetOut[last] = packetOut[last]! ^ 1;
    wire.send(this.peer, hintEndpoint(result.nextHop.hint), ONION_PROTOCOL, packetOut, trace);
  }
}

export function hex8(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes.subarray(0, 4)) s += b.toString(16).padStart(2, '0');
  return s;
}
