// Package hygiene for every published package: publint (exports, files, types) and
// @arethetypeswrong/cli with the ESM-only profile. Run after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let failed = 0;
let checked = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (pkg.private) continue;
  if (!existsSync(join(dir, 'dist'))) {
    console.log(`FAIL ${pkg.name}: no dist/ (run pnpm build first)`);
    failed++;
    continue;
  }
  checked++;
  for (const [tool, args] of [
    ['publint', ['exec', 'publint', 'run', dir, '--strict']],
    ['attw', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'ascii']],
  ]) {
    const run = spawnSync('pnpm', args, { cwd: root, encoding: 'utf8' });
    const ok = run.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${pkg.name}: ${tool}`);
    if (!ok) console.log(`${run.stdout}${run.stderr}`.trim().replace(/^/gm, '    '));
  }
}
console.log(`package checks: ${checked} packages, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
