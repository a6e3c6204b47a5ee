import { describe, expect, it } from 'vitest';
import { endpointIp, endpointPort, NatState, type NatType, type SimPeer } from '../src/index';
import { ALL_NATS, quietSim } from './helpers';

/** Written from RFC 4787 / the usual hole-punching table, not from the implementation. */
const PUNCH_WORKS: Record<string, boolean> = {};
for (const a of ALL_NATS) {
  for (const b of ALL_NATS) {
    const easy = (t: NatType): boolean => t === 'open' || t === 'full-cone';
    const pair = [a, b].sort().join('+');
    const hard = new Set(['port-restricted+symmetric', 'symmetric+symmetric']);
    PUNCH_WORKS[`${a}+${b}`] = easy(a) || easy(b) || !hard.has(pair);
  }
}

describe('NatState mapping', () => {
  it('cone NATs keep one external port for every destination; symmetric makes one per destination', () => {
    for (const t of ALL_NATS) {
      const n = new NatState(t, 1, 4000);
      const p1 = endpointPort(n.outbound(100 * 65536 + 1));
      const p2 = endpointPort(n.outbound(200 * 65536 + 1));
      const p1again = endpointPort(n.outbound(100 * 65536 + 1));
      expect(p1again).toBe(p1);
      if (t === 'symmetric') expect(p2).not.toBe(p1);
      else expect(p2).toBe(p1);
      if (t === 'open') expect(p1).toBe(4000);
    }
  });
});

