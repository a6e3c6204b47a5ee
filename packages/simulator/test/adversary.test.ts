import { describe, expect, it } from 'vitest';
import { adversaryScenario, endpointIp, runScenario, type Verdict } from '../src/index';
import { quietSim } from './helpers';

/** A sender -> relay -> receiver line where the relay forwards `fwd` as `msg`. */
function line(relayHooks: {
  outbound?: (p: import('../src/index').Datagram) => Verdict | undefined;
  inbound?: (p: import('../src/index').Datagram) => Verdict | undefined;
}) {
  const sim = quietSim();
  const [sender, relay, receiver] = sim.addPeers(3);
  relay!.handle('fwd', (m) => relay!.send(receiver!, 'msg', m.payload));
  sim.network.setAdversary(relay!, relayHooks);
  const got: { at: number; payload: number[] }[] = [];
  receiver!.handle('msg', (m) => got.push({ at: sim.now(), payload: [...m.payload] }));
  sender!.send(relay!, 'fwd', new Uint8Array([1, 2, 3]));
  return { sim, got, relay: relay! };
}

describe('adversary hooks', () => {
  it('honest relay: the message arrives once, unchanged, after two hops', async () => {
    const { sim, got } = line({});
    await sim.run();
    expect(got).toEqual([{ at: 20, payload: [1, 2, 3] }]);
  });

  it('drop: what the relay forwards never arrives, and the drop is counted as adversarial', async () => {
    const { sim, got } = line({
      outbound: (p) => (p.protocol === 'msg' ? { drop: true } : undefined),
    });
    await sim.run();
    expect(got).toEqual([]);
    expect(sim.metrics.protocol('msg')!.dropped.adversary).toBe(1);
    expect(sim.metrics.counters.get('adversary.dropped')).toBe(1);
  });

  it('delay: the message arrives late by the chosen delay', async () => {
    const { sim, got } = line({ outbound: () => ({ delayMs: 500 }) });
    await sim.run();
    expect(got).toEqual([{ at: 520, payload: [1, 2, 3] }]);
  });

  it('replay: copies arrive again after the chosen delays and are counted as copies', async () => {
    const { sim, got } = line({ outbound: () => ({ replayAfterMs: [100, 300] }) });
    await sim.run();
    expect(got.map((g) => g.at)).toEqual([20, 120, 320]);
    expect(sim.metrics.protocol('msg')!.duplicated).toBe(2);
    expect(sim.metrics.protocol('msg')!.delivered).toBe(1);
  });

  it("tamper: the receiver gets the changed payload; the sender's buffer is untouched", async () => {
    const { sim, got } = line({
      outbound: (p) => {
        const b = p.payload.slice();
        b[0] = 0xff;
        return { payload: b };
      },
    });
    await sim.run();
    expect(got).toEqual([{ at: 20, payload: [0xff, 2, 3] }]);
  });

  it('inspect: the hook sees what passes (inbound and outbound) and changes nothing', async () => {
    const seen: string[] = [];
    const { sim, got } = line({
      inbound: (p) => {
        seen.push(`in:${p.protocol}:${p.fromPeer}`);
        return undefined;
      },
      outbound: (p) => {
        seen.push(`out:${p.protocol}:${p.toPeer}`);
        return undefined;
      },
    });
    await sim.run();
    expect(seen).toEqual(['in:fwd:0', 'out:msg:2']);
    expect(got).toEqual([{ at: 20, payload: [1, 2, 3] }]);
  });

  it('outbound hooks see every packet the peer sends, even one to an address where no host is', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    const seen: string[] = [];
    sim.network.setAdversary(a!, {
      outbound: (p) => {
        seen.push(`${p.to}:${p.toPeer}`);
        return { replayAfterMs: [5] };
      },
    });
    b!.handle('x', () => undefined);
    a!.send('sim:192.0.2.1:4000', 'x', new Uint8Array(1));
    a!.send(b!, 'x', new Uint8Array(1));
    await sim.run();
    expect(seen).toEqual(['sim:192.0.2.1:4000:-1', `${b!.address}:${b!.id}`]);
    expect(sim.metrics.protocol('x')).toMatchObject({ delivered: 1, duplicated: 1 });
    expect(sim.metrics.protocol('x')!.dropped.unreachable).toBe(1);
  });

  it('a malformed verdict fails the run with a typed error instead of a silent pass', async () => {
    for (const verdict of [
      { delayMs: Number.NaN },
      { delayMs: -5 },
      { delayMs: Number.POSITIVE_INFINITY },
      { replayAfterMs: 5 as unknown as number[] },
      { replayAfterMs: [100, Number.NaN] },
    ]) {
      const { sim } = line({ outbound: () => verdict });
      await expect(sim.run(), JSON.stringify(verdict)).rejects.toMatchObject({
        code: 'SIM_INVALID_OPTION',
      });
    }
    const { sim } = line({ outbound: () => ({ payload: new Uint8Array(17 * 1024 * 1024) }) });
    await expect(sim.run()).rejects.toMatchObject({ code: 'SIM_PAYLOAD_TOO_LARGE' });
  });

  it('Sybils: identities of one controller, on its IP when asked, each reachable at its own port', async () => {
    const sim = quietSim();
    const [honest, controller] = sim.addPeers(2);
    const sybils = sim.addSybils(controller!, 3, { sameIp: true });
    const more = sim.addSybils(controller!, 2, { sameIp: true });
    const rented = sim.addSybils(controller!, 2);
    const all = [...sybils, ...more];
    expect(all.every((s) => s.sybilOf === controller!.id && s.nat.ip === controller!.nat.ip)).toBe(
      true,
    );
    expect(new Set(all.map((s) => s.address)).size).toBe(5);
    expect(rented.every((s) => s.nat.ip !== controller!.nat.ip)).toBe(true);
    const got: number[] = [];
    for (const s of [...all, ...rented]) s.handle('x', () => got.push(s.id));
    for (const s of [...all, ...rented]) honest!.send(s, 'x', new Uint8Array(1));
    await sim.run();
    expect(got).toEqual([...all, ...rented].map((s) => s.id));
    expect(endpointIp(all[0]!.endpoint)).toBe(controller!.nat.ip);
  });

  it('adversary scenario: every behaviour shows up in the counters and receivers catch tampering and replays', async () => {
    const r = await runScenario(adversaryScenario, { peers: 50, seed: 8 });
    const c = r.metrics.counters;
    for (const k of [
      'adversary.dropped',
      'adversary.delayed',
      'adversary.replayed',
      'adversary.tampered',
      'adversary.inspected',
    ]) {
      expect(c[k], k).toBeGreaterThan(0);
    }
    expect(r.result.tamperDetected).toBe(c['adversary.tampered']);
    expect(Number(r.result.replayDetected)).toBeGreaterThan(0);
    expect(Number(r.result.delivered)).toBeLessThan(Number(r.result.sent));
    expect(r.result.sybils).toBe(5);
  });
});
