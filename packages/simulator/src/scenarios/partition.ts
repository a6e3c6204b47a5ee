import type { Datagram } from '../network';
import type { Scenario } from '../scenario';

/** Phases of the run: connected, split, healed. */
const SPLIT_AT_MS = 5_000;
const HEAL_AT_MS = 10_000;
const END_MS = 15_000;
/** Each peer pings a random peer this often. */
const PING_INTERVAL_MS = 250;
/** Pings sent later than this may not be answered before the end, so they are not counted. */
const COUNT_UNTIL_MS = END_MS - 1_000;

/**
 * partition: peers in two regions (eu, us; 20 ms inside a region, 80 ms across) ping random peers
 * four times a second. At 5 s the network splits along the regions; at 10 s it heals. Answers are
 * counted per phase, so delivery drops by about half during the split and recovers after.
 */
export const partitionScenario: Scenario = {
  name: 'partition',
  description: 'two regions split at 5 s and heal at 10 s while peers ping each other',
  minPeers: 2,
  simulation: () => ({
    network: {
      regions: [{ name: 'eu' }, { name: 'us' }],
      link: { latency: { kind: 'lognormal', median: 20, sigma: 0.3 } },
      regionLinks: [
        { from: 'eu', to: 'us', link: { latency: { kind: 'lognormal', median: 80, sigma: 0.2 } } },
      ],
    },
  }),
  setup(sim, ctx) {
    const peers = sim.addPeers(ctx.peers);
    const m = sim.metrics;
    const rng = sim.random;
    const phase = (t: number): string =>
      t < SPLIT_AT_MS ? 'before' : t < HEAL_AT_MS ? 'during' : 'after';
    sim.partition(
      sim.network.regions.map((r) => peers.filter((p) => p.region === r)),
      SPLIT_AT_MS,
    );
    sim.heal(HEAL_AT_MS);
    for (const peer of peers) {
      peer.handle('ping', (msg: Datagram) => peer.send(msg.source, 'pong', msg.payload));
      peer.handle('pong', (msg: Datagram) => {
        const sent = new DataView(msg.payload.buffer, msg.payload.byteOffset).getFloat64(0);
        if (sent < COUNT_UNTIL_MS) m.count(`partition.answered.${phase(sent)}`);
      });
      const tick = (): void => {
        let target = rng.int(peers.length - 1);
        if (target >= peer.id) target++;
        const payload = new Uint8Array(8);
        new DataView(payload.buffer).setFloat64(0, sim.now());
        // Pings sent too close to the end to be answered are not counted.
        if (sim.now() < COUNT_UNTIL_MS) m.count(`partition.sent.${phase(sim.now())}`);
        peer.send(peers[target]!, 'ping', payload);
        peer.clock.setTimeout(tick, PING_INTERVAL_MS);
      };
      peer.clock.setTimeout(tick, rng.float() * PING_INTERVAL_MS);
    }
    return {
      until: END_MS,
      finish: () => {
        const ratio = (p: string): number => {
          const sent = m.counters.get(`partition.sent.${p}`) ?? 0;
          return sent === 0
            ? 0
            : Math.round(((m.counters.get(`partition.answered.${p}`) ?? 0) / sent) * 1e4) / 1e4;
        };
        return {
          answeredBefore: ratio('before'),
          answeredDuring: ratio('during'),
          answeredAfter: ratio('after'),
        };
      },
    };
  },
};
