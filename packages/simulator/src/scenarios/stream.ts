import type { Connection } from '@p2pe/transport-interfaces';
import type { Scenario } from '../scenario';

/** Connections each peer opens in `stream-echo`. */
const STREAM_DIALS_PER_PEER = 2;
/** Chunks written on each connection, and their size. */
const STREAM_CHUNKS = 5;
const STREAM_CHUNK_BYTES = 1024;

/**
 * stream-echo: protocol code written against the `Transport`/`Connection` interfaces and the
 * `Clock`, run unchanged in the simulator. Every peer listens and echoes each connection back;
 * every peer dials two random peers (after a random delay), writes five 1 KiB chunks, reads the
 * echo and checks it. Links: 40 ms median latency, 2% loss (as retransmission delay), 1 MB/s.
 */
export const streamEchoScenario: Scenario = {
  name: 'stream-echo',
  description: 'async protocol over the simulated Transport: dial, write 5 chunks, read the echo',
  minPeers: 2,
  simulation: () => ({
    network: {
      link: {
        latency: { kind: 'lognormal', median: 40, sigma: 0.4 },
        loss: 0.02,
        bandwidth: 1_000_000,
      },
    },
  }),
  setup(sim, ctx) {
    const peers = sim.addPeers(ctx.peers);
    const m = sim.metrics;
    const rng = sim.random;
    for (const peer of peers) {
      const { transport, clock, randomBytes } = peer;
      // The echo server: a plain async handler over a Connection.
      void transport.listen((conn: Connection) => {
        void conn.sink(conn.source).catch(() => m.count('stream.serverErrors'));
      });
      const client = async (): Promise<void> => {
        await clock.sleep(rng.float() * 1_000);
        for (let d = 0; d < STREAM_DIALS_PER_PEER; d++) {
          let target = rng.int(peers.length - 1);
          if (target >= peer.id) target++;
          const started = clock.now();
          try {
            const conn = await transport.dial(peers[target]!.address, { protocol: 'stream-echo' });
            const chunks = Array.from({ length: STREAM_CHUNKS }, () =>
              randomBytes(STREAM_CHUNK_BYTES),
            );
            const writing = conn.sink(chunks);
            let received = 0;
            let ok = true;
            for await (const chunk of conn.source) {
              const want = chunks[Math.floor(received / STREAM_CHUNK_BYTES)]!;
              const offset = received % STREAM_CHUNK_BYTES;
              for (let i = 0; i < chunk.length; i++) if (chunk[i] !== want[offset + i]) ok = false;
              received += chunk.length;
            }
            await writing;
            await conn.close();
            if (ok && received === STREAM_CHUNKS * STREAM_CHUNK_BYTES) {
              m.count('stream.completed');
              m.observe('stream.exchangeMs', clock.now() - started);
            } else {
              m.count('stream.corrupted');
            }
          } catch {
            m.count('stream.failed');
          }
        }
      };
      void client();
    }
    return {
      expectedMs: 2_000,
      finish: () => ({
        dials: ctx.peers * STREAM_DIALS_PER_PEER,
        completed: m.counters.get('stream.completed') ?? 0,
      }),
    };
  },
};
