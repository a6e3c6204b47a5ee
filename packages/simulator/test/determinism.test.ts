import { describe, expect, it } from 'vitest';
import {
  builtinScenarios,
  echoScenario,
  runScenario,
  type Scenario,
  Simulation,
} from '../src/index';

describe('determinism', () => {
  it('echo: the same seed gives byte-identical metrics', async () => {
    const a = await runScenario(echoScenario, { peers: 60, seed: 42 });
    const b = await runScenario(echoScenario, { peers: 60, seed: 42 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.metrics.messages.sent).toBeGreaterThan(60 * 10 * 2 - 50);
  });

  it('echo: a different seed gives a different run', async () => {
    const a = await runScenario(echoScenario, { peers: 60, seed: 42 });
    const b = await runScenario(echoScenario, { peers: 60, seed: 43 });
    expect(JSON.stringify(a.metrics)).not.toBe(JSON.stringify(b.metrics));
  });

  it('every built-in scenario is deterministic (small sizes)', async () => {
    for (const s of builtinScenarios) {
      const peers = Math.max(s.minPeers ?? 1, 20);
      const a = await runScenario(s, { peers, seed: 5 });
      const b = await runScenario(s, { peers, seed: 5 });
      expect(JSON.stringify(a), s.name).toBe(JSON.stringify(b));
    }
  });

  it('async handlers interleave the same way every run, and finish at their event time', async () => {
    const asyncScenario: Scenario = {
      name: 'async-chain',
      description: 'handlers that await several times and sleep',
      setup(sim, ctx) {
        const peers = sim.addPeers(ctx.peers);
        const log: string[] = [];
        for (const peer of peers) {
          peer.handle('x', async (msg) => {
            const t0 = peer.clock.now();
            await Promise.resolve();
            await new Promise<void>((r) => queueMicrotask(r));
            for (let i = 0; i < 3; i++) await Promise.resolve(i);
            // A chain of microtasks finishes before virtual time moves on.
            if (peer.clock.now() !== t0) sim.metrics.count('chain.timeMoved');
            log.push(`${peer.id}<-${msg.fromPeer}@${t0.toFixed(3)}`);
            await peer.clock.sleep(sim.random.float() * 10);
            log.push(`${peer.id}:slept@${peer.clock.now().toFixed(3)}`);
            if (msg.payload[0]! < 3)
              peer.send(
                peers[sim.random.int(peers.length)]!,
                'x',
                new Uint8Array([msg.payload[0]! + 1]),
              );
          });
          peer.clock.setTimeout(
            () => peer.send(peers[(peer.id + 1) % peers.length]!, 'x', new Uint8Array([0])),
            0,
          );
        }
        return { finish: () => ({ log: log.join(',') }) };
      },
    };
    const a = await runScenario(asyncScenario, { peers: 8, seed: 9 });
    const b = await runScenario(asyncScenario, { peers: 8, seed: 9 });
    expect(a.result.log).toBe(b.result.log);
    expect(String(a.result.log).split(',').length).toBeGreaterThan(40);
    expect(a.metrics.counters['chain.timeMoved']).toBeUndefined();
  });

  it('a handler that throws fails the run with that error', async () => {
    const sim = new Simulation({ seed: 1 });
    const [a, b] = sim.addPeers(2);
    b!.handle('boom', () => {
      throw new Error('handler failed');
    });
    a!.send(b!, 'boom', new Uint8Array(1));
    await expect(sim.run()).rejects.toThrow('handler failed');
  });

  it('an async handler that rejects fails the run', async () => {
    const sim = new Simulation({ seed: 1 });
    const [a, b] = sim.addPeers(2);
    b!.handle('boom', async () => {
      await Promise.resolve();
      throw new Error('async failure');
    });
    a!.send(b!, 'boom', new Uint8Array(1));
    await expect(sim.run()).rejects.toThrow('async failure');
  });

  it('a timer loop without end stops at the event limit', async () => {
    const sim = new Simulation({ seed: 1 });
    const loop = (): void => {
      sim.schedule(1, loop);
    };
    loop();
    await expect(sim.run({ maxEvents: 100 })).rejects.toMatchObject({ code: 'SIM_EVENT_LIMIT' });
  });

  it('the clock: same-time timers run in the order set, clearTimeout cancels, until stops', async () => {
    const sim = new Simulation({ seed: 1 });
    const order: number[] = [];
    sim.clock.setTimeout(() => order.push(1), 10);
    sim.clock.setTimeout(() => order.push(2), 10);
    const h = sim.clock.setTimeout(() => order.push(3), 10);
    sim.clock.setTimeout(() => order.push(0), 5);
    sim.clock.setTimeout(() => order.push(9), 500);
    sim.clock.clearTimeout(h);
    const stats = await sim.run({ until: 100 });
    expect(order).toEqual([0, 1, 2]);
    expect(stats.time).toBe(100);
    expect(stats.pending).toBe(1);
    expect(sim.now()).toBe(100);
  });

  it('sleep rejects with AbortError when its signal fires', async () => {
    const sim = new Simulation({ seed: 1 });
    const ac = new AbortController();
    const p = sim.clock.sleep(100, { signal: ac.signal });
    sim.schedule(10, () => ac.abort());
    const caught = p.catch((e: unknown) => e);
    await sim.run();
    expect(await caught).toMatchObject({ code: 'ABORTED' });
  });
});

describe('run guards', () => {
  it('a second run while one is in progress is refused', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.schedule(10, () => undefined);
    const first = sim.run();
    await expect(sim.run()).rejects.toMatchObject({ code: 'SIM_ALREADY_RUNNING' });
    await first;
  });
});

describe('handler return values', () => {
  it('handlers may return anything (null, numbers, objects) without upsetting the loop', async () => {
    const sim = new Simulation({ seed: 1 });
    const [a, b] = sim.addPeers(2);
    // biome-ignore lint/suspicious/noThenProperty: a non-callable `then` is the case under test
    const values: unknown[] = [null, 0, 'x', { then: 5 }, [], () => undefined];
    let got = 0;
    b!.handle('x', (m) => {
      got++;
      return values[m.payload[0]!];
    });
    for (let i = 0; i < values.length; i++) a!.send(b!, 'x', new Uint8Array([i]));
    await sim.run();
    expect(got).toBe(values.length);
  });
});
