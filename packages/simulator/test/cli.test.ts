import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/sim.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function sim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pnpm sim', () => {
  it('--json prints one JSON object, the same for the same seed', () => {
    const a = sim('--', '--scenario', 'echo', '--peers', '40', '--seed', '3', '--json');
    const b = sim('--scenario', 'echo', '--peers', '40', '--seed', '3', '--json');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const parsed = JSON.parse(a.stdout) as { scenario: string; peers: number };
    expect(parsed).toMatchObject({ scenario: 'echo', peers: 40 });
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('bad input: one line on stderr, exit code 2', () => {
    for (const args of [
      ['--scenario', 'nope'],
      ['--scenario', 'echo', '--peers', '-3'],
      // The report's directory is a file: refused before the run, not after it.
      ['--scenario', 'echo', '--peers', '5', '--report', `${script}/report.html`],
    ]) {
      const r = sim(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
