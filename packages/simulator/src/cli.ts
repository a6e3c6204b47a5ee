import { ValidationError } from '@p2pe/transport-interfaces';
import { MAX_PEERS } from './constants';

/** Options of `pnpm sim`. */
export interface SimCliOptions {
  scenario: string;
  peers: number;
  seed: number;
  json: boolean;
  report: string | undefined;
  tracePeer: number | undefined;
  traceMessage: number | undefined;
  list: boolean;
  help: boolean;
}

export const SIM_USAGE = `usage: pnpm sim -- --scenario <name> [--peers N] [--seed S] [--json] [--report run.html]
                  [--trace-peer ID] [--trace-message ID]
       pnpm sim -- --list
  --scenario   the scenario to run (see --list)
  --peers      number of peers (default 100)
  --seed       seed of the simulation's random source, a non-negative integer (default 1)
  --json       print one JSON object of metrics on stdout
  --report     write an HTML report of the run to this file
  --trace-peer, --trace-message   record an event trace for one peer or one message id`;

const FLAGS = new Set([
  '--scenario',
  '--peers',
  '--seed',
  '--json',
  '--report',
  '--trace-peer',
  '--trace-message',
  '--list',
  '--help',
]);

/** Shows a user-typed value in an error only when it is short and plain. */
function shown(value: string): string {
  return /^[\w.+-]{1,24}$/.test(value) ? `"${value}"` : `a value of length ${value.length}`;
}

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value)) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `${flag} expected an integer, got ${shown(value)}`,
    );
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ValidationError(
      'SIM_INVALID_OPTION',
      `${flag} expected an integer in [${min}, ${max}], got ${shown(value)}`,
    );
  }
  return n;
}

/**
 * Parses the arguments of `pnpm sim` (a leading `--` is ignored). Throws ValidationError
 * `SIM_INVALID_OPTION` on an unknown flag, a missing value, or a bad number. Whether the scenario
 * exists is checked when it runs (`SIM_UNKNOWN_SCENARIO`).
 */
export function parseSimArgs(argv: readonly string[]): SimCliOptions {
  const out: SimCliOptions = {
    scenario: '',
    peers: 100,
    seed: 1,
    json: false,
    report: undefined,
    tracePeer: undefined,
    traceMessage: undefined,
    list: false,
    help: false,
  };
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (!FLAGS.has(arg)) {
      throw new ValidationError('SIM_INVALID_OPTION', `unknown argument ${shown(arg)}; see --help`);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined || (v.startsWith('--') && FLAGS.has(v))) {
        throw new ValidationError('SIM_INVALID_OPTION', `${arg} expects a value`);
      }
      return v;
    };
    switch (arg) {
      case '--scenario':
        out.scenario = value();
        break;
      case '--peers':
        out.peers = integer(arg, value(), 1, MAX_PEERS);
        break;
      case '--seed':
        out.seed = integer(arg, value(), 0, Number.MAX_SAFE_INTEGER);
        break;
      case '--json':
        out.json = true;
        break;
      case '--report':
        out.report = value();
        break;
      case '--trace-peer':
        out.tracePeer = integer(arg, value(), 0, MAX_PEERS);
        break;
      case '--trace-message':
        out.traceMessage = integer(arg, value(), 1, Number.MAX_SAFE_INTEGER);
        break;
      case '--list':
        out.list = true;
        break;
      case '--help':
        out.help = true;
        break;
    }
  }
  if (!out.list && !out.help && out.scenario === '') {
    throw new ValidationError('SIM_INVALID_OPTION', '--scenario is required; see --list');
  }
  return out;
}

/** A text progress bar: `[#####.....]  50% 5.0 s virtual, 12,345 events`. */
export function progressBar(fraction: number, time: number, events: number, width = 30): string {
  const f = Math.max(0, Math.min(1, fraction));
  const done = Math.round(f * width);
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(Math.round(f * 100)).padStart(3)}% ${(time / 1000).toFixed(1)} s virtual, ${events.toLocaleString('en-US')} events`;
}
