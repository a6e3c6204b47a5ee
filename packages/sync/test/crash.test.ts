import { describe, expect, it } from 'vitest';
import { crashTrial } from './fixtures/crash-driver';

describe('crash safety', () => {
  it('SIGKILL at random moments of send, ack, receive and retry: nothing lost, nothing twice, store consistent', async () => {
    const outcome = await crashTrial({
      seed: 'vitest',
      kills: 20,
      target: 120,
      maxKillDelayMs: 200,
    });
    expect(outcome.sent.length).toBeGreaterThan(20);
    // Most kills landed mid-work. Runs share one store and stop at `target` messages, so on a
    // fast machine the last few runs find the work done before their kill: that is speed, not a
    // failure (6 of 20 was seen on an idle machine).
    expect(outcome.finishedBeforeKill).toBeLessThanOrEqual(outcome.kills / 2);
    // Exactly the messages the sender committed, each delivered once, in order.
    expect(outcome.delivered).toEqual(outcome.sent);
    expect(outcome.pending).toBe(0);
    expect(outcome.bobPending).toBe(0);
    // Every record decodes, and no batch was half applied on either side.
    expect(outcome.outboxIndex).toBe(0);
    expect(outcome.outboxDecoded).toBe(0);
    expect(outcome.pruned).toBe(0);
    expect(outcome.bobSeen).toBe(outcome.delivered.length);
    expect(outcome.bobHistory).toBe(outcome.delivered.length);
    expect(outcome.appCounter).toBe(outcome.delivered.length);
  }, 60_000);
});
