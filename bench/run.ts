/**
 * `pnpm bench [filter] [--json <file>] [--time <ms>]`: runs every `packages/*\/bench/*.bench.ts`
 * (or only the cases whose id contains `filter`), prints one row per case, and with `--json`
 * writes the rows as data (docs/benchmarks.md). Values are medians of tinybench samples turned into
 * items per second; a case's `compare` ratio is computed against another case of the same run.
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

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

async function main(): Promise<void> {
  const { filter, json, timeMs } = parseArgs(process.argv.slice(2));
  const measured = new Map<string, { value: number; unit: string; compare?: string }>();
  const order: string[] = [];
  for (const file of benchFiles()) {
    const suites = await loadSuites(file);
    for (const suite of suites) {
      const cases = suite.cases.filter((c) => c.id.includes(filter));
      if (cases.length === 0) continue;
      process.stderr.write(`# ${suite.name} (${relative(root, file)})\n`);
      const bench = new Bench({ time: timeMs ?? suite.timeMs ?? 500, warmup: true });
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
          ...(c.compare === undefined ? {} : { compare: c.compare }),
        });
        order.push(c.id);
        process.stderr.write(
          `  ${c.id.padEnd(52)} ${format(value).padStart(12)} ${c.unit ?? 'ops/s'}\n`,
        );
      }
    }
  }
  const rows: BenchRow[] = order.map((id) => {
    const m = measured.get(id)!;
    const row: BenchRow = { id, value: m.value, unit: m.unit };
    const other = m.compare === undefined ? undefined : measured.get(m.compare);
    if (m.compare !== undefined && other !== undefined) {
      row.compare = { id: m.compare, value: other.value, ratio: m.value / other.value };
    }
    return row;
  });
  const compared = rows.filter((r) => r.compare !== undefined);
  if (compared.length > 0) {
    process.stdout.write('\nratios (this case / compared case, same run):\n');
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
