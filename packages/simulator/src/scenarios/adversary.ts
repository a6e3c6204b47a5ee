import type { Datagram, Verdict } from '../network';
import type { SimPeer } from '../peer';
import type { Scenario } from '../scenario';

/** Share of peers that are adversarial relays, and Sybils added per 10 peers. */
const ADVERSARY_SHARE = 0.2;
const SYBILS_PER_TEN = 1;
/** Messages each honest peer sends through a random relay. */
const MESSAGES_PER_PEER = 5;
/** The adversarial behaviours, assigned in turn. */
export const BEHAVIOURS = ['drop', 'delay', 'replay', 'tamper', 'inspect'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** The hook of one behaviour, applied to what a relay forwards. */
export function behaviourHook(
  behaviour: Behaviour,
  onInspect: (p: Datagram) => void,
): (p: Datagram) => Verdict | undefined {
  return (p) => {
    if (p.protocol !== 'relay/deliver') return undefined;
    switch (behaviour) {
      case 'drop':
        return { drop: true };
      case 'delay':
        return { delayMs: 500 };
      case 'replay':
        return { replayAfterMs: [100, 1_000] };
      case 'tamper': {
        const payload = p.payload.slice();
        payload[payload.length - 1]! ^= 0x01;
        return { payload };
      }
      case 'inspect':
        onInspect(p);
        return undefined;
    }
  };
}

/** FNV-1a over bytes: a stand-in integrity check (not a MAC: the simulator knows no keys). */
function checksum(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * adversary: every honest peer sends five messages, each through a relay picked at random from
 * all peers and a set of Sybil identities. A fifth of the peers are adversarial relays that drop,
 * delay, replay, tamper with or inspect what they forward (one behaviour each, in turn). One of
 * them runs the Sybils (one per ten peers, on its own IP), which drop everything they are given.
 * Receivers check an integrity tag and message ids, and count what they catch.
 */
export const adversaryScenario: Scenario = {
  name: 'adversary',
  description:
    'relays that drop, delay, replay, tamper with or inspect traffic, plus Sybil identities',
  minPeers: 5,
  setup(sim, ctx) {
    const peers = sim.addPeers(ctx.peers);
    const m = sim.metrics;
    const rng = sim.random;
    const adversaries = Math.max(1, Math.floor(ctx.peers * ADVERSARY_SHARE));
    const isAdversary = (p: SimPeer): boolean => p.id < adversaries || p.sybilOf !== undefined;
    peers.slice(0, adversaries).forEach((p, i) => {
      const behaviour = BEHAVIOURS[i % BEHAVIOURS.length]!;
      sim.network.setAdversary(p, {
        outbound: behaviourHook(behaviour, () => m.count('adversary.inspected')),
      });
    });
    const sybils = sim.addSybils(peers[0]!, Math.floor((ctx.peers * SYBILS_PER_TEN) / 10), {
      sameIp: true,
    });
    for (const s of sybils)
      sim.network.setAdversary(s, {
        inbound: (p) => (p.protocol === 'relay/forward' ? { drop: true } : undefined),
      });
    const relays = [...peers, ...sybils];
    const honest = peers.filter((p) => !isAdversary(p));

    for (const peer of relays) {
      // Forward: [dest u32][message...] -> the message, to dest.
      peer.handle('relay/forward', (msg: Datagram) => {
        const dest = new DataView(msg.payload.buffer, msg.payload.byteOffset).getUint32(0);
        const target = sim.peers[dest];
        if (target !== undefined) peer.send(target, 'relay/deliver', msg.payload.subarray(4));
      });
    }
    for (const peer of honest) {
      const seen = new Set<number>();
      // Message: [id u32][sentAt f64][tag u32 over id and sentAt]
      peer.handle('relay/deliver', (msg: Datagram) => {
        const b = msg.payload;
        if (b.length !== 16) return;
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (v.getUint32(12) !== checksum(b, 0, 12)) {
          m.count('relay.tamperDetected');
          return;
        }
        const id = v.getUint32(0);
        if (seen.has(id)) {
          m.count('relay.replayDetected');
          return;
        }
        seen.add(id);
        m.count('relay.delivered');
        m.observe('relay.latencyMs', sim.now() - v.getFloat64(4));
      });
      for (let k = 0; k < MESSAGES_PER_PEER; k++) {
        peer.clock.setTimeout(() => {
          const relay = relays[rng.int(relays.length)]!;
          const dest = honest[rng.int(honest.length)]!;
          const out = new Uint8Array(20);
          const v = new DataView(out.buffer);
          v.setUint32(0, dest.id);
          v.setUint32(4, peer.id * MESSAGES_PER_PEER + k);
          v.setFloat64(8, sim.now());
          v.setUint32(16, checksum(out, 4, 16));
          m.count('relay.sent');
          if (isAdversary(relay)) m.count('relay.viaAdversary');
          peer.send(relay, 'relay/forward', out);
        }, rng.float() * 2_000);
      }
    }
    return {
      expectedMs: 3_000,
      finish: () => ({
        adversaries,
        sybils: sybils.length,
        sent: m.counters.get('relay.sent') ?? 0,
        delivered: m.counters.get('relay.delivered') ?? 0,
        tamperDetected: m.counters.get('relay.tamperDetected') ?? 0,
        replayDetected: m.counters.get('relay.replayDetected') ?? 0,
      }),
    };
  },
};
