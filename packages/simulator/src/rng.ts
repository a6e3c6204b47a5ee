import { type RandomBytes, ValidationError } from '@p2pe/transport-interfaces';

/**
 * The simulation's one random source: sfc32 (Chris Doty-Humphrey's Small Fast Counting
 * generator, 128-bit state), seeded from the scenario seed: distinct seeds, distinct runs.
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
    // Every seed gets its own starting state, and since one step of sfc32 is a bijection of the
    // state, two seeds never share a state later either. An integer seed is placed in the state
    // as it is (a = 0, its low and high 32 bits in b and c, counter d = 1: how PractRand, by
    // sfc's author, seeds it); a string that is not an integer's decimal form is hashed to 96
    // bits (cyrb128) with counter d = 0, so it cannot meet an integer's state.
    const s = seedState(seed);
    this.a = s[0];
    this.b = s[1];
    this.c = s[2];
    this.d = s[3];
    // Mix the plain seed words before the first output (PractRand discards 12).
    for (let i = 0; i < 20; i++) this.u32();
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

/** The initial sfc32 state `[a, b, c, d]` of a seed; see the constructor. */
function seedState(seed: number | string): [number, number, number, number] {
  let n: number | undefined;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new ValidationError(
        'SIM_INVALID_OPTION',
        `"seed" expected a non-negative safe integer, got ${seed}`,
      );
    }
    n = seed;
  } else if (typeof seed === 'string') {
    // "7" and 7 are the same seed (a seed read from a command line stays the same run).
    if (/^(0|[1-9]\d{0,15})$/.test(seed) && Number.isSafeInteger(Number(seed))) n = Number(seed);
  } else {
    throw new ValidationError('SIM_INVALID_OPTION', '"seed" expected a number or string');
  }
  if (n !== undefined) return [0, n >>> 0, Math.floor(n / 4294967296) >>> 0, 1];
  const [h1, h2, h3] = cyrb128(seed as string);
  return [h1, h2, h3, 0];
}

/** cyrb128 (bryc, public domain): a fast 128-bit non-cryptographic string hash. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
