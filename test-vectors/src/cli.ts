/**
 * `vectors verify [--backend noble|node|both] [--skip-unknown] <paths...>`
 *
 * Prints one line per file per backend, notes and failures indented under it, then exactly
 * `N passed, M failed, K skipped`. Exit 0 when every case passed, 1 when a case failed, 2 when a
 * file could not be read or recognised (one-line error, never a stack trace) or the usage is wrong.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { VectorFormat } from './format';
import { knownFormats } from './registry';
import {
  type BackendChoice,
  formatEntry,
  formatSummary,
  oneLine,
  type RunEntry,
  runVectors,
  selectBackends,
} from './runner';

export const USAGE =
  'usage: vectors verify [--backend noble|node|both] [--skip-unknown] <paths...>';

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Paths print relative to this directory. */
  readonly cwd: string;
  /** Formats to recognise (tests inject their own); default the registry's. */
  readonly formats?: readonly VectorFormat[];
}

interface Args {
  readonly backend: BackendChoice;
  readonly skipUnknown: boolean;
  readonly paths: readonly string[];
}

function parseArgs(argv: readonly string[]): Args | string {
  const [command, ...rest] = argv;
  if (command !== 'verify')
    return command === undefined ? 'missing command' : `unknown command "${command}"`;
  let backend: BackendChoice = 'both';
  let skipUnknown = false;
  const paths: string[] = [];
  let onlyPaths = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (onlyPaths || !arg.startsWith('--')) {
      paths.push(arg);
    } else if (arg === '--') {
      onlyPaths = true;
    } else if (arg === '--skip-unknown') {
      skipUnknown = true;
    } else if (arg === '--backend' || arg.startsWith('--backend=')) {
      const value = arg === '--backend' ? rest[++i] : arg.slice('--backend='.length);
      if (value !== 'noble' && value !== 'node' && value !== 'both') {
        return `--backend takes noble, node or both, got "${value ?? ''}"`;
      }
      backend = value;
    } else {
      return `unknown option "${arg}"`;
    }
  }
  if (paths.length === 0) return 'no paths given';
  return { backend, skipUnknown, paths };
}

/** Runs the CLI; returns the exit code. Never throws. */
export function main(argv: readonly string[], io: CliIo): number {
  try {
    const args = parseArgs(argv);
    if (typeof args === 'string') {
      io.stderr(`error: ${oneLine(args)}; ${USAGE}`);
      return 2;
    }
    const formats = io.formats ?? knownFormats;
    const formatWidth = Math.max(0, ...formats.map((f) => f.name.length));
    const print = (entry: RunEntry) => {
      const lines = formatEntry(entry, { cwd: io.cwd, formatWidth });
      for (const line of lines) (entry.kind === 'error' ? io.stderr : io.stdout)(line);
    };
    const summary = runVectors(args.paths, {
      backends: selectBackends(args.backend),
      formats,
      skipUnknown: args.skipUnknown,
      onEntry: print,
    });
    io.stdout(formatSummary(summary));
    return summary.exitCode;
  } catch (err) {
    io.stderr(`error: ${oneLine(`internal error: ${(err as Error)?.message ?? String(err)}`)}`);
    return 2;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
  });
}
