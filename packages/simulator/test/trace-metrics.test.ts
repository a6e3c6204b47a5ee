import { describe, expect, it } from 'vitest';
import { echoScenario, runScenario } from '../src/index';
import { quietSim } from './helpers';

describe('metrics', () => {
  it('counts messages and bytes per peer and per protocol', async () => {
    const sim = quietSim();
    const [a, b, c] = sim.addPeers(3);
    b!.handle('p1', () => undefined);
    c!.handle('p2', () => undefined);
    a!.send(b!, 'p1', new Uint8Array(10));
    a!.send(c!, 'p2', new Uint8Array(5));
    a!.send(c!, 'p3', new Uint8Array(1)); // no handler
    await sim.run();
    expect(sim.metrics.peer(a!.id)).toEqual({
      sent: 3,
      bytesSent: 16,
      received: 0,
      bytesReceived: 0,
    });
    expect(sim.metrics.peer(c!.id)).toEqual({
      sent: 0,
      bytesSent: 0,
      received: 1,
      bytesReceived: 5,
    });
    expect(sim.metrics.protocol('p1')).toMatchObject({ sent: 1, delivered: 1, bytesSent: 10 });
    expect(sim.metrics.protocol('p3')!.dropped['no-handler']).toBe(1);
    const snap = sim.metrics.snapshot();
    expect(snap.messages).toMatchObject({ sent: 3, delivered: 2 });
    expect(snap.latencyMs.p50).toBe(10);
    expect(snap.overTime.sent.reduce((x, y) => x + y, 0)).toBe(3);
  });

  it('delivery over time adds up to the totals at any run length', async () => {
    const r = await runScenario(echoScenario, { peers: 30, seed: 1 });
    const o = r.metrics.overTime;
    expect(o.sent.reduce((x, y) => x + y, 0)).toBe(r.metrics.messages.sent);
    expect(o.delivered.reduce((x, y) => x + y, 0)).toBe(r.metrics.messages.delivered);
    expect(o.sent.length).toBeLessThanOrEqual(100);
    expect(r.metrics.latencyCdf.at(-1)![1]).toBe(1);
  });
});

describe('trace', () => {
  it('is off by default', async () => {
    const r = await runScenario(echoScenario, { peers: 10, seed: 1 });
    expect(r.trace).toBeUndefined();
  });

  it('for one peer: every traced packet has that peer at one end, and all its sends are there', async () => {
    const r = await runScenario(echoScenario, { peers: 20, seed: 1, trace: { peer: 3 } });
    const t = r.trace!;
    expect(t.every((e) => e.from === 3 || e.to === 3)).toBe(true);
    const sim = quietSim();
    const peers = sim.addPeers(5);
    for (const p of peers) p.handle('x', () => undefined);
    sim.metrics.enableTrace({ peer: 3 });
    for (let i = 0; i < 50; i++)
      peers[i % 5]!.send(peers[(i * 7 + 1) % 5]!, 'x', new Uint8Array(1));
    await sim.run();
    const sends = sim.metrics.trace.filter((e) => e.event === 'send' && e.from === 3).length;
    const delivers = sim.metrics.trace.filter((e) => e.event === 'deliver' && e.to === 3).length;
    expect(sends).toBe(sim.metrics.peer(3).sent);
    expect(delivers).toBe(sim.metrics.peer(3).received);
    expect(sends + delivers).toBeGreaterThan(0);
    // Tracing changes nothing about the run.
    const untraced = await runScenario(echoScenario, { peers: 20, seed: 1 });
    expect(JSON.stringify(untraced.metrics)).toBe(JSON.stringify(r.metrics));
  });

  it('for one message: its life from send to delivery or drop, and nothing else', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    b!.handle('x', () => undefined);
    // Ids are given in send order, so a rerun can trace a message found in an earlier run.
    sim.metrics.enableTrace({ message: 2 });
    a!.send(b!, 'x', new Uint8Array(1));
    const id = a!.send(b!, 'x', new Uint8Array(2));
    a!.send(b!, 'x', new Uint8Array(3));
    await sim.run();
    expect(id).toBe(2);
    expect(sim.metrics.trace).toEqual([
      { t: 0, event: 'send', message: 2, from: 0, to: 1, protocol: 'x', bytes: 2 },
      { t: 10, event: 'deliver', message: 2, from: 0, to: 1, protocol: 'x', bytes: 2 },
    ]);
  });
});
