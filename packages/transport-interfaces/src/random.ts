/**
 * A source of random bytes, injected. Protocol code takes one of these instead of calling
 * `crypto.getRandomValues` itself, so simulations and vector generators can be seeded.
 * Production code uses `systemRandomBytes`; seeded sources are for tests and generators only.
 */
export type RandomBytes = (length: number) => Uint8Array;

/** `crypto.getRandomValues` of the host (browsers and Node 20+), in chunks of its 64 KiB limit. */
export const systemRandomBytes: RandomBytes = (length) => {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
};
