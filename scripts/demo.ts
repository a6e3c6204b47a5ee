/**
 * `pnpm demo`: the conformance suite over every vector file we have — our own known-answer
 * vectors in test-vectors/ and, when present beside the repository, the public ones (Wycheproof,
 * BLAKE2, Noise, BOLT 4) — checked against both crypto backends.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../test-vectors/src/cli';

const root = fileURLToPath(new URL('..', import.meta.url));
const paths = [`${root}test-vectors`];
const shared = `${root}../shared/vectors`;
if (existsSync(shared)) paths.push(shared);
process.exitCode = main(['verify', '--skip-unknown', ...paths], {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
});
