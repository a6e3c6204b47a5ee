import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeFrames,
  encodeFrameLength,
  encodeFrames,
  LimitError,
  type Source,
} from '../src/index';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any byte boundaries). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('framing', () => {
  it('round-trips any sequence of frames split at any byte boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (frames, cuts) => {
          const encoded = concat(await collect(encodeFrames()(frames)));
          const decoded = await collect(decodeFrames()(split(encoded, cuts)));
          expect(decoded).toEqual(frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('delivers a stream fed one byte at a time', async () => {
    const frames = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(200).fill(7)];
    const encoded = concat(await collect(encodeFrames()(frames)));
    const bytes = [...encoded].map((b) => new Uint8Array([b]));
    expect(await collect(decodeFrames()(bytes))).toEqual(frames);
  });

  it('rejects an oversized frame from its prefix, before the body arrives or is allocated', async () => {
    // The source yields only the prefix of a 2^40-byte frame and then hangs forever: the decoder
    // must fail on the prefix alone, without waiting for (or allocating) the body.
    async function* hostile(): AsyncGenerator<Uint8Array> {
      yield encodeFrameLength(2 ** 40);
      await new Promise(() => {});
    }
    await expect(collect(decodeFrames({ maxFrameSize: 1024 })(hostile()))).rejects.toSatisfy((e) =>
      LimitError.is(e, 'FRAME_TOO_LARGE'),
    );
  });

  it('rejects oversized frames for any limit and announced length above it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(10_000), fc.integer({ min: 1, max: 2 ** 40 }), async (max, extra) => {
        const prefix = encodeFrameLength(max + extra);
        const run = collect(decodeFrames({ maxFrameSize: max })([prefix]));
        await expect(run).rejects.toSatisfy((e) => LimitError.is(e, 'FRAME_TOO_LARGE'));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to encode a frame over the limit', async () => {
    const run = collect(encodeFrames({ maxFrameSize: 4 })([new Uint8Array(5)]));
    await expect(run).rejects.toSatisfy((e) => LimitError.is(e, 'FRAME_TOO_LARGE'));
  });

  it('reports a stream that ends inside a frame or inside a prefix as truncated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        async (frame, cut) => {
          const encoded = concat(await collect(encodeFrames()([frame])));
          const truncated = encoded.subarray(0, 1 + (cut % (encoded.length - 1)));
          const run = collect(decodeFrames()([truncated]));
          await expect(run).rejects.toSatisfy((e) => DecodeError.is(e, 'FRAME_TRUNCATED'));
        },
      ),
    );
  });

  it('rejects an over-long varint prefix', async () => {
    const run = collect(decodeFrames({ maxFrameSize: 2 ** 52 })([new Uint8Array(9).fill(0x80)]));
    await expect(run).rejects.toSatisfy((e) => DecodeError.is(e, 'FRAME_BAD_LENGTH'));
  });

  it('never crashes on random input: frames or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        async (chunks) => {
          try {
            await collect(decodeFrames({ maxFrameSize: 4096 })(chunks));
          } catch (e) {
            expect(DecodeError.is(e) || LimitError.is(e)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pulls from its source only as fast as the consumer reads (backpressure)', async () => {
    let produced = 0;
    function* source(): Generator<Uint8Array> {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield new Uint8Array([1, i & 0xff]);
      }
    }
    const frames = decodeFrames()(source() as Source<Uint8Array>)[Symbol.asyncIterator]();
    await frames.next();
    await frames.next();
    expect(produced).toBeLessThanOrEqual(3);
  });
});
