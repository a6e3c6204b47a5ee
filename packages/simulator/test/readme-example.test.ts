import { describe, expect, it } from 'vitest';
// The scenario below is the README's "Writing a scenario" example, kept here so it compiles and runs.
import { dist, runScenario, type Scenario } from '../src/index';

const gossip: Scenario = {
  name: 'gossip',
  description: 'one rumour spreads by push gossip',
  minPeers: 2,
  simulation: () => ({
    network: {
      regions: [{ name: 'eu', weight: 2 }, { name: 'us' }],
      link: { latency: dist.lognormal(30, 0.4), loss: 0.01 },
      regionLinks: [{ from: 'eu', to: 'us', link: { latency: dist.lognormal(90, 0.2) } }],
    },
    nat: { open: 1 },
  }),
  setup(sim, { peers: n }) {
    const peers = sim.addPeers(n);
    const infected = new Uint8Array(n);
    for (const peer of peers) {
      peer.handle('rumour', () => {
        if (infected[peer.id] === 1) return;
        infected[peer.id] = 1;
        sim.metrics.observe('rumour.reachedAtMs', sim.now());
        // Protocol code uses the peer's clock and the simulation's random source only.
        for (let i = 0; i < 3; i++) {
          const target = peers[sim.random.int(n)]!;
          peer.clock.setTimeout(() => peer.send(target, 'rumour', new Uint8Array(32)), i * 100);
        }
      });
    }
    sim.at(0, () => peers[0]!.send(peers[1]!, 'rumour', new Uint8Array(32)));
    sim.partition([peers.filter((p) => p.region === 'eu')], 150); // eu vs the rest
    sim.heal(1_000);
    return {
      until: 5_000,
      finish: () => ({ reached: infected.reduce((a, b) => a + b, 0) }),
    };
  },
};

describe('README example', () => {
  it('the gossip scenario runs, reaches most peers, and repeats exactly', async () => {
    const a = await runScenario(gossip, { peers: 200, seed: 1 });
    const b = await runScenario(gossip, { peers: 200, seed: 1 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Number(a.result.reached)).toBeGreaterThan(150);
    expect(a.metrics.counters['network.partitions']).toBe(1);
  });
});
