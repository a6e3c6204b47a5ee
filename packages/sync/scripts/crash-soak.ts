/**
 * The crash test at a larger scale than the unit suite:
 * `pnpm exec tsx packages/sync/scripts/crash-soak.ts [kills=200] [seed=soak]`.
 */
import { crashTrial } from '../test/fixtures/crash-driver';

const kills = Number(process.argv[2] ?? 200);
const seed = process.argv[3] ?? 'soak';
const outcome = await crashTrial({ seed, kills, target: 1500, maxKillDelayMs: 400 });
const ok =
  outcome.delivered.length === outcome.sent.length &&
  outcome.delivered.every((d, i) => d === outcome.sent[i]) &&
  outcome.pending === 0 &&
  outcome.bobPending === 0 &&
  outcome.outboxIndex === 0 &&
  outcome.outboxDecoded === 0 &&
  outcome.pruned === 0 &&
  [outcome.bobSeen, outcome.bobHistory, outcome.appCounter].every(
    (n) => n === outcome.delivered.length,
  );
console.log(
  `${kills} kills: ${outcome.sent.length} messages sent, ${outcome.delivered.length} delivered, ` +
    `${outcome.finishedBeforeKill} runs ended before their kill, outbox ${outcome.pending}, ` +
    `inbox ${outcome.bobPending}: ${ok ? 'OK' : 'FAILED'}`,
);
process.exit(ok ? 0 : 1);
