import { describe, expect, it } from 'vitest';
import { dist, partitionScenario, runScenario, Simulation } from '../src/index';
import { quietSim } from './helpers';

describe('links', () => {
  it('latency follows the configured distribution (median within 5%)', async () => {
    const sim = new Simulation({
      seed: 3,
      network: { link: { latency: dist.lognormal(50, 0.5) } },
    });
    const [a, b] = sim.addPeers(2);
    b!.handle('x', () => undefined);
    for (let i = 0; i < 4000; i++) a!.send(b!, 'x', new Uint8Array(1));
    await sim.run();
    const p50 = sim.metrics.snapshot().latencyMs.p50;
    expect(Math.abs(p50 - 50) / 50).toBeLessThan(0.05);
  });

  it('loss drops the configured share of datagrams (1% of 20,000 within 0.3 points)', async () => {
    const sim = quietSim(4, { network: { link: { loss: 0.01 } } });
    const [a, b] = sim.addPeers(2);
    b!.handle('x', () => undefined);
    for (let i = 0; i < 20_000; i++) a!.send(b!, 'x', new Uint8Array(1));
    await sim.run();
    const p = sim.metrics.protocol('x')!;
    expect(p.dropped.loss / p.sent).toBeGreaterThan(0.007);
    expect(p.dropped.loss / p.sent).toBeLessThan(0.013);
    expect(p.delivered + p.dropped.loss).toBe(p.sent);
  });

  it('duplication delivers some datagrams twice and counts the copies', async () => {
    const sim = quietSim(5, { network: { link: { duplicate: 0.2 } } });
    const [a, b] = sim.addPeers(2);
    let got = 0;
    b!.handle('x', () => got++);
    for (let i = 0; i < 1000; i++) a!.send(b!, 'x', new Uint8Array(1));
    await sim.run();
    const dup = sim.metrics.protocol('x')!.duplicated;
    expect(got).toBe(1000 + dup);
    expect(dup).toBeGreaterThan(150);
    expect(dup).toBeLessThan(250);
  });

  it('reordering lets later datagrams overtake earlier ones; without it a constant link keeps order', async () => {
    for (const reorder of [0, 0.3]) {
      const sim = quietSim(6, { network: { link: { reorder, reorderDelay: dist.constant(50) } } });
      const [a, b] = sim.addPeers(2);
      const order: number[] = [];
      b!.handle('x', (m) => order.push(m.payload[0]!));
      for (let i = 0; i < 100; i++) sim.schedule(i, () => a!.send(b!, 'x', new Uint8Array([i])));
      await sim.run();
      const inversions = order.filter((v, i) => i > 0 && v < order[i - 1]!).length;
      if (reorder === 0) expect(inversions).toBe(0);
      else expect(inversions).toBeGreaterThan(5);
    }
  });

  it('bandwidth queues packets: two 1,000-byte packets at 1,000 B/s arrive a second apart', async () => {
    const sim = quietSim(1, { network: { link: { bandwidth: 1000 } } });
    const [a, b] = sim.addPeers(2);
    const at: number[] = [];
    b!.handle('x', () => at.push(sim.now()));
    a!.send(b!, 'x', new Uint8Array(1000));
    a!.send(b!, 'x', new Uint8Array(1000));
    await sim.run();
    expect(at).toEqual([1010, 2010]);
  });

  it('a datagram the link loses has still taken its turn on the link', async () => {
    const sim = quietSim(1, { network: { link: { bandwidth: 1000 } } });
    const [a, b] = sim.addPeers(2);
    const at: number[] = [];
    b!.handle('x', () => at.push(sim.now()));
    sim.network.setLink(a!, b!, { loss: 1 });
    a!.send(b!, 'x', new Uint8Array(1000)); // lost after its second on the wire
    sim.network.setLink(a!, b!, { loss: 0 });
    a!.send(b!, 'x', new Uint8Array(1000));
    await sim.run();
    expect(at).toEqual([2010]);
    expect(sim.metrics.protocol('x')!.dropped.loss).toBe(1);
  });

  it('a one-way override changes one direction only (an asymmetric link, a one-way failure)', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    sim.network.setLink(a!, b!, { latency: dist.constant(30) }, { oneWay: true });
    const at: string[] = [];
    a!.handle('x', () => at.push(`b->a@${sim.now()}`));
    b!.handle('x', () => at.push(`a->b@${sim.now()}`));
    a!.send(b!, 'x', new Uint8Array(1));
    b!.send(a!, 'x', new Uint8Array(1));
    await sim.run();
    expect(at).toEqual(['b->a@10', 'a->b@30']);
    sim.network.setLink(b!, a!, { loss: 1 }, { oneWay: true });
    a!.send(b!, 'x', new Uint8Array(1));
    b!.send(a!, 'x', new Uint8Array(1));
    await sim.run();
    expect(at).toEqual(['b->a@10', 'a->b@30', 'a->b@60']);
  });

  it('region pairs and per-link overrides pick the link', async () => {
    const sim = new Simulation({
      seed: 1,
      network: {
        regions: [{ name: 'eu' }, { name: 'us' }],
        link: { latency: dist.constant(10) },
        regionLinks: [{ from: 'eu', to: 'us', link: { latency: dist.constant(80) } }],
      },
    });
    const eu = sim.addPeer({ region: 'eu' });
    const eu2 = sim.addPeer({ region: 'eu' });
    const us = sim.addPeer({ region: 'us' });
    sim.network.setLink(eu, eu2, { latency: dist.constant(3) });
    const at: Record<string, number> = {};
    us.handle('x', () => {
      at.us = sim.now();
    });
    eu2.handle('x', () => {
      at.eu2 = sim.now();
    });
    eu.send(us, 'x', new Uint8Array(1));
    eu.send(eu2, 'x', new Uint8Array(1));
    await sim.run();
    expect(at).toEqual({ us: 80, eu2: 3 });
  });
});

