/**
 * Every decoder of outside bytes, fed random and mutated input (property): it returns or throws a
 * P2peError with a code, never another error, and a rejected envelope or ack leaves both stores
 * byte-identical.
 */
import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { ManualClock, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeHistoryTransfer,
  decodeReconcileFrame,
  decodeSignedNotice,
  encodeHistoryTransfer,
  historyIdSet,
  type LevelDatabase,
  RecordKind,
} from '../src/index';
import { CONV, Pair } from './helpers';

function typed(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!P2peError.is(err)) throw err;
    expect(err.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  }
}

/** Mutations of a valid encoding: truncation, a flipped bit, inserted or replaced bytes. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.nat({ max: valid.length }).map((n) => valid.subarray(0, n)),
    fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([i, b]) => {
      const out = valid.slice();
      out[i]! ^= 1 << b;
      return out;
    }),
    fc
      .tuple(fc.nat({ max: valid.length }), fc.uint8Array({ minLength: 1, maxLength: 12 }))
      .map(([i, ins]) => Uint8Array.from([...valid.subarray(0, i), ...ins, ...valid.subarray(i)])),
    fc.uint8Array({ maxLength: 300 }),
  );
}

/** The history scan prefix of a conversation: kind byte, then the store's conversation tag. */
function conversationTagOf(p: Pair, conversationId: Uint8Array): Uint8Array {
  return p.bobStore.tag(1, conversationId);
}

async function dump(db: LevelDatabase): Promise<string> {
  const it = db.iterator({ keyEncoding: 'view', valueEncoding: 'view' });
  let out = '';
  for (;;) {
    const e = await it.next();
    if (e === undefined) break;
    out += `${toHex(e[0])}=${toHex(e[1])};`;
  }
  await it.close();
  return out;
}

describe('decoders against random and mutated bytes (property)', () => {
  it('envelope, notice, history transfer and reconcile frame: a value or a typed error', async () => {
    const p = await new Pair(
      new ManualClock(1_000_000),
      deterministicRandomForTestsOnly('dec'),
    ).open();
    const id = await p.outbox.send(CONV, utf8('a message'));
    await p.outbox.pump();
    const [d] = p.dispatcher.sent.splice(0);
    const { ack } = await p.inbox.receive(CONV, d!.envelope);
    await p.outbox.delete(id);
    const transfer = encodeHistoryTransfer({
      items: [
        {
          conversationId: CONV,
          messageId: id,
          seq: 1,
          minSeq: 0,
          expiresAt: 2_000_000,
          payload: utf8('x'),
          outgoing: true,
          deleted: false,
        },
      ],
      wanted: [id],
    });
    const frame = Uint8Array.of(0x08, 0x01, 0x18, 0x01, 0x22, 0x01, 0x00, 0x32, 0x01, 0x00);
    fc.assert(
      fc.property(
        fc.oneof(mutated(d!.envelope), mutated(ack), mutated(transfer), mutated(frame)),
        (bytes) => {
          typed(() => decodeEnvelope(bytes));
          typed(() => decodeSignedNotice(bytes));
          typed(() => decodeHistoryTransfer(bytes, CONV));
          typed(() => decodeReconcileFrame(bytes, 60_000));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stored records that authenticate but do not decode give typed errors (outbox, inbox, history)', async () => {
    const clock = new ManualClock(1_000_000);
    const p = await new Pair(clock, deterministicRandomForTestsOnly('records')).open();
    const conv = new Uint8Array(16).fill(1);
    const readers: Array<[number, () => Promise<unknown>]> = [
      [RecordKind.OUTBOX, () => p.outbox.pending()],
      [RecordKind.HISTORY, () => historyIdSet(p.bobStore, CONV, clock.now())],
      [RecordKind.INBOX_PENDING, () => p.inbox.deliver()],
      [RecordKind.INBOX_SEEN, () => p.inbox.prune()],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: readers.length - 1 }),
        fc.uint8Array({ maxLength: 200 }),
        async (which, value) => {
          const [kind, read] = readers[which]!;
          const store = kind === RecordKind.OUTBOX ? p.aliceStore : p.bobStore;
          // Under the conversation tag the readers scan (HISTORY is scanned per conversation).
          const tag = kind === RecordKind.HISTORY ? conversationTagOf(p, CONV) : conv;
          const key = Uint8Array.from([kind, ...tag, ...new Uint8Array(24)]);
          await store.write([store.put(key, value)]);
          try {
            await read();
          } catch (err) {
            expect(P2peError.is(err), String(err)).toBe(true);
          } finally {
            await store.write([store.del(key)]);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('a rejected envelope or ack changes neither store', async () => {
    const clock = new ManualClock(1_000_000);
    const p = await new Pair(clock, deterministicRandomForTestsOnly('no-partial')).open();
    for (const t of ['one', 'two']) await p.outbox.send(CONV, utf8(t));
    await p.outbox.pump();
    const [first, second] = p.dispatcher.sent.splice(0);
    const { ack } = await p.inbox.receive(CONV, first!.envelope);
    await fc.assert(
      fc.asyncProperty(mutated(second!.envelope), mutated(ack), async (envelope, badAck) => {
        const before = [await dump(p.aliceDb), await dump(p.bobDb)];
        const receive = await p.inbox.receive(CONV, envelope).catch((e: unknown) => e);
        const handled = await p.outbox.handleAck(badAck).catch((e: unknown) => e);
        const rejectedBoth = receive instanceof Error && handled instanceof Error;
        for (const r of [receive, handled])
          if (r instanceof Error) expect(P2peError.is(r)).toBe(true);
        if (rejectedBoth) {
          expect([await dump(p.aliceDb), await dump(p.bobDb)]).toEqual(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
