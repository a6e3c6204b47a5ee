import { describe, expect, it } from 'vitest';
import {
  type Connection,
  decodeFrames,
  duplexPair,
  encodeFrames,
  IoError,
  MemoryNetwork,
  P2peError,
} from '../src/index';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('in-memory transport', () => {
  it('connects a dialer to a listener and carries framed messages both ways', async () => {
    const network = new MemoryNetwork();
    const server = network.transport();
    const client = network.transport();
    // Echo server: every frame it reads it writes back.
    const listener = await server.listen(
      (conn: Connection) => {
        void conn.sink(conn.source);
      },
      { address: 'memory:echo' },
    );
    expect(listener.addresses).toEqual(['memory:echo']);
    const conn = await client.dial('memory:echo');
    const messages = [new Uint8Array([1]), new Uint8Array([2, 3]), new Uint8Array(0)];
    const [, echoed] = await Promise.all([
      conn.sink(encodeFrames()(messages)),
      collect(decodeFrames()(conn.source)),
    ]);
    expect(echoed).toEqual(messages);
    await listener.close();
    await expect(client.dial('memory:echo')).rejects.toSatisfy((e) =>
      IoError.is(e, 'DIAL_REFUSED'),
    );
  });

  it('copies chunks, so a writer may reuse its buffer', async () => {
    const [a, b] = duplexPair();
    const buf = new Uint8Array([1, 2, 3]);
    await a.sink([buf]);
    buf.fill(9);
    expect(await collect(b.source)).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('holds a writer back until the reader pulls (backpressure)', async () => {
    const [a, b] = duplexPair(2);
    let written = 0;
    async function* producer(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        written++;
        yield new Uint8Array([i]);
      }
    }
    const sinking = a.sink(producer());
    await new Promise((r) => setTimeout(r, 10));
    expect(written).toBeLessThanOrEqual(4);
    const all = await collect(b.source);
    await sinking;
    expect(all).toHaveLength(100);
  });

  it('aborting a connection fails the remote reader with a typed reset', async () => {
    const network = new MemoryNetwork();
    let accepted: Connection | undefined;
    await network.transport().listen(
      (c) => {
        accepted = c;
      },
      { address: 'memory:x' },
    );
    const conn = await network.transport().dial('memory:x');
    conn.abort(new Error('local reason'));
    expect(conn.closed).toBe(true);
    await expect(collect(accepted!.source)).rejects.toSatisfy((e) =>
      IoError.is(e, 'CONNECTION_RESET'),
    );
  });

  it('rejects malformed addresses, taken addresses and aborted dials with typed errors', async () => {
    const network = new MemoryNetwork();
    const t = network.transport();
    await expect(t.dial('tcp:1.2.3.4:5')).rejects.toSatisfy((e) =>
      P2peError.is(e, 'INVALID_ADDRESS'),
    );
    await t.listen(() => {}, { address: 'memory:a' });
    await expect(t.listen(() => {}, { address: 'memory:a' })).rejects.toSatisfy((e) =>
      P2peError.is(e, 'ADDRESS_IN_USE'),
    );
    const controller = new AbortController();
    controller.abort();
    await expect(t.dial('memory:a', { signal: controller.signal })).rejects.toSatisfy((e) =>
      P2peError.is(e, 'ABORTED'),
    );
  });
});
