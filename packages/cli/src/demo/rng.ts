import type { RandomBytes } from '@p2pe/transport-interfaces';

/** `count` distinct indexes below `n`, drawn from `random` (a partial Fisher–Yates shuffle). */
export function pickDistinct(random: RandomBytes, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < count && i < n; i++) {
    const r = random(4);
    const u = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
    const j = i + (u % (n - i)); // bias < 2^-28 for these tiny n: fine for picking demo routes
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    out.push(pool[i]!);
  }
  return out;
}
