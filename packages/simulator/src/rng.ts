import { type RandomBytes, ValidationError } from '@p2pe/transport-interfaces';

/**
 * The simulation's one random source: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state), seeded from the scenario seed through splitmix32.
 *
 * This is a SIMULATION random source, not a cryptographic one: it is fast and reproducible, and
 * anyone who knows the seed can predict every output. Keys made from it inside a simulation
 * are for the simulation only.
 */
export class SimRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    let h = hashSeed(seed);
    const next = (): number => {
      // splitmix32: spreads one 32-bit seed over the four state words.
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 16; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new ValidationError('SIM_INVALID_OPTION', `"n" expected a positive integer, got ${n}`);
    }
    return Math.floor(this.float() * n);
  }

  /** True with probability `p`. Draws nothing when p is 0 or 1, so a lossless link costs no
   *  random numbers and adding a zero-probability feature does not change a run. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new ValidationError(
        'SIM_INVALID_OPTION',
        `"length" expected a non-negative integer, got ${length}`,
      );
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let w = this.u32();
      for (let j = i; j < Math.min(length, i + 4); j++) {
        out[j] = w & 0xff;
        w >>>= 8;
      }
    }
    return out;
  }

  /** A `RandomBytes` drawing from this source, for protocol code inside the simulation. */
  randomBytes(): RandomBytes {
    return (length) => this.bytes(length);
  }
}

/** FNV-1a over the decimal or string form of the seed: distinct seeds give distinct states. */
function hashSeed(seed: number | string): number {
  if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `"seed" expected a non-negative safe integer, got ${seed}`,
    );
  }
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
