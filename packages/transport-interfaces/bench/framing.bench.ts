import { defineSuites } from '../../../bench/harness';
import { decodeFrames, encodeFrames } from '../src/index';

// 256 frames of 1 KiB, encoded then decoded from 1500-byte chunks (a typical MTU-sized read).
const FRAMES = Array.from({ length: 256 }, (_, i) => new Uint8Array(1024).fill(i & 0xff));

async function roundTrip(): Promise<number> {
  const encoded: Uint8Array[] = [];
  for await (const f of encodeFrames()(FRAMES)) encoded.push(f);
  const stream = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
  let o = 0;
  for (const e of encoded) {
    stream.set(e, o);
    o += e.length;
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += 1500) chunks.push(stream.subarray(i, i + 1500));
  let count = 0;
  for await (const _ of decodeFrames()(chunks)) count++;
  return count;
}

// The floor: the copies any framing needs (into the encoded stream, out into each frame).
function copyFloor(): number {
  const stream = new Uint8Array(256 * 1026);
  let o = 0;
  for (const f of FRAMES) {
    stream.set(f, o + 2);
    o += 1026;
  }
  let total = 0;
  for (let i = 0; i < 256; i++) total += stream.slice(i * 1026 + 2, i * 1026 + 1026).length;
  return total;
}

export default defineSuites({
  name: 'transport-interfaces: length-prefixed framing',
  cases: [
    { id: 'transport-interfaces/framing-floor-copy', fn: copyFloor, items: 256, unit: 'frames/s' },
    {
      id: 'transport-interfaces/framing-roundtrip-1KiB',
      fn: roundTrip,
      items: 256,
      unit: 'frames/s',
      compare: 'transport-interfaces/framing-floor-copy',
    },
  ],
});
