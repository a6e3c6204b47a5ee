/** Small text helpers for the narrative: tables, fingerprints, times. */
import { toHex } from '@p2pe/transport-interfaces';

/** A short, non-secret fingerprint of public bytes: the first 8 hex digits. */
export function fingerprint(bytes: Uint8Array): string {
  return `${toHex(bytes.subarray(0, 4))}…`;
}

/** Virtual time since the demo started, e.g. `+12.345 s`. */
export function virtualTime(ms: number): string {
  return `+${(ms / 1000).toFixed(3)} s`;
}

export function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} B`;
}

/** A long public string shortened in the middle, with its length. */
export function shorten(text: string, head = 28, tail = 8): string {
  if (text.length <= head + tail + 3) return text;
  return `${text.slice(0, head)}…${text.slice(-tail)} (${text.length} characters)`;
}

/** A plain-text table with a header row and aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
