/**
 * The `p2pe` command line: argument parsing and the commands. `main` takes its output sinks, so
 * tests run it in-process.
 */
import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { P2peError, ValidationError } from '@p2pe/transport-interfaces';
import { DEFAULT_SEED, runDemo } from './demo/run';

export const USAGE = `Usage: p2pe <command> [options]

Commands:
  demo                one message's life through every P2PE layer, on a simulated
                      network and a virtual clock (a second or two)

Options of demo:
  --seed <text>       seed of the run (default "${DEFAULT_SEED}"); same seed, same output
  --backend <name>    crypto backend: node (default: node:crypto) or noble (pure JavaScript)
  --json              print a JSON summary instead of the narrative

  -h, --help          show this help`;

export interface ParsedArgs {
  readonly command: 'demo' | 'help';
  readonly seed: string;
  readonly backend: 'node' | 'noble';
  readonly json: boolean;
}

const MAX_SEED_LENGTH = 256;

/** Parses the arguments after `p2pe`. Throws ValidationError `CLI_USAGE` with a one-line message. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let command: ParsedArgs['command'] | undefined;
  let seed = DEFAULT_SEED;
  let backend: ParsedArgs['backend'] = 'node';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) {
        throw usage(`${flag} needs a value`);
      }
      return v;
    };
    switch (flag) {
      case '--':
        // `pnpm demo -- --seed x` passes the separator on: nothing follows it but options here.
        break;
      case '-h':
      case '--help':
      case 'help':
        if (flag === 'help' && command !== undefined) throw usage(`unexpected argument "${arg}"`);
        command = 'help';
        break;
      case '--seed':
        seed = value();
        if (seed.length === 0 || seed.length > MAX_SEED_LENGTH) {
          throw usage(`--seed expects 1 to ${MAX_SEED_LENGTH} characters`);
        }
        break;
      case '--backend': {
        const v = value();
        if (v !== 'node' && v !== 'noble')
          throw usage(`--backend expects node or noble, got "${v}"`);
        backend = v;
        break;
      }
      case '--json':
        if (inline !== undefined) throw usage('--json takes no value');
        json = true;
        break;
      default:
        if (arg.startsWith('-')) throw usage(`unknown option ${flag}`);
        if (command !== undefined) throw usage(`unexpected argument "${arg}"`);
        if (arg !== 'demo') throw usage(`unknown command "${arg}"`);
        command = 'demo';
    }
  }
  if (command === undefined) throw usage('no command given');
  return { command, seed, backend, json };
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

function usage(message: string): ValidationError {
  return new ValidationError('CLI_USAGE', message);
}

/** Where the CLI writes: one line per call. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the CLI; resolves with the process exit code (0 ok, 1 a failed check or error, 2 usage). */
export async function main(
  argv: readonly string[],
  io: CliIo,
  demo: typeof runDemo = runDemo,
): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err(`p2pe: ${(err as Error).message}`);
    io.err('Run "p2pe --help" for usage.');
    return 2;
  }
  if (args.command === 'help') {
    for (const line of USAGE.split('\n')) io.out(line);
    return 0;
  }
  const backend: CryptoBackend = args.backend === 'node' ? nodeBackend : nobleBackend;
  try {
    const summary = await demo({
      seed: args.seed,
      backend,
      backendName: args.backend === 'node' ? 'node:crypto' : 'noble (pure JavaScript)',
      ...(args.json ? {} : { out: io.out }),
    });
    if (args.json) io.out(JSON.stringify(summary, null, 2));
    return summary.passed ? 0 : 1;
  } catch (err) {
    const code = P2peError.is(err) ? ` [${err.code}]` : '';
    io.err(`p2pe demo: ${(err as Error).message.split('\n')[0]}${code}`);
    return 1;
  }
}
