import type { Connection, Transport } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  dist,
  runScenario,
  STREAM_MAX_RETRANSMIT_MS,
  STREAM_MAX_RETRANSMITS,
  STREAM_MIN_RETRANSMIT_MS,
  streamEchoScenario,
} from '../src/index';
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

describe('SimClock', () => {
  it('reports whole milliseconds while events keep their fractional times', async () => {
    const sim = quietSim(1, { network: { link: { latency: dist.constant(2.75) } } });
    const [a, b] = sim.addPeers(2);
    const seen: number[] = [];
    b!.handle('x', () => {
      seen.push(b!.clock.now(), sim.now());
      b!.clock.setTimeout(() => seen.push(b!.clock.now(), sim.now()), 0.5);
    });
    a!.send(b!, 'x', new Uint8Array(1));
    await sim.run();
    expect(seen).toEqual([2, 2.75, 3, 3.25]);
  });
});

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
    // Only dial requests and answers are lost outright (the dial repeats them); data is not.
    const p = sim.metrics.protocol('lossy')!;
    expect(p.delivered + p.dropped.loss).toBe(p.sent);
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

describe('SimTransport across a crash', () => {
  it('data for a connection the peer lost in a crash is answered with a reset, not swallowed', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    await b!.transport.listen(() => undefined);
    b!.onStart(() => void b!.transport.listen(() => undefined));
    let clientError: unknown;
    let failedAt = -1;
    void (async () => {
      const conn = await a!.transport.dial(b!.address);
      await a!.clock.sleep(100); // b crashes at 50 and is back at 60
      await conn.sink([new Uint8Array([1])]);
      await collect(conn).catch((e: unknown) => {
        clientError = e;
        failedAt = sim.now();
      });
    })();
    sim.script([
      { at: 50, peer: b!, action: 'crash' },
      { at: 60, peer: b!, action: 'join' },
    ]);
    await sim.run();
    expect(clientError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    expect(failedAt).toBe(20 + 100 + 20); // dial, sleep, data there and the reset back
  });
});

describe('SimTransport on a link that loses everything', () => {
  it('a dial times out, and the run ends (no endless retransmission)', async () => {
    const sim = quietSim(1, { network: { link: { loss: 1 } } });
    const [a, b] = sim.addPeers(2);
    await echoServer(b!.transport);
    const dial = a!.transport.dial(b!.address).catch((e: unknown) => e);
    await sim.run();
    expect(await dial).toMatchObject({ code: 'SIM_DIAL_TIMEOUT' });
    expect(sim.now()).toBe(5_000);
  });

  it('an open connection backs off as TCP does and is reset when its retransmissions give up', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    let serverError: unknown;
    await b!.transport.listen((conn) => {
      void collect(conn).catch((e: unknown) => {
        serverError = e;
      });
    });
    let clientError: unknown;
    let cutAt = -1;
    void (async () => {
      const conn = await a!.transport.dial(b!.address);
      sim.network.setLink(a!, b!, { loss: 1 });
      cutAt = sim.now();
      await conn
        .sink([new Uint8Array([1])])
        .then(() => collect(conn))
        .catch((e: unknown) => {
          clientError = e;
        });
    })();
    await sim.run();
    expect(clientError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    expect(serverError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
    // 15 retransmissions: RTOs of 200 ms doubling to 102.4 s, then 5 at the 120 s cap, plus the
    // 10 ms latency: the reset comes 804.61 s after the segment was sent.
    const rtos = Array.from({ length: STREAM_MAX_RETRANSMITS }, (_, i) =>
      Math.min(STREAM_MIN_RETRANSMIT_MS * 2 ** i, STREAM_MAX_RETRANSMIT_MS),
    );
    expect(sim.now() - cutAt).toBe(10 + rtos.reduce((x, y) => x + y, 0));
    expect(sim.now() - cutAt).toBe(804_610);
    expect(sim.metrics.protocol('stream')!.dropped.loss).toBeGreaterThan(0);
  });
});

describe('SimTransport when one segment cannot be delivered', () => {
  it('later data waits behind it and never arrives before the reset (no gap in the stream)', async () => {
    const sim = quietSim();
    const [a, b] = sim.addPeers(2);
    const got: number[] = [];
    let serverError: unknown;
    await b!.transport.listen((conn) => {
      void (async () => {
        try {
          for await (const chunk of conn.source) got.push(...chunk);
        } catch (e) {
          serverError = e;
        }
      })();
    });
    void (async () => {
      const conn = await a!.transport.dial(b!.address);
      sim.network.setLink(a!, b!, { loss: 1 }, { oneWay: true });
      await conn.sink(
        (async function* () {
          yield new Uint8Array([1]); // lost on every try: gives up after 804.61 s
          await a!.clock.sleep(1);
          sim.network.setLink(a!, b!, { loss: 0 }, { oneWay: true });
          yield new Uint8Array([2]); // the link is clean again, but TCP would not skip [1]
        })(),
      );
    })().catch(() => undefined);
    await sim.run();
    expect(got).toEqual([]);
    expect(serverError).toMatchObject({ code: 'SIM_CONNECTION_RESET' });
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
