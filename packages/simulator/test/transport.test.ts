import type { Connection, Transport } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import { runScenario, streamEchoScenario } from '../src/index';
import { quietSim } from './helpers';

/** Protocol code that knows only the Transport interface. */
async function echoServer(transport: Transport): Promise<void> {
  await transport.listen((conn: Connection) => {
    void conn.sink(conn.source).catch(() => undefined);
  });
}

async function collect(conn: Connection): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of conn.source) out.push(...chunk);
  return out;
}

describe('SimTransport', () => {
  it('dial, write, read the echo, close: bytes arrive in order and the clock is virtual', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    await echoServer(b!.transport);
    let result: number[] = [];
    let doneAt = -1;
    void (async () => {
      const conn = await a!.transport.dial(b!.address);
      expect(conn.remoteAddress).toBe(b!.address);
      const writing = conn.sink([
        new Uint8Array([1, 2]),
        new Uint8Array([3]),
        new Uint8Array([4, 5, 6]),
      ]);
      result = await collect(conn);
      await writing;
      await conn.close();
      doneAt = a!.clock.now();
      expect(conn.closed).toBe(true);
    })();
    await sim.run();
    expect(result).toEqual([1, 2, 3, 4, 5, 6]);
    // SYN + SYN-ACK (20 ms), data there and back (20 ms), FINs.
    expect(doneAt).toBe(40);
  });

  it('a lossy link keeps streams complete and ordered (loss becomes retransmission delay)', async () => {
    const sim = quietSim(3, { network: { link: { loss: 0.3 } } });
    const [a, b] = sim.addPeers(2);
    await echoServer(b!.transport);
    const sent = Array.from({ length: 50 }, (_, i) => new Uint8Array([i]));
    let result: number[] = [];
    let doneAt = 0;
    void (async () => {
      const conn = await a!.transport.dial(b!.address, { protocol: 'lossy' });
      void conn.sink(sent);
      result = await collect(conn);
      doneAt = sim.now();
    })();
    await sim.run();
    expect(result).toEqual(sent.map((c) => c[0]));
    expect(doneAt).toBeGreaterThan(200);
    expect(sim.metrics.protocol('lossy')!.dropped.loss).toBe(0);
  });

  it('dialing a peer that does not listen is refused', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    const p = a!.transport.dial(b!.address).catch((e: unknown) => e);
    await sim.run();
    expect(await p).toMatchObject({ code: 'SIM_CONNECTION_REFUSED' });
  });

  it('dialing a NATed peer at its own address times out; after it has dialed out, punching works', async () => {
    const sim = quietSim();
    const a = sim.addPeer({ nat: 'port-restricted' });
    const b = sim.addPeer({ nat: 'address-restricted' });
    const server = sim.addPeer({ nat: 'open' });
    await echoServer(a.transport);
    await echoServer(b.transport);
    await echoServer(server.transport);
    const direct = a.transport.dial(b.address, { timeoutMs: 1_000 }).catch((e: unknown) => e);
    await sim.run();
    expect(await direct).toMatchObject({ code: 'SIM_DIAL_TIMEOUT' });
    // Both learn their public addresses from the server (the address the server sees).
    const seen: string[] = [];
    const ca = await (async () => {
      const c = a.transport.dial(server.address);
      await sim.run();
      return c;
    })();
    const cb = await (async () => {
      const c = b.transport.dial(server.address);
      await sim.run();
      return c;
    })();
    for (const conn of server.transport.connections) seen.push(conn.remoteAddress);
    expect(seen.length).toBe(2);
    await ca.close();
    await cb.close();
    // Simultaneous dials to each other's public address: both succeed.
    const ab = a.transport.dial(seen[1]!);
    const ba = b.transport.dial(seen[0]!);
    await sim.run();
    const [x, y] = await Promise.all([ab, ba]);
    expect(x.closed || y.closed).toBe(false);
  });

  it('a partition resets an open connection on both ends', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    let serverError: unknown;
    await b!.transport.listen((conn) => {
      void (async () => {
        try {
          for await (const _ of conn.source) {
            // read until the cut
          }
        } catch (e) {
          serverError = e;
        }
      })();
    });
    let clientError: unknown;
    void (async () => {
      const conn = await a!.transport.dial(b!.address);
      await conn
        .sink(
          (async function* () {
            for (let i = 0; i < 10; i++) {
              yield new Uint8Array([i]);
              await a!.clock.sleep(30);
            }
          })(),
        )
        .catch((e: unknown) => {
          clientError = e;
        });
    })();
    sim.partition([[a!], [b!]], 100);
    await sim.run();
    expect(serverError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    expect(clientError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
  });

  it('a clean shutdown resets the other end; abort fails pending reads', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    let serverConn: Connection | undefined;
    await b!.transport.listen((conn) => {
      serverConn = conn;
    });
    let readError: unknown;
    let conn: Connection | undefined;
    void (async () => {
      conn = await a!.transport.dial(b!.address);
      try {
        for await (const _ of conn.source) {
          // nothing comes
        }
      } catch (e) {
        readError = e;
      }
    })();
    sim.at(100, () => b!.leave('shutdown'));
    await sim.run();
    expect(readError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    expect(serverConn!.closed).toBe(true);
    expect(conn!.closed).toBe(true);
  });

  it('rejects a second listen, a foreign listen address, a bad address, and an aborted dial', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    await a!.transport.listen(() => undefined);
    await expect(a!.transport.listen(() => undefined)).rejects.toMatchObject({
      code: 'SIM_ALREADY_LISTENING',
    });
    await expect(
      b!.transport.listen(() => undefined, { address: a!.address }),
    ).rejects.toMatchObject({
      code: 'SIM_INVALID_ADDRESS',
    });
    await expect(a!.transport.dial('tcp:1.2.3.4:5')).rejects.toMatchObject({
      code: 'SIM_INVALID_ADDRESS',
    });
    await expect(a!.transport.dial('sim:300.1.1.1:4')).rejects.toMatchObject({
      code: 'SIM_INVALID_ADDRESS',
    });
    const ac = new AbortController();
    ac.abort();
    await expect(a!.transport.dial(b!.address, { signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(a!.transport.schemes).toEqual(['sim']);
  });

  it('stream-echo scenario completes every exchange despite 2% loss', async () => {
    const r = await runScenario(streamEchoScenario, { peers: 20, seed: 1 });
    expect(r.result.completed).toBe(r.result.dials);
  });
});

describe('SimTransport edge cases', () => {
  it('data the accepting side writes at once never overtakes the answer to the dial', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = quietSim(seed, {
        network: { link: { latency: { kind: 'uniform', min: 1, max: 200 } } },
      });
      const [a, b] = sim.addPeers(2);
      await b!.transport.listen((conn) => {
        void conn.sink([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
      });
      let got: number[] = [];
      void (async () => {
        const conn = await a!.transport.dial(b!.address);
        got = await collect(conn);
      })();
      await sim.run();
      expect(got, `seed ${seed}`).toEqual([1, 2, 3]);
    }
  });

  it('late copies of a dial request open no second connection', async () => {
    // Requests are retried every 250 ms; at 400 ms one way, copies arrive after the first was
    // accepted, and here after that connection is already gone.
    const sim = quietSim(1, { network: { link: { latency: { kind: 'constant', value: 400 } } } });
    const [a, b] = sim.addPeers(2);
    let accepted = 0;
    await b!.transport.listen((conn) => {
      accepted++;
      conn.abort(new Error('not today'));
    });
    const dial = a!.transport.dial(b!.address).catch((e: unknown) => e);
    await sim.run();
    expect(accepted).toBe(1);
    expect(b!.transport.connections).toHaveLength(0);
    await dial;
  });

  it('an answer arriving after the dial gave up resets the accepted connection', async () => {
    const sim = quietSim(1, { network: { link: { latency: { kind: 'constant', value: 400 } } } });
    const [a, b] = sim.addPeers(2);
    let serverError: unknown;
    await b!.transport.listen((conn) => {
      void (async () => {
        try {
          for await (const _ of conn.source) {
            // wait
          }
        } catch (e) {
          serverError = e;
        }
      })();
    });
    const dial = a!.transport.dial(b!.address, { timeoutMs: 500 }).catch((e: unknown) => e);
    await sim.run();
    expect(await dial).toMatchObject({ code: 'SIM_DIAL_TIMEOUT' });
    expect(serverError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    expect(b!.transport.connections).toHaveLength(0);
  });
});
