/**
 * `pnpm sim -- --scenario <name> --peers N --seed S [--json] [--report run.html]`
 * Runs one scenario: a progress bar on stderr (when it is a terminal), a summary or one JSON
 * object of metrics on stdout, and optionally an HTML report. Bad input: one line, exit code 2.
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IoError, P2peError, ValidationError } from '@p2pe/transport-interfaces';
import {
  builtinScenarios,
  getScenario,
  parseSimArgs,
  progressBar,
  renderReport,
  runScenario,
  SIM_USAGE,
  type TraceFilter,
} from '../src/index';

async function main(): Promise<number> {
  const options = parseSimArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${SIM_USAGE}\n`);
    return 0;
  }
  if (options.list) {
    for (const s of builtinScenarios)
      process.stdout.write(`${s.name.padEnd(12)} ${s.description}\n`);
    return 0;
  }
  const scenario = getScenario(options.scenario, builtinScenarios);
  if (options.report !== undefined) checkWritable(options.report);
  const trace: TraceFilter = {};
  if (options.tracePeer !== undefined) trace.peer = options.tracePeer;
  if (options.traceMessage !== undefined) trace.message = options.traceMessage;
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  const report = await runScenario(scenario, {
    peers: options.peers,
    seed: options.seed,
    ...(Object.keys(trace).length > 0 ? { trace } : {}),
    onProgress: (p) => {
      if (!tty) return;
      const now = performance.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      process.stderr.write(`\r${progressBar(p.fraction, p.time, p.events)}\x1b[K`);
    },
  });
  const wallMs = performance.now() - started;
  if (tty) process.stderr.write(`\r${progressBar(1, report.simTimeMs, report.events)}\x1b[K\n`);
  process.stderr.write(
    `${report.scenario}: ${report.events} events in ${(wallMs / 1000).toFixed(2)} s wall time (${Math.round(
      (report.events / wallMs) * 1000,
    )} events/s), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
  );
  if (options.report !== undefined) {
    try {
      writeFileSync(options.report, renderReport(report));
    } catch (err) {
      throw new IoError('SIM_REPORT_WRITE', `cannot write the report (${errorCode(err)})`);
    }
    process.stderr.write(`report written to ${options.report}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const m = report.metrics;
    const lines = [
      `scenario ${report.scenario}, ${report.peers} peers, seed ${report.seed}`,
      `virtual time ${(report.simTimeMs / 1000).toFixed(1)} s, ${report.events} events`,
      `messages sent ${m.messages.sent}, delivered ${m.messages.delivered} (${(m.messages.deliveryRatio * 100).toFixed(2)}%)`,
      `one-way latency ms: p50 ${m.latencyMs.p50}, p90 ${m.latencyMs.p90}, p99 ${m.latencyMs.p99}`,
      ...Object.entries(report.result).map(([k, v]) => `${k}: ${v}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return 0;
}

/** Bad input found before the run: the report's directory must exist and be writable. */
function checkWritable(path: string): void {
  const dir = dirname(resolve(path));
  let problem: string | undefined;
  try {
    if (statSync(dir).isDirectory()) accessSync(dir, constants.W_OK);
    else problem = 'ENOTDIR';
  } catch (err) {
    problem = errorCode(err);
  }
  if (problem !== undefined) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `--report: cannot write to the report's directory (${problem})`,
    );
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (P2peError.is(err) && err.category === 'validation') {
      process.stderr.write(`sim: ${err.message} (${err.code})\n`);
      process.exitCode = 2;
    } else if (P2peError.is(err) && err.category === 'io') {
      process.stderr.write(`sim: ${err.message} (${err.code})\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
