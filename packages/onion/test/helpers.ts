import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { ManualClock, type RandomBytes } from '@p2pe/transport-interfaces';
import {
  EpochKeyRing,
  type EpochSchedule,
  type HopResult,
  MemoryReplayCache,
  type OnionHop,
  type OnionProfile,
  OnionRelay,
} from '../src/index';

export const schedule: EpochSchedule = { originMs: 0, lengthMs: 3_600_000, graceMs: 60_000 };

export interface TestNode {
  readonly hop: OnionHop;
  readonly keys: EpochKeyRing;
  readonly cache: MemoryReplayCache;
  readonly relay: OnionRelay;
}

export interface TestNet {
  readonly clock: ManualClock;
  readonly nodes: TestNode[];
  readonly random: RandomBytes;
  readonly epoch: number;
  byPeerId(peerId: Uint8Array): TestNode;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** `count` relays sharing one ManualClock, each with a key for the current epoch. */
export function makeNet(profile: OnionProfile, count: number, seed: string): TestNet {
  const random = deterministicRandomForTestsOnly(seed);
  const clock = new ManualClock(10 * schedule.lengthMs + 1_000_000);
  const epoch = Math.floor(clock.now() / schedule.lengthMs);
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const keys = new EpochKeyRing(profile.dh, random);
    const pair = keys.ensure(epoch);
    const cache = new MemoryReplayCache();
    nodes.push({
      hop: { publicKey: pair.publicKey, peerId: random(16), hint: random(16) },
      keys,
      cache,
      relay: new OnionRelay({ profile, keys, cache, clock, schedule }),
    });
  }
  const index = new Map(nodes.map((n) => [hex(n.hop.peerId), n]));
  return {
    clock,
    nodes,
    random,
    epoch,
    byPeerId: (peerId) => {
      const node = index.get(hex(peerId));
      if (node === undefined) throw new Error('unknown peer id');
      return node;
    },
  };
}

/** Sends `packet` along the hops until a non-forward result; records every hop's packet. */
export async function route(
  net: TestNet,
  first: Uint8Array,
  packet: Uint8Array,
): Promise<{ results: HopResult[]; packets: Uint8Array[]; nodes: TestNode[] }> {
  const results: HopResult[] = [];
  const packets: Uint8Array[] = [packet];
  const nodes: TestNode[] = [];
  let node = net.byPeerId(first);
  let current = packet;
  for (let i = 0; i < 32; i++) {
    nodes.push(node);
    const result = await node.relay.process(current);
    results.push(result);
    if (result.type !== 'forward') return { results, packets, nodes };
    current = result.packet;
    packets.push(current);
    node = net.byPeerId(result.nextHop.peerId);
  }
  throw new Error('routing loop');
}
