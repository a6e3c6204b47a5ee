import type { CryptoBackend } from '@p2pe/crypto';

/** A vector file as read from disk: its text, and its JSON value when it parses as JSON. */
export interface VectorFile {
  readonly path: string;
  readonly text: string;
  /** Parsed JSON, or undefined when the text is not JSON (e.g. the BLAKE2 text files). */
  readonly json: unknown;
}

/** The outcome of one file under one backend. Every case counts exactly once. */
export interface FileReport {
  passed: number;
  failed: number;
  /** Cases not run, each with its reason in `notes` (e.g. an unsupported suite). */
  skipped: number;
  /** One line per failed case: its id and what differed (never secret values from our state). */
  failures: string[];
  /** Lines printed under the file: why cases were skipped, rules applied to `acceptable` cases. */
  notes: string[];
}

/**
 * A vector format the runner knows. Formats are recognised by content, never by file name:
 * `detect` looks at the parsed JSON (or text) and says whether this format owns the file.
 */
export interface VectorFormat {
  /** Short name printed in the runner's output, e.g. `wycheproof-xdh`. */
  readonly name: string;
  detect(file: VectorFile): boolean;
  /** Verifies every case of the file with the given backend. Must not throw for a bad case. */
  verify(file: VectorFile, backend: CryptoBackend): FileReport;
}

export function emptyReport(): FileReport {
  return { passed: 0, failed: 0, skipped: 0, failures: [], notes: [] };
}
