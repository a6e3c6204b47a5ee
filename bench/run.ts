/**
 * `pnpm bench [filter] [--json <file>] [--time <ms>]`: runs every `packages/*\/bench/*.bench.ts`
 * (or only the cases whose id contains `filter`), prints one row per case, and with `--json`
 * writes the rows as data (docs/benchmarks.md). Values are medians of tinybench samples turned into
 * items per second; a case's `compare` ratio is measured against another case of the same run in
 * interleaved rounds (see `interleavedRatio`).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { BenchCase, BenchModule, BenchRow, BenchSuite } from './harness';

const root = fileURLToPath(new URL('..', import.meta.url));

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: pnpm bench [filter] [--json <file>] [--time <ms>]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): { filter: string; json?: string; timeMs?: number } {
  const args = argv.filter((a) => a !== '--');
  let filter = '';
  let json: string | undefined;
  let timeMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') {
      json = args[++i] ?? usage('--json needs a file name');
    } else if (a === '--time') {
      timeMs = Number(args[++i]);
      if (!Number.isFinite(timeMs) || timeMs <= 0) usage('--time needs a positive number of ms');
    } else if (a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else {
      filter = a;
    }
  }
  return {
    filter,
    ...(json === undefined ? {} : { json }),
    ...(timeMs === undefined ? {} : { timeMs }),
  };
}

function benchFiles(): string[] {
  const files: string[] = [];
  const packages = join(root, 'packages');
  for (const pkg of readdirSync(packages).sort()) {
    const dir = join(packages, pkg, 'bench');
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of entries.sort()) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
  }
  return files;
}

async function loadSuites(file: string): Promise<BenchSuite[]> {
  const mod = (await import(pathToFileURL(file).href)) as { default: BenchModule };
  return typeof mod.default === 'function' ? await mod.default() : mod.default;
}

/** Rounds of the interleaved ratio measurement (an even number: each order runs equally often). */
const RATIO_ROUNDS = 12;

/**
 * Items per second of `n` back-to-back calls of a case's `fn`, after n/10 untimed calls that pay
 * off garbage the previous slot left behind (so one case's GC is not charged to the other).
 */
async function rateOf(c: BenchCase, n: number): Promise<number> {
  await callTimes(c, Math.ceil(n / 10));
  const start = performance.now();
  await callTimes(c, n);
  return (n * (c.items ?? 1) * 1000) / (performance.now() - start);
}

async function callTimes(c: BenchCase, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = c.fn();
    if (r instanceof Promise) await r;
  }
}

/**
 * The ratio rate(a) / rate(b), measured in alternating slots (a then b, then b then a, …) and
 * taken as the median of the per-round ratios. Shared machines drift over seconds; measured one
 * after the other, two cases see different machines, while a round's two slots see nearly the
 * same one. Calls per slot come from each case's sampled median latency, so no clock is read
 * inside a slot.
 */
async function interleavedRatio(
  a: BenchCase,
  aLatencyMs: number,
  b: BenchCase,
  bLatencyMs: number,
  totalMs: number,
): Promise<number> {
  const slotMs = totalMs / RATIO_ROUNDS;
  const calls = (latencyMs: number) => Math.max(1, Math.round(slotMs / latencyMs));
  const ratios: number[] = [];
  for (let round = 0; round < RATIO_ROUNDS; round++) {
    let ra: number;
    let rb: number;
    if (round % 2 === 0) {
      ra = await rateOf(a, calls(aLatencyMs));
      rb = await rateOf(b, calls(bLatencyMs));
    } else {
      rb = await rateOf(b, calls(bLatencyMs));
      ra = await rateOf(a, calls(aLatencyMs));
    }
    ratios.push(ra / rb);
  }
  ratios.sort((x, y) => x - y);
  return (ratios[RATIO_ROUNDS / 2 - 1]! + ratios[RATIO_ROUNDS / 2]!) / 2;
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

async function main(): Promise<void> {
  const { filter, json, timeMs } = parseArgs(process.argv.slice(2));
  const measured = new Map<
    string,
    { value: number; unit: string; latencyMs: number; case: BenchCase; compare?: string }
  >();
  const ratios = new Map<string, number>();
  const order: string[] = [];
  for (const file of benchFiles()) {
    const suites = await loadSuites(file);
    for (const suite of suites) {
      const cases = suite.cases.filter((c) => c.id.includes(filter));
      if (cases.length === 0) continue;
      process.stderr.write(`# ${suite.name} (${relative(root, file)})\n`);
      const time = timeMs ?? suite.timeMs ?? 500;
      const bench = new Bench({ time, warmup: true });
      const byName = new Map<string, BenchCase>();
      for (const c of cases) {
        byName.set(c.id, c);
        bench.add(c.id, c.fn);
      }
      await bench.run();
      for (const task of bench.tasks) {
        const c = byName.get(task.name)!;
        const result = task.result;
        if (result.state !== 'completed') {
          const error = result.state === 'errored' ? String(result.error) : result.state;
          process.stderr.write(`  ${c.id}: did not complete (${error})\n`);
          continue;
        }
        const value = ((c.items ?? 1) * 1000) / result.latency.p50;
        measured.set(c.id, {
          value,
          unit: c.unit ?? 'ops/s',
          latencyMs: result.latency.p50,
          case: c,
          ...(c.compare === undefined ? {} : { compare: c.compare }),
        });
        order.push(c.id);
        process.stderr.write(
          `  ${c.id.padEnd(52)} ${format(value).padStart(12)} ${c.unit ?? 'ops/s'}\n`,
        );
      }
      for (const c of cases) {
        const self = measured.get(c.id);
        const other = c.compare === undefined ? undefined : measured.get(c.compare);
        if (self === undefined || other === undefined) continue;
        ratios.set(
          c.id,
          await interleavedRatio(self.case, self.latencyMs, other.case, other.latencyMs, 2 * time),
        );
      }
    }
  }
  const rows: BenchRow[] = order.map((id) => {
    const m = measured.get(id)!;
    const row: BenchRow = { id, value: m.value, unit: m.unit };
    const other = m.compare === undefined ? undefined : measured.get(m.compare);
    const ratio = ratios.get(id);
    if (m.compare !== undefined && other !== undefined && ratio !== undefined) {
      row.compare = { id: m.compare, value: other.value, ratio };
    }
    return row;
  });
  const compared = rows.filter((r) => r.compare !== undefined);
  if (compared.length > 0) {
    process.stdout.write(
      `\nratios (this case / compared case, median of ${RATIO_ROUNDS} interleaved rounds):\n`,
    );
    for (const r of compared) {
      process.stdout.write(
        `  ${r.id.padEnd(52)} ${r.compare!.ratio.toFixed(2).padStart(7)}×  vs ${r.compare!.id}\n`,
      );
    }
  }
  if (rows.length === 0) usage(`no benchmark matches "${filter}"`);
  if (json !== undefined) {
    writeFileSync(json, `${JSON.stringify(rows, null, 2)}\n`);
    process.stderr.write(`wrote ${rows.length} rows to ${json}\n`);
  }
}

await main();