describe('NAT rules for every type pair', () => {
  it("an unsolicited packet to a peer's own address gets in only when the peer is open", async () => {
    for (const from of ALL_NATS) {
      for (const to of ALL_NATS) {
        const sim = quietSim();
        const a = sim.addPeer({ nat: from });
        const b = sim.addPeer({ nat: to });
        let got = 0;
        b.handle('hi', () => got++);
        a.send(b, 'hi', new Uint8Array(1));
        await sim.run();
        expect(got, `${from} -> ${to}`).toBe(to === 'open' ? 1 : 0);
        expect(sim.metrics.protocol('hi')!.dropped.nat).toBe(to === 'open' ? 0 : 1);
      }
    }
  });

  it('after a peer has talked to a server, its mapping takes packets as its filter allows', async () => {
    for (const t of ALL_NATS) {
      const sim = quietSim();
      const server = sim.addPeer({ nat: 'open' });
      const [sameIpOtherPort] = sim.addSybils(server, 1, { sameIp: true });
      const stranger = sim.addPeer({ nat: 'open' });
      const peer = sim.addPeer({ nat: t });
      let observed = -1;
      server.handle('register', (m) => {
        observed = m.source;
      });
      peer.send(server, 'register', new Uint8Array(1));
      await sim.run();
      expect(endpointIp(observed)).toBe(peer.nat.ip);
      const got: string[] = [];
      peer.handle('probe', (m) =>
        got.push(
          sim.peers[m.fromPeer] === server
            ? 'server'
            : sim.peers[m.fromPeer] === stranger
              ? 'stranger'
              : 'same-ip',
        ),
      );
      server.send(observed, 'probe', new Uint8Array(1));
      sameIpOtherPort!.send(observed, 'probe', new Uint8Array(1));
      stranger.send(observed, 'probe', new Uint8Array(1));
      await sim.run();
      const expected: Record<NatType, string[]> = {
        open: ['server', 'same-ip', 'stranger'],
        'full-cone': ['server', 'same-ip', 'stranger'],
        'address-restricted': ['server', 'same-ip'],
        'port-restricted': ['server'],
        symmetric: ['server'],
      };
      expect(got, t).toEqual(expected[t]);
    }
  });

  it('hole punching through a rendezvous works exactly for the pairs the NAT table allows', async () => {
    for (const ta of ALL_NATS) {
      for (const tb of ALL_NATS) {
        const sim = quietSim();
        const server = sim.addPeer({ nat: 'open' });
        const a = sim.addPeer({ nat: ta });
        const b = sim.addPeer({ nat: tb });
        const seen = new Map<number, number>();
        server.handle('register', (m) => seen.set(m.fromPeer, m.source));
        a.send(server, 'register', new Uint8Array(1));
        b.send(server, 'register', new Uint8Array(1));
        await sim.run();
        // A punch that gets in is answered at its source; the path works when both sides have
        // heard from the other (a punch or an answer), as a real hole punch needs.
        const heard = new Map<SimPeer, number>([
          [a, 0],
          [b, 0],
        ]);
        const punch = (me: SimPeer, other: SimPeer): void => {
          me.handle('punch', (m) => {
            heard.set(me, heard.get(me)! + 1);
            me.send(m.source, 'punch-ack', new Uint8Array(1));
          });
          me.handle('punch-ack', () => heard.set(me, heard.get(me)! + 1));
          for (let i = 0; i < 3; i++)
            me.clock.setTimeout(
              () => me.send(seen.get(other.id)!, 'punch', new Uint8Array(1)),
              i * 50,
            );
        };
        punch(a, b);
        punch(b, a);
        await sim.run();
        const works = PUNCH_WORKS[`${ta}+${tb}`];
        expect(heard.get(a)! > 0 && heard.get(b)! > 0, `${ta} + ${tb}`).toBe(works);
        // Where it fails, nothing gets through in either direction.
        if (!works) expect(heard.get(a)! + heard.get(b)!, `${ta} + ${tb}`).toBe(0);
      }
    }
  });

  it('simultaneous Transport dials to the addresses a server saw connect exactly where the table says', async () => {
    for (const ta of ALL_NATS) {
      for (const tb of ALL_NATS) {
        const sim = quietSim();
        const server = sim.addPeer({ nat: 'open' });
        const a = sim.addPeer({ nat: ta });
        const b = sim.addPeer({ nat: tb });
        for (const p of [server, a, b]) await p.transport.listen(() => undefined);
        // Each connects to the server, which sees its public address (the rendezvous step).
        const observed: string[] = [];
        for (const p of [a, b]) {
          const dial = p.transport.dial(server.address);
          await sim.run();
          await dial;
          observed.push(server.transport.connections.at(-1)!.remoteAddress);
        }
        const ab = a.transport.dial(observed[1]!).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
        const ba = b.transport.dial(observed[0]!).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        );
        await sim.run();
        const results = [await ab, await ba];
        const pair = `${ta} + ${tb}`;
        // One connection is all a punch needs (with a symmetric NAT on one side, only the dial
        // from behind it gets through); where punching cannot work, both dials time out.
        expect(results.includes('ok'), pair).toBe(PUNCH_WORKS[`${ta}+${tb}`]);
        for (const r of results) expect(['ok', 'SIM_DIAL_TIMEOUT'], pair).toContain(r);
      }
    }
  });

  it("an answer to the observed source always gets back through the sender's own NAT", async () => {
    for (const ta of ALL_NATS) {
      const sim = quietSim();
      const a = sim.addPeer({ nat: ta });
      const b = sim.addPeer({ nat: 'open' });
      let answered = false;
      b.handle('q', (m) => b.send(m.source, 'a', new Uint8Array(1)));
      a.handle('a', () => {
        answered = true;
      });
      a.send(b, 'q', new Uint8Array(1));
      await sim.run();
      expect(answered, ta).toBe(true);
    }
  });

  it('the nat scenario relays what punching cannot reach, and fails nothing', async () => {
    const { natScenario, runScenario } = await import('../src/index');
    const r = await runScenario(natScenario, { peers: 101, seed: 3 });
    const c = r.metrics.counters;
    expect(c['nat.failed'] ?? 0).toBe(0);
    expect(c['nat.direct']).toBeGreaterThan(0);
    expect(c['nat.punched']).toBeGreaterThan(0);
    expect(c['nat.relayed']).toBeGreaterThan(0);
    // Direct only ever works towards open peers; relaying only when punching cannot work.
    for (const [k, v] of Object.entries(c)) {
      const m = /^nat\.(.+)->(.+)\.(direct|punched|relayed)$/.exec(k);
      if (m === null || v === 0) continue;
      const [, from, to, how] = m;
      if (how === 'direct') expect(to).toBe('open');
      if (how === 'relayed') expect(PUNCH_WORKS[`${from}+${to}`], k).toBe(false);
      if (how === 'punched') expect(PUNCH_WORKS[`${from}+${to}`], k).toBe(true);
    }
  });
});
