/**
 * Scale benchmark (a report, not a test): runs the `echo` scenario at 1,000 and 10,000 peers
 * (and 50,000 with `--50k`), each in its own process so peak memory is its own, and prints wall
 * time, events per second and peak RSS.
 *
 *   pnpm exec tsx packages/simulator/scripts/scale.ts [--50k] [--seed S]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { echoScenario, runScenario } from '../src/index';

const args = process.argv.slice(2).filter((a) => a !== '--');
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1;

async function one(peers: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await runScenario(echoScenario, { peers, seed });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const result = {
    peers,
    events: report.events,
    wallS: Math.round(wallMs) / 1000,
    eventsPerS: Math.round((report.events / wallMs) * 1000),
    // CPU time of this process (all its threads, GC included): steadier than wall time on a
    // shared machine.
    cpuS: Math.round(cpuMs) / 1000,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    virtualS: Math.round(report.simTimeMs) / 1000,
    messages: report.metrics.messages.sent,
    completion: report.result.completion,
    p50LatencyMs: report.metrics.latencyMs.p50,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const oneAt = args.indexOf('--one');
  if (oneAt >= 0) {
    await one(Number(args[oneAt + 1]));
    return;
  }
  const sizes = [1_000, 10_000, ...(args.includes('--50k') ? [50_000] : [])];
  const self = fileURLToPath(import.meta.url);
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, self, '--one', String(n), '--seed', String(seed)],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      process.exitCode = 1;
      return;
    }
    const row = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    rows.push(row);
    process.stderr.write(`${n} peers done\n`);
  }
  console.table(rows);
  const first = rows[0]!;
  for (const r of rows.slice(1)) {
    const k = Number(r.peers) / Number(first.peers);
    console.log(
      `${first.peers} -> ${r.peers} peers (x${k}): events x${ratio(r, first, 'events')}, wall time x${ratio(r, first, 'wallS')}, CPU time x${ratio(r, first, 'cpuS')}, peak RSS x${ratio(r, first, 'peakRssMiB')}`,
    );
  }
}

function ratio(a: Record<string, unknown>, b: Record<string, unknown>, key: string): string {
  return (Number(a[key]) / Number(b[key])).toFixed(1);
}

void main();