describe('partitions', () => {
  it('partition and heal: no packet crosses while split, traffic flows again after', async () => {
    const sim = quietSim();
    const [a, b, c] = sim.addPeers(3);
    const got: string[] = [];
    for (const p of [a!, b!, c!])
      p.handle('x', (m) => got.push(`${m.fromPeer}->${p.id}@${sim.now()}`));
    sim.partition([[a!], [b!]], 100); // c is listed nowhere: a side of its own
    sim.heal(200);
    sim.at(50, () => a!.send(b!, 'x', new Uint8Array(1))); // before
    sim.at(150, () => a!.send(b!, 'x', new Uint8Array(1))); // during
    sim.at(150, () => b!.send(c!, 'x', new Uint8Array(1))); // during
    sim.at(195, () => a!.send(b!, 'x', new Uint8Array(1))); // in flight when healed: sent during the split
    sim.at(250, () => a!.send(b!, 'x', new Uint8Array(1))); // after
    await sim.run();
    expect(got).toEqual(['0->1@60', '0->1@260']);
    expect(sim.metrics.protocol('x')!.dropped.partition).toBe(3);
  });

  it('a packet on the wire when the cut happens is lost', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    let got = 0;
    b!.handle('x', () => got++);
    sim.at(95, () => a!.send(b!, 'x', new Uint8Array(1)));
    sim.partition([[a!], [b!]], 100);
    await sim.run();
    expect(got).toBe(0);
    expect(sim.metrics.protocol('x')!.dropped.partition).toBe(1);
  });

  it('partition scenario: about half of the pings are lost during the split, none after the heal', async () => {
    const r = await runScenario(partitionScenario, { peers: 40, seed: 2 });
    // Before: only pings whose answer was on the wire at the cut are lost.
    expect(r.result.answeredBefore).toBeGreaterThan(0.97);
    expect(r.result.answeredBefore).toBeLessThan(1);
    expect(r.result.answeredAfter).toBe(1);
    expect(r.result.answeredDuring).toBeGreaterThan(0.3);
    expect(r.result.answeredDuring).toBeLessThan(0.7);
  });
});
