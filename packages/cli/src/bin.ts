#!/usr/bin/env node
import { main } from './cli';

// `p2pe demo | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const started = performance.now();
const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
if (code === 0 && process.argv.includes('demo') && !process.argv.includes('--json')) {
  process.stdout.write(`(${Math.round(performance.now() - started)} ms of real time)\n`);
}
process.exitCode = code;
