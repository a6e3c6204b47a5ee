import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DROP_REASONS, dist, NAT_TYPES, type NatType, Simulation } from '../src/index';

interface Config {
  seed: number;
  peers: number;
  loss: number;
  reorder: number;
  duplicate: number;
  bandwidth: number | undefined;
  nats: NatType[];
  messages: number;
  partitionAt: number | undefined;
}

const config = fc.record({
  seed: fc.nat(),
  peers: fc.integer({ min: 2, max: 12 }),
  loss: fc.double({ min: 0, max: 0.5, noNaN: true }),
  reorder: fc.double({ min: 0, max: 0.5, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  bandwidth: fc.option(fc.integer({ min: 1_000, max: 1_000_000 }), { nil: undefined }),
  nats: fc.array(fc.constantFrom(...NAT_TYPES), { minLength: 1, maxLength: 5 }),
  messages: fc.integer({ min: 1, max: 60 }),
  partitionAt: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
});

/** Random traffic with replies on a random network; returns the metrics snapshot. */
async function simulate(c: Config): Promise<{ json: string; sim: Simulation }> {
  const nat: Partial<Record<NatType, number>> = {};
  for (const t of c.nats) nat[t] = (nat[t] ?? 0) + 1;
  const sim = new Simulation({
    seed: c.seed,
    nat,
    network: {
      link: {
        latency: dist.lognormal(30, 0.5),
        loss: c.loss,
        reorder: c.reorder,
        duplicate: c.duplicate,
        ...(c.bandwidth === undefined ? {} : { bandwidth: c.bandwidth }),
      },
    },
  });
  const peers = sim.addPeers(c.peers);
  for (const p of peers) {
    p.handle('req', (m) => p.send(m.source, 'rep', m.payload));
    p.handle('rep', () => sim.metrics.count('replies'));
  }
  for (let i = 0; i < c.messages; i++) {
    sim.at(sim.random.float() * 300, () => {
      const from = peers[sim.random.int(peers.length)]!;
      const to = peers[sim.random.int(peers.length)]!;
      from.send(to, 'req', sim.randomBytes(1 + sim.random.int(64)));
    });
  }
  if (c.partitionAt !== undefined) {
    sim.partition([peers.slice(0, peers.length >> 1)], c.partitionAt);
    sim.heal(c.partitionAt + 50);
  }
  await sim.run();
  return { json: JSON.stringify(sim.metrics.snapshot()), sim };
}

describe('properties over random networks', () => {
  it('the same configuration and seed always give the same metrics', async () => {
    await fc.assert(
      fc.asyncProperty(config, async (c) => {
        const a = await simulate(c);
        const b = await simulate(c);
        return a.json === b.json;
      }),
      { numRuns: 30 },
    );
  });

  it('every datagram sent is delivered or dropped for one stated reason, exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(config, async (c) => {
        const { sim } = await simulate(c);
        for (const name of ['req', 'rep']) {
          const p = sim.metrics.protocol(name);
          if (p === undefined) continue;
          const dropped = DROP_REASONS.reduce((a, r) => a + p.dropped[r], 0);
          expect(p.delivered + dropped).toBe(p.sent);
          if (c.loss === 0) expect(p.dropped.loss).toBe(0);
          if (c.partitionAt === undefined) expect(p.dropped.partition).toBe(0);
          if (c.duplicate === 0) expect(p.duplicated).toBe(0);
        }
        return true;
      }),
      { numRuns: 30 },
    );
  });
});
