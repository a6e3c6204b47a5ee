import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { ManualClock, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, RecordKind } from '../src/index';
import { Pair } from './helpers';

type Op =
  | { op: 'send'; conv: number; ttl: number }
  | { op: 'pump' }
  | { op: 'net'; lossMask: number }
  | { op: 'advance'; ms: number }
  | { op: 'delete'; pick: number }
  | { op: 'restart' }
  | { op: 'expire' }
  | { op: 'route'; up: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('send' as const),
    conv: fc.integer({ min: 0, max: 1 }),
    ttl: fc.constantFrom(3_000, 60_000, 10_000_000),
  }),
  fc.constant({ op: 'pump' as const }),
  fc.record({ op: fc.constant('net' as const), lossMask: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('advance' as const),
    ms: fc.constantFrom(100, 1_000, 5_000, 40_000),
  }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.constant({ op: 'restart' as const }),
  fc.constant({ op: 'expire' as const }),
  fc.record({ op: fc.constant('route' as const), up: fc.boolean() }),
);

const CONVS = [utf8('conv-a'), utf8('conv-b')];

describe('outbox and inbox invariants under any interleaving (property)', () => {
  it('no loss, no duplicate, order per conversation, TTL and deletions respected, store consistent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (ops, seed) => {
          const clock = new ManualClock(1_000_000);
          const p = await new Pair(clock, deterministicRandomForTestsOnly(`prop-${seed}`), {
            retryBaseMs: 500,
            retryMaxMs: 4000,
            holdBackMs: 2000,
            clockSkewMs: 0,
          }).open();
          const sent = new Map<
            string,
            { expiresAt: number; deletedUnsent: boolean; deleted: boolean }
          >();
          let lossCounter = 0;
          for (const o of ops) {
            switch (o.op) {
              case 'send': {
                const id = await p.outbox.send(CONVS[o.conv]!, utf8(`m${sent.size}`), {
                  ttlMs: o.ttl,
                });
                sent.set(toHex(id), {
                  expiresAt: clock.now() + o.ttl,
                  deletedUnsent: false,
                  deleted: false,
                });
                break;
              }
              case 'pump':
                await p.outbox.pump();
                break;
              case 'net': {
                // Lose some envelopes and some acks, by a bit mask.
                const batch = p.dispatcher.sent.splice(0);
                for (const d of batch) {
                  const bit = lossCounter++ % 8;
                  if ((o.lossMask >> bit) & 1) continue;
                  const r = await p.inbox.receive(d.conversationId, d.envelope);
                  if (!((o.lossMask >> ((bit + 3) % 8)) & 1)) await p.outbox.handleAck(r.ack);
                }
                break;
              }
              case 'advance':
                clock.advance(o.ms);
                await p.inbox.deliver();
                break;
              case 'delete': {
                const pending = (await p.outbox.pending()).filter((e) => e.kind === 'message');
                if (pending.length === 0) break;
                const e = pending[o.pick % pending.length]!;
                await p.outbox.delete(e.messageId);
                const s = sent.get(toHex(e.messageId))!;
                s.deleted = true;
                if (e.attempts === 0) s.deletedUnsent = true;
                break;
              }
              case 'restart':
                p.dispatcher.sent.splice(0); // in-flight copies die with the process
                await p.reopen();
                break;
              case 'expire':
                await p.outbox.expire();
                break;
              case 'route':
                // The path to the peer goes away (the dispatcher answers no-route) or returns.
                p.dispatcher.result = o.up ? 'sent' : 'no-route';
                break;
            }
          }
          p.dispatcher.result = 'sent';
          // Drain: a perfect network from now on, time moving in small steps.
          const drainStart = clock.now();
          for (let round = 0; round < 40; round++) {
            await p.outbox.routeAvailable();
            await p.outbox.pump();
            await p.flush();
            clock.advance(2500);
            await p.inbox.deliver();
            if ((await p.outbox.pending()).length === 0 && p.dispatcher.sent.length === 0) break;
          }
          clock.advance(2500);
          await p.inbox.deliver();
          expect(await p.outbox.pending()).toEqual([]);

          const deliveredIds = p.delivered.map((m) => toHex(m.messageId));
          // Never twice.
          expect(new Set(deliveredIds).size).toBe(deliveredIds.length);
          for (const [id, s] of sent) {
            const count = deliveredIds.filter((x) => x === id).length;
            // Deleted before any attempt: never delivered.
            if (s.deletedUnsent) expect(count).toBe(0);
          }
          for (const m of p.delivered) {
            expect(sent.has(toHex(m.messageId))).toBe(true);
          }
          // Every message neither deleted nor expired is delivered (no loss). A message counts as
          // expired when its TTL ran out before the drain's first two rounds could deliver it.
          const drainEnd = clock.now();
          for (const [id, s] of sent) {
            if (!s.deleted && s.expiresAt > drainStart + 5000) expect(deliveredIds).toContain(id);
          }
          // In order per conversation, except messages flagged late.
          for (const conv of CONVS) {
            const seqs = p.delivered
              .filter((m) => toHex(m.conversationId) === toHex(conv) && !m.late)
              .map((m) => m.seq);
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          }
          // Store consistent: every record of both stores opens and decodes.
          for (const store of [p.aliceStore, p.bobStore]) {
            for (const kind of Object.values(RecordKind)) {
              if (kind === RecordKind.META) continue;
              for await (const _ of store.scan(Uint8Array.of(kind))) {
                // opening is the check
              }
            }
          }
          // Pending envelopes that remain undelivered at the inbox are only expired ones.
          for (const d of p.dispatcher.sent)
            expect(decodeEnvelope(d.envelope).expiresAt).toBeLessThanOrEqual(drainEnd);
          p.outbox.stop();
          p.inbox.close();
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);
});
