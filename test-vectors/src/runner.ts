/**
 * The conformance runner: reads vector files (directories recursively), recognises each file's
 * format by content, and verifies every case against each chosen crypto backend.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { IoError, LimitError, P2peError } from '@p2pe/transport-interfaces';
import { MAX_DIRECTORY_DEPTH, MAX_PRINTED_FAILURES, MAX_VECTOR_FILE_BYTES } from './constants';
import type { FileReport, VectorFile, VectorFormat } from './format';
import { detectFormat, knownFormats } from './registry';

export type BackendName = 'noble' | 'node';
export type BackendChoice = BackendName | 'both';

/** The backends by name: `noble` (pure JS, default everywhere) and `node` (node:crypto). */
export const backends: Readonly<Record<BackendName, CryptoBackend>> = {
  noble: nobleBackend,
  node: nodeBackend,
};

export function selectBackends(choice: BackendChoice): CryptoBackend[] {
  return choice === 'both' ? [backends.noble, backends.node] : [backends[choice]];
}

export interface RunOptions {
  /** Backends to verify against; default both, noble first. */
  readonly backends?: readonly CryptoBackend[];
  /** Formats to recognise; default `knownFormats`. */
  readonly formats?: readonly VectorFormat[];
  /** List files no format recognises as skipped instead of as errors. */
  readonly skipUnknown?: boolean;
  /** Called with each entry as soon as it is known (for streaming output). */
  readonly onEntry?: (entry: RunEntry) => void;
}

/** One line of the run: a file verified under one backend, a file in error, or a skipped file. */
export type RunEntry =
  | {
      readonly kind: 'verified';
      readonly path: string;
      readonly format: string;
      readonly backend: string;
      readonly report: FileReport;
    }
  | { readonly kind: 'error'; readonly path: string; readonly message: string }
  | { readonly kind: 'skipped'; readonly path: string; readonly message: string };

