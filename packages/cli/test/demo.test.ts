import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { createIdentity } from '@p2pe/identity';
import { ManualClock, P2peError, toHex } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  DEMO_EPOCH_MS,
  DemoCheckError,
  type DemoSummary,
  MESSAGES,
  main,
  parseArgs,
  runDemo,
} from '../src/index';

const SEED = 'test-seed-1';

async function demo(
  seed: string,
  backend = nodeBackend,
): Promise<{ summary: DemoSummary; lines: string[] }> {
  const lines: string[] = [];
  const summary = await runDemo({ seed, backend, backendName: 'x', out: (l) => lines.push(l) });
  return { summary, lines };
}

function capture(): {
  out: string[];
  err: string[];
  io: { out(l: string): void; err(l: string): void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

describe('p2pe demo: every claim it prints holds', () => {
  it('passes all seven steps, each with its own checks', async () => {
    const { summary, lines } = await demo(SEED);
    expect(summary.passed).toBe(true);
    expect(summary.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const s of summary.steps) {
      expect(s.passed).toBe(true);
      expect(s.checks).toBeGreaterThan(0);
    }
    // Every check the summary counts was printed as a ✓ line, and no failure was printed.
    expect(lines.filter((l) => l.trimStart().startsWith('✓ ')).length).toBe(summary.totals.checks);
    expect(lines.join('\n')).not.toContain('✗');
    expect(summary.totals.virtualMs).toBeGreaterThan(20_000); // Bob was offline for 20 s
  });

  it('delivers every plaintext exactly as sent: once live, and once more only when restored after the reinstall', async () => {
    const { summary } = await demo(SEED);
    const sent = [MESSAGES.first, MESSAGES.second, MESSAGES.third];
    expect(summary.plaintexts.sent).toEqual(sent);
    // Before the reinstall Bob's app showed the first two; after it, the third (live) and the two
    // restored by reconciliation. Nothing else, nothing twice within one install.
    expect(summary.plaintexts.received.slice(0, 3)).toEqual(sent);
    expect([...summary.plaintexts.received.slice(3)].sort()).toEqual(
      [MESSAGES.first, MESSAGES.second].sort(),
    );
  });

  it('puts only fixed-size onion packets on the wire', async () => {
    const { summary } = await demo(SEED);
    expect(summary.onionPacketSizes).toEqual([1320]);
    expect(summary.onionPackets).toBeGreaterThan(20);
  });

  it('the relays in the trace learned the next hop only', async () => {
    const { lines } = await demo(SEED);
    const hopRows = lines.filter((l) => /^\s+R\d\s/.test(l));
    expect(hopRows.length).toBeGreaterThanOrEqual(6);
    for (const row of hopRows)
      expect(row).toMatch(/next hop = (R\d|Bob|Alice) \(short id [0-9a-f]{8}…\)/);
  });

  it('is reproducible: the same seed gives the same output, another seed another run', async () => {
    const a = await demo(SEED);
    const b = await demo(SEED);
    const c = await demo('another-seed');
    expect(b.lines).toEqual(a.lines);
    expect(b.summary).toEqual(a.summary);
    expect(c.lines).not.toEqual(a.lines);
    expect(c.summary.passed).toBe(true);
  });

  it('gives the same run on the noble backend as on node:crypto', async () => {
    const node = await demo(SEED, nodeBackend);
    const noble = await demo(SEED, nobleBackend);
    expect(noble.lines).toEqual(node.lines);
  });

  it('prints no secret: public fingerprints appear, secret keys do not (in hex or base64)', async () => {
    const { lines } = await demo(SEED);
    const text = lines.join('\n');
    // The demo's identities are reproducible from the seed, so the test can look for their secrets.
    const clock = new ManualClock(DEMO_EPOCH_MS);
    for (const who of ['alice', 'bob']) {
      const id = createIdentity({
        crypto: nodeBackend,
        clock,
        random: deterministicRandomForTestsOnly(`${SEED}/${who}/identity`),
      });
      const staticKey = id.staticKey('25519', { clock })!;
      expect(text).toContain(toHex(id.peerId).slice(0, 8)); // the public fingerprint is shown
      for (const secret of [id.secretKey, staticKey.secretKey]) {
        expect(text).not.toContain(toHex(secret).slice(0, 8));
        expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 8));
      }
    }
    expect(text).not.toMatch(/[0-9a-f]{17,}/); // and no long hex dumps at all
  });

  it('fails with DemoCheckError when the network misbehaves (relays tagging payloads)', async () => {
    const err = await runDemo({ seed: SEED, backend: nodeBackend, tamperingRelays: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DemoCheckError);
    expect(P2peError.is(err, 'DEMO_CHECK_FAILED')).toBe(true);
    expect((err as DemoCheckError).step).toBe(4);
  });
});

describe('p2pe command line', () => {
  it('runs the demo and exits 0', async () => {
    const c = capture();
    expect(await main(['demo', '--seed', SEED], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out.at(-1)).toMatch(/1320 bytes|wire/);
  });

  it('--json prints one JSON summary', async () => {
    const c = capture();
    expect(await main(['demo', '--json', `--seed=${SEED}`, '--backend', 'node'], c.io)).toBe(0);
    const summary = JSON.parse(c.out.join('\n')) as DemoSummary;
    expect(summary.passed).toBe(true);
    expect(summary.seed).toBe(SEED);
    expect(summary.steps).toHaveLength(7);
  });

  it('a failed check exits 1 with a one-line error', async () => {
    const c = capture();
    const tampered: typeof runDemo = (o) => runDemo({ ...o, tamperingRelays: true });
    expect(await main(['demo', '--seed', SEED], c.io, tampered)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^p2pe demo: step 4 \(.*\) failed: .*\[DEMO_CHECK_FAILED\]$/);
  });

  it('--help and help print the usage and exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['demo', '--help']]) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(0);
      expect(c.out[0]).toBe('Usage: p2pe <command> [options]');
    }
  });

  it.each([
    [[], 'no command given'],
    [['chat'], 'unknown command "chat"'],
    [['demo', 'demo'], 'unexpected argument "demo"'],
    [['demo', '--verbose'], 'unknown option --verbose'],
    [['demo', '--seed'], '--seed needs a value'],
    [['demo', '--seed', '--json'], '--seed needs a value'],
    [['demo', '--seed='], '--seed expects 1 to 256 characters'],
    [['demo', '--backend', 'openssl'], '--backend expects node or noble, got "openssl"'],
    [['demo', '--json=yes'], '--json takes no value'],
  ])('argument error %j: exit 2 with "%s"', async (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err).toEqual([`p2pe: ${message}`, 'Run "p2pe --help" for usage.']);
    expect(c.out).toEqual([]);
  });

  it('parses the defaults', () => {
    expect(parseArgs(['demo'])).toEqual({
      command: 'demo',
      seed: 'p2pe-demo',
      backend: 'node',
      json: false,
    });
  });
});
