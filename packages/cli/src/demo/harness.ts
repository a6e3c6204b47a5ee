/**
 * The demo's step harness: each step prints a heading, says what happens, and checks what it
 * claims (a ✓ line per check, or ✗ and a DemoCheckError). Traffic and virtual time are counted per
 * step for the summary table.
 */
import { P2peError } from '@p2pe/transport-interfaces';
import { bytes, table, virtualTime } from './format';
import type { Wire } from './network';

export interface StepSummary {
  readonly step: number;
  readonly name: string;
  readonly passed: boolean;
  readonly checks: number;
  readonly messages: number;
  readonly bytes: number;
  readonly virtualMs: number;
  /** What stands in for a missing layer in this step, if anything. */
  readonly standIn?: string;
}

/** What a step's body gets: a voice, a way to assert, and a counter for off-wire traffic. */
export interface StepContext {
  say(line?: string): void;
  check(condition: boolean, what: string): void;
  /** Counts traffic that does not cross the simulated network (out of band, the directory). */
  offWire(messages: number, byteCount: number): void;
}

/** A claim of the demo that did not hold. */
export class DemoCheckError extends P2peError {
  constructor(
    readonly step: number,
    readonly stepName: string,
    what: string,
  ) {
    super('DEMO_CHECK_FAILED', 'internal', `step ${step} (${stepName}) failed: ${what}`);
    this.name = 'DemoCheckError';
  }
}

export class StepRunner {
  readonly summaries: StepSummary[] = [];
  /** The first error a step threw; later steps are skipped. */
  failure: unknown;

  constructor(
    private readonly out: (line: string) => void,
    private readonly now: () => number,
    private readonly wire: Wire,
  ) {}

  async run(
    n: number,
    name: string,
    body: (ctx: StepContext) => Promise<void>,
    standIn?: string,
  ): Promise<void> {
    if (this.failure !== undefined) return;
    const { out, wire } = this;
    const startedAt = this.now();
    wire.resetStep();
    let checks = 0;
    const extra = { messages: 0, bytes: 0 };
    out('');
    out(`Step ${n} · ${name}`);
    const ctx: StepContext = {
      say: (line = '') => out(line === '' ? '' : `  ${line}`),
      check(condition, what) {
        checks++;
        if (!condition) {
          out(`  ✗ ${what}`);
          throw new DemoCheckError(n, name, what);
        }
        out(`  ✓ ${what}`);
      },
      offWire(messages, byteCount) {
        extra.messages += messages;
        extra.bytes += byteCount;
      },
    };
    let passed = true;
    try {
      await body(ctx);
    } catch (err) {
      passed = false;
      this.failure = err;
    }
    const traffic = wire.resetStep();
    this.summaries.push({
      step: n,
      name,
      passed,
      checks,
      messages: traffic.messages + extra.messages,
      bytes: traffic.bytes + extra.bytes,
      virtualMs: this.now() - startedAt,
      ...(standIn === undefined ? {} : { standIn }),
    });
  }
}

/** The closing table: checks, messages, bytes and virtual time per step. */
export function printSummary(
  out: (line: string) => void,
  summary: {
    steps: readonly StepSummary[];
    totals: { checks: number; messages: number; bytes: number; virtualMs: number };
    onionPacketSizes: readonly number[];
  },
): void {
  const rows = summary.steps.map((x) => [
    `${x.step}`,
    x.name.split(':')[0]!,
    x.passed ? `✓ ${x.checks}` : '✗',
    String(x.messages),
    bytes(x.bytes),
    virtualTime(x.virtualMs),
  ]);
  const t = summary.totals;
  rows.push([
    '',
    'total',
    `✓ ${t.checks}`,
    String(t.messages),
    bytes(t.bytes),
    virtualTime(t.virtualMs),
  ]);
  out('');
  out('Summary');
  for (const line of table(['step', 'what', 'checks', 'messages', 'bytes', 'virtual time'], rows)) {
    out(`  ${line}`);
  }
  out('');
  out(
    `Every onion packet on the wire: ${summary.onionPacketSizes.join(', ')} bytes. Steps 1-2 count the invite and`,
  );
  out('the directory record (off the simulated wire); the rest is what peers sent over it.');
}
