/**
 * The benchmark harness every package's `bench/*.bench.ts` uses. A file default-exports one or
 * more suites; `pnpm bench` runs them all (or those whose id contains a filter) and prints a table;
 * `pnpm bench --json out.json` also writes the rows (see docs/benchmarks.md for the format).
 *
 * Throughput is the unit everywhere: `value` is items per second, where a case says how many items
 * (messages, hops, bytes) one call of `fn` processes. A case may name another case (`compare`) in
 * the same run: its row then carries the ratio value / other.value, which is what we read, since
 * the absolute numbers on shared machines are noisy.
 */
export interface BenchCase {
  /** Stable id, `<package>/<what>/<backend>`, e.g. `crypto/x25519-dh/noble`. */
  id: string;
  /** One iteration of the work. */
  fn: () => unknown | Promise<unknown>;
  /** Items one call of `fn` processes (default 1). */
  items?: number;
  /** Unit of the value (default `ops/s`), e.g. `msg/s`, `hops/s`, `MB/s`. */
  unit?: string;
  /** Id of a case in the same run to compare with (a floor or a peer implementation). */
  compare?: string;
}

export interface BenchSuite {
  name: string;
  cases: BenchCase[];
  /** Minimum time per case in ms (default 500). */
  timeMs?: number;
}

export interface BenchRow {
  id: string;
  value: number;
  unit: string;
  compare?: { id: string; value: number; ratio: number };
}

export function defineSuites(...suites: BenchSuite[]): BenchSuite[] {
  return suites;
}

/** What a `*.bench.ts` file default-exports: suites, or a function that builds them (async ok). */
export type BenchModule = BenchSuite[] | (() => BenchSuite[] | Promise<BenchSuite[]>);
