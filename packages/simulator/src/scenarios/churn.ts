import type { Datagram } from '../network';
import type { SimPeer } from '../peer';
import type { Scenario } from '../scenario';

/** Session lengths (exponential, mean 30 s) and downtimes (exponential, mean 10 s). */
export const CHURN_SESSION_MEAN_MS = 30_000;
export const CHURN_DOWNTIME_MEAN_MS = 10_000;
/** Half of all departures are crashes. */
export const CHURN_CRASH_PROBABILITY = 0.5;
const CHURN_END_MS = 300_000;
const PING_INTERVAL_MS = 1_000;
const encoder = new TextEncoder();

/**
 * churn: peers come and go (sessions exponential with a 30 s mean, 10 s offline, half the
 * departures crashes) for five minutes while pinging random peers each second. Each peer keeps a
 * ping counter in memory and saves it to storage on a clean shutdown: after a crash it restarts
 * from the last saved value, and the lost pings are counted.
 */
export const churnScenario: Scenario = {
  name: 'churn',
  description: 'peers join and leave (exponential sessions, half crash) while pinging each other',
  minPeers: 2,
  setup(sim, ctx) {
    const peers = sim.addPeers(ctx.peers);
    const m = sim.metrics;
    const rng = sim.random;
    const start = (peer: SimPeer): void => {
      const saved = peer.storage.get('pings');
      const restored =
        saved === undefined ? 0 : new DataView(saved.buffer, saved.byteOffset).getUint32(0);
      // Ground truth kept outside the peer: what its counter should be. A crash loses the pings
      // counted since the last save.
      const lost = trueCount[peer.id]! - restored;
      if (lost > 0) m.count('churn.pingsLostInCrash', lost);
      trueCount[peer.id] = restored;
      peer.memory.set('pings', restored);
      const tick = (): void => {
        let target = rng.int(peers.length - 1);
        if (target >= peer.id) target++;
        peer.send(peers[target]!, 'ping', encoder.encode('ping'));
        peer.memory.set('pings', (peer.memory.get('pings') as number) + 1);
        trueCount[peer.id]!++;
        peer.clock.setTimeout(tick, PING_INTERVAL_MS);
      };
      peer.clock.setTimeout(tick, rng.float() * PING_INTERVAL_MS);
    };
    const trueCount = new Uint32Array(peers.length);
    for (const peer of peers) {
      peer.handle('ping', (msg: Datagram) => peer.send(msg.source, 'pong', encoder.encode('pong')));
      peer.handle('pong', () => m.count('churn.pongs'));
      peer.onStop(() => {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, peer.memory.get('pings') as number);
        peer.storage.set('pings', out);
      });
      peer.onStart(() => start(peer));
      start(peer);
    }
    sim.churn({
      session: { kind: 'exponential', mean: CHURN_SESSION_MEAN_MS },
      downtime: { kind: 'exponential', mean: CHURN_DOWNTIME_MEAN_MS },
      crash: CHURN_CRASH_PROBABILITY,
      until: CHURN_END_MS,
    });
    return {
      until: CHURN_END_MS,
      finish: () => ({
        sessions: m.samples.get('peers.sessionMs')?.length ?? 0,
        crashed: m.counters.get('peers.crashed') ?? 0,
        shutdown: m.counters.get('peers.shutdown') ?? 0,
        onlineAtEnd: sim.onlineCount,
      }),
    };
  },
};
