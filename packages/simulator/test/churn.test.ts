import { describe, expect, it } from 'vitest';
import { churnScenario, dist, runScenario } from '../src/index';
import { CHURN_CRASH_PROBABILITY, CHURN_SESSION_MEAN_MS } from '../src/scenarios/churn';
import { quietSim } from './helpers';

describe('churn', () => {
  it('sessions, downtimes and crash share follow the configured distributions', async () => {
    // 200 peers for 200 s with 1 s sessions and 0.5 s downtimes: about 26,700 sessions. Standard
    // errors: 0.6% of the mean, 0.9% of the median, 0.28 points of the crash share, about 0.25
    // points of the share online. The bounds are 4.5-6 standard errors (sessions that would end
    // after `until` are not recorded, which biases the mean down by about 0.5%): a 3% error in
    // any of them fails, and no seed in 1..20 comes within 2/3 of a bound.
    const sim = quietSim(11);
    sim.addPeers(200);
    sim.churn({
      session: dist.exponential(1_000),
      downtime: dist.exponential(500),
      crash: 0.3,
      until: 200_000,
    });
    let online = 0;
    let looked = 0;
    for (let t = 1_000; t <= 200_000; t += 1_000) {
      sim.at(t, () => {
        online += sim.onlineCount;
        looked += 200;
      });
    }
    await sim.run({ until: 200_000 });
    const s = sim.metrics.samples.get('peers.sessionMs')!;
    expect(s.length).toBeGreaterThan(25_000);
    expect(Math.abs(s.sum / s.length - 1_000) / 1_000).toBeLessThan(0.03);
    // Exponential: the median is mean * ln 2.
    const sorted = s.sorted();
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(Math.abs(median - 1_000 * Math.LN2) / (1_000 * Math.LN2)).toBeLessThan(0.04);
    const crashed = sim.metrics.counters.get('peers.crashed')!;
    const shutdown = sim.metrics.counters.get('peers.shutdown')!;
    expect(Math.abs(crashed / (crashed + shutdown) - 0.3)).toBeLessThan(0.015);
    // Downtimes: a peer is online for session / (session + downtime) = 2/3 of the time.
    expect(Math.abs(online / looked - 2 / 3)).toBeLessThan(0.015);
  });

  it('a peer already away when churn starts comes back after a downtime and then churns too', async () => {
    const sim = quietSim(3);
    const [a, b] = sim.addPeers(2);
    a!.leave('crash');
    sim.churn({ session: dist.constant(100), downtime: dist.constant(50), until: 1_000 });
    const seen: string[] = [];
    for (const t of [40, 60, 120, 160, 210]) {
      sim.at(t, () => seen.push(`${t}:${a!.online ? 'a' : '-'}${b!.online ? 'b' : '-'}`));
    }
    await sim.run({ until: 1_000 });
    // a: away until 50, online 50-150, away 150-200, ...; b: online 0-100, away 100-150, ...
    expect(seen).toEqual(['40:-b', '60:ab', '120:a-', '160:-b', '210:ab']);
  });

  it('churn without downtime: peers leave once and stay away', async () => {
    const sim = quietSim(2);
    const peers = sim.addPeers(50);
    sim.churn({ session: dist.uniform(10, 20), until: 1_000 });
    await sim.run();
    expect(peers.every((p) => !p.online)).toBe(true);
    expect(sim.now()).toBeLessThanOrEqual(20);
  });

  it('a crash wipes memory and skips stop hooks; a shutdown runs them first', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    for (const p of [a!, b!]) {
      p.memory.set('counter', 7);
      p.onStop(() => p.storage.set('counter', new Uint8Array([p.memory.get('counter') as number])));
    }
    sim.script([
      { at: 10, peer: a!, action: 'crash' },
      { at: 10, peer: b!, action: 'leave' },
      { at: 20, peer: a!, action: 'join' },
      { at: 20, peer: b!, action: 'join' },
    ]);
    await sim.run();
    expect(a!.memory.size).toBe(0);
    expect(b!.memory.size).toBe(0);
    expect(a!.storage.get('counter')).toBeUndefined();
    expect(b!.storage.get('counter')).toEqual(new Uint8Array([7]));
    expect(a!.online && b!.online).toBe(true);
  });

  it("leaving cancels the peer's timers, drops traffic to it, and join runs start hooks", async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    let fired = 0;
    let got = 0;
    let started = 0;
    a!.clock.setTimeout(() => fired++, 50);
    a!.handle('x', () => got++);
    a!.onStart(() => started++);
    sim.at(10, () => a!.leave('crash'));
    sim.at(20, () => b!.send(a!, 'x', new Uint8Array(1)));
    sim.at(100, () => a!.join());
    sim.at(110, () => b!.send(a!, 'x', new Uint8Array(1)));
    await sim.run();
    expect(fired).toBe(0);
    expect(got).toBe(1);
    expect(started).toBe(1);
    expect(sim.metrics.protocol('x')!.dropped.offline).toBe(1);
    expect(() => a!.leave('crash')).not.toThrow();
  });

  it('an offline peer cannot send', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    a!.leave('crash');
    expect(() => a!.send(b!, 'x', new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'SIM_PEER_OFFLINE' }),
    );
  });

  it('churn scenario: crashes lose unsaved pings, the crash share is near the configured one', async () => {
    const r = await runScenario(churnScenario, { peers: 60, seed: 4 });
    const crashed = Number(r.result.crashed);
    const shutdown = Number(r.result.shutdown);
    expect(crashed + shutdown).toBe(r.result.sessions);
    // Standard error of the share: 2.4 points; seeds 1..20 stay within 7.2 points.
    expect(Math.abs(crashed / (crashed + shutdown) - CHURN_CRASH_PROBABILITY)).toBeLessThan(0.1);
    expect(r.metrics.counters['churn.pingsLostInCrash']).toBeGreaterThan(0);
    // About 450 sessions (standard error of the mean 4.7%); sessions still running at the end
    // are not recorded, which pulls the mean down by about 10%. Seeds 1..20 give 0.79-0.99.
    const mean = r.metrics.samples['peers.sessionMs']!.mean;
    expect(mean).toBeGreaterThan(CHURN_SESSION_MEAN_MS * 0.7);
    expect(mean).toBeLessThan(CHURN_SESSION_MEAN_MS * 1.1);
  });
});