export interface RunSummary {
  readonly entries: readonly RunEntry[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Files that could not be read, parsed, recognised (without skipUnknown) or verified. */
  readonly errors: number;
  /** 0: all passed; 1: a case failed; 2: a file could not be read or recognised. */
  readonly exitCode: 0 | 1 | 2;
}

/** One line, no control characters, bounded: error text from anywhere is printed safely. */
export function oneLine(message: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const flat = message.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function messageOf(err: unknown): string {
  if (P2peError.is(err)) return oneLine(err.message);
  if (err instanceof Error) return oneLine(`internal error: ${err.name}: ${err.message}`);
  return oneLine(`internal error: ${String(err)}`);
}

interface ReadResult {
  readonly file: VectorFile;
  /** Why the text is not JSON although it looks like JSON; reported when no format claims it. */
  readonly jsonError?: string;
  readonly notUtf8?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one vector file: size limit first, then UTF-8, then JSON when it looks like JSON. */
export function readVectorFile(path: string): ReadResult {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new IoError(
      'VECTOR_FILE_UNREADABLE',
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (size > MAX_VECTOR_FILE_BYTES) {
    throw new LimitError(
      'VECTOR_FILE_TOO_LARGE',
      `${size} bytes, over the ${MAX_VECTOR_FILE_BYTES}-byte limit`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new IoError(
      'VECTOR_FILE_UNREADABLE',
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { file: { path, text: '', json: undefined }, notUtf8: true };
  }
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return { file: { path, text, json: undefined } };
  try {
    return { file: { path, text, json: JSON.parse(text) as unknown } };
  } catch (err) {
    return { file: { path, text, json: undefined }, jsonError: (err as Error).message };
  }
}

/** Directory entries never read: package installs (which link back into the workspace). */
const IGNORED_DIRECTORIES = new Set(['node_modules']);

/**
 * Files under `path`, sorted by name; `path` itself when it is a file. Inside directories, hidden
 * entries and `node_modules` are left out and symbolic links to directories are not followed (no
 * loops, no walking into linked packages).
 */
function expand(path: string, depth: number, out: string[]): void {
  if (!statSync(path).isDirectory()) {
    out.push(path);
    return;
  }
  if (depth > MAX_DIRECTORY_DEPTH) {
    throw new LimitError('VECTOR_DIRECTORY_TOO_DEEP', `more than ${MAX_DIRECTORY_DEPTH} levels`);
  }
  const entries = readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && !IGNORED_DIRECTORIES.has(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = `${path}${sep}${entry.name}`;
    if (entry.isDirectory()) expand(child, depth + 1, out);
    else if (entry.isFile()) out.push(child);
    else if (entry.isSymbolicLink() && statSync(child, { throwIfNoEntry: false })?.isFile())
      out.push(child);
  }
}

/** Verifies one file with one format and backend; an exception becomes an error entry. */
export function verifyFile(
  file: VectorFile,
  format: VectorFormat,
  backend: CryptoBackend,
): { readonly report: FileReport } | { readonly error: string } {
  try {
    return { report: format.verify(file, backend) };
  } catch (err) {
    return { error: `${format.name}: ${messageOf(err)}` };
  }
}

/** Runs the vectors under `paths` against every backend. Never throws for bad input files. */
export function runVectors(paths: readonly string[], options: RunOptions = {}): RunSummary {
  const chosen = options.backends ?? selectBackends('both');
  const formats = options.formats ?? knownFormats;
  const entries: RunEntry[] = [];
  const emit = (entry: RunEntry) => {
    entries.push(entry);
    options.onEntry?.(entry);
  };
  for (const arg of paths) {
    const files: string[] = [];
    try {
      expand(arg, 0, files);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      emit({
        kind: 'error',
        path: arg,
        message: code === 'ENOENT' ? 'no such file or directory' : messageOf(err),
      });
      continue;
    }
    for (const path of files) verifyPath(path, chosen, formats, options.skipUnknown === true, emit);
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let errors = 0;
  for (const e of entries) {
    if (e.kind === 'verified') {
      passed += e.report.passed;
      failed += e.report.failed;
      skipped += e.report.skipped;
    } else if (e.kind === 'error') {
      errors++;
    }
  }
  const exitCode = errors > 0 ? 2 : failed > 0 ? 1 : 0;
  return { entries, passed, failed, skipped, errors, exitCode };
}

function verifyPath(
  path: string,
  chosen: readonly CryptoBackend[],
  formats: readonly VectorFormat[],
  skipUnknown: boolean,
  emit: (entry: RunEntry) => void,
): void {
  let read: ReadResult;
  try {
    read = readVectorFile(path);
  } catch (err) {
    emit({ kind: 'error', path, message: messageOf(err) });
    return;
  }
  const format = detectFormat(read.file, formats);
  if (format === undefined) {
    const why =
      read.jsonError !== undefined
        ? ` (not valid JSON: ${read.jsonError})`
        : read.notUtf8
          ? ' (not UTF-8 text)'
          : '';
    emit({
      kind: skipUnknown ? 'skipped' : 'error',
      path,
      message: oneLine(`no known format${why}`),
    });
    return;
  }
  for (const backend of chosen) {
    const result = verifyFile(read.file, format, backend);
    if ('error' in result) {
      emit({ kind: 'error', path, message: `[${backend.name}] ${result.error}` });
    } else {
      emit({
        kind: 'verified',
        path,
        format: format.name,
        backend: backend.name,
        report: result.report,
      });
    }
  }
}

/** `path` relative to `cwd`, with forward slashes. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path)) || '.';
  return rel.split(sep).join('/');
}

export interface PrintOptions {
  readonly cwd: string;
  /** Width the format name is padded to, so columns line up. */
  readonly formatWidth?: number;
  readonly maxFailures?: number;
}

/** The printed lines of one entry: the file line, then its notes and failures indented. */
export function formatEntry(entry: RunEntry, options: PrintOptions): string[] {
  const path = displayPath(entry.path, options.cwd);
  if (entry.kind === 'error') return [`ERROR ${path}: ${entry.message}`];
  if (entry.kind === 'skipped') return [`SKIP ${path}: ${entry.message}`];
  const r = entry.report;
  const status = r.failed > 0 ? 'FAIL' : 'PASS';
  const name = entry.format.padEnd(options.formatWidth ?? 0);
  const lines = [
    `${status} ${name}  ${path}  [${entry.backend}]  ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`,
  ];
  for (const note of r.notes) lines.push(`    note: ${oneLine(note, 500)}`);
  const max = options.maxFailures ?? MAX_PRINTED_FAILURES;
  for (const failure of r.failures.slice(0, max)) lines.push(`    fail: ${oneLine(failure, 300)}`);
  if (r.failures.length > max) lines.push(`    … and ${r.failures.length - max} more failures`);
  return lines;
}

/** The closing line, exactly `N passed, M failed, K skipped`. */
export function formatSummary(summary: Pick<RunSummary, 'passed' | 'failed' | 'skipped'>): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}
