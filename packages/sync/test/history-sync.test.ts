import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { fromUtf8, ManualClock, ProtoWriter, toHex, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  decodeHistoryTransfer,
  EncryptedStore,
  encodeHistoryTransfer,
  historyIdSet,
  historyRecords,
  Inbox,
  Reconciler,
} from '../src/index';
import { CONV, memoryDb, Pair } from './helpers';

/** Runs reconciliation between two stores' histories, then the transfers both ways. */
async function syncHistories(
  clock: ManualClock,
  a: { store: EncryptedStore; inbox: Inbox },
  b: { store: EncryptedStore; inbox: Inbox },
): Promise<{ messages: number; transferred: number }> {
  const ra = new Reconciler(await historyIdSet(a.store, CONV, clock.now()));
  const rb = new Reconciler(await historyIdSet(b.store, CONV, clock.now()));
  let message: Uint8Array | undefined = ra.initiate();
  let messages = 1;
  let next = rb;
  while (message !== undefined) {
    message = next.receive(message);
    if (message !== undefined) messages++;
    next = next === rb ? ra : rb;
  }
  let transferred = 0;
  // Each side sends what it found the peer lacks, and asks for what it lacks.
  for (const [from, to, r] of [
    [a, b, ra],
    [b, a, rb],
  ] as const) {
    const items = await historyRecords(from.store, CONV, r.difference.have, clock.now());
    const wire = encodeHistoryTransfer({ items, wanted: r.difference.need });
    const received = decodeHistoryTransfer(wire, CONV);
    transferred += (await to.inbox.importHistory(received.items)).length;
    const answer = await historyRecords(to.store, CONV, received.wanted, clock.now());
    const back = decodeHistoryTransfer(encodeHistoryTransfer({ items: answer, wanted: [] }), CONV);
    transferred += (await from.inbox.importHistory(back.items)).length;
  }
  return { messages, transferred };
}

describe('history reconciliation', () => {
  it('a reinstalled recipient gets its whole history back; a second sync finds nothing to do', async () => {
    const clock = new ManualClock(1_000_000);
    const p = await new Pair(clock, deterministicRandomForTestsOnly('reinstall')).open();
    for (let i = 0; i < 12; i++) await p.outbox.send(CONV, utf8(`m${i}`));
    await p.outbox.pump();
    await p.flush();
    expect(p.delivered).toHaveLength(12);
    // Bob reinstalls: a new, empty store and inbox.
    const restored: string[] = [];
    const freshStore = await EncryptedStore.open(memoryDb(), {
      deviceSecret: new Uint8Array(32).fill(3),
    });
    const freshInbox = new Inbox({
      store: freshStore,
      signer: p.bob.signer,
      peerKey: () => p.alice.publicKey,
      onDeliver: (m) => void restored.push(fromUtf8(m.payload)),
      clock,
    });
    const aliceInbox = new Inbox({
      store: p.aliceStore,
      signer: p.alice.signer,
      peerKey: () => p.bob.publicKey,
      onDeliver: () => undefined,
      clock,
    });
    const first = await syncHistories(
      clock,
      { store: p.aliceStore, inbox: aliceInbox },
      { store: freshStore, inbox: freshInbox },
    );
    expect(first.transferred).toBe(12);
    expect(restored.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
    const again = await syncHistories(
      clock,
      { store: p.aliceStore, inbox: aliceInbox },
      { store: freshStore, inbox: freshInbox },
    );
    expect(again.transferred).toBe(0);
    expect(again.messages).toBeLessThanOrEqual(2); // one round trip (12 ids: a single list)
  });

  it('never resurrects an expired message, even if one side still holds it', async () => {
    const clock = new ManualClock(1_000_000);
    const p = await new Pair(clock, deterministicRandomForTestsOnly('resurrect')).open();
    await p.outbox.send(CONV, utf8('short-lived'), { ttlMs: 10_000 });
    await p.outbox.send(CONV, utf8('long-lived'), { ttlMs: 10_000_000 });
    clock.advance(10_000);
    const other = await EncryptedStore.open(memoryDb(), {
      deviceSecret: new Uint8Array(32).fill(4),
    });
    const got: string[] = [];
    const otherInbox = new Inbox({
      store: other,
      signer: p.bob.signer,
      peerKey: () => p.alice.publicKey,
      onDeliver: (m) => void got.push(fromUtf8(m.payload)),
      clock,
    });
    const aliceInbox = new Inbox({
      store: p.aliceStore,
      signer: p.alice.signer,
      peerKey: () => p.bob.publicKey,
      onDeliver: () => undefined,
      clock,
    });
    // Even a peer that offers the expired record directly cannot make us import it.
    const expired = (
      await historyRecords(
        p.aliceStore,
        CONV,
        (await historyIdSet(p.aliceStore, CONV, 0)).toArray(),
        0,
      )
    ).find((r) => fromUtf8(r.payload) === 'short-lived')!;
    expect(await otherInbox.importHistory([expired])).toEqual([]);
    await syncHistories(
      clock,
      { store: p.aliceStore, inbox: aliceInbox },
      { store: other, inbox: otherInbox },
    );
    expect(got).toEqual(['long-lived']);
  });

  it('a deleted message stays deleted: its tombstone is in the set until it expires', async () => {
    const clock = new ManualClock(1_000_000);
    const p = await new Pair(clock, deterministicRandomForTestsOnly('tombstone')).open();
    const id = await p.outbox.send(CONV, utf8('take back'));
    await p.outbox.pump();
    await p.flush();
    // Alice deletes the delivered message: a tombstone in her history, a signed deletion to bob.
    expect(await p.outbox.delete(id, CONV)).toBe(true);
    expect((await historyIdSet(p.aliceStore, CONV, clock.now())).has(id)).toBe(true);
    expect((await p.outbox.pending()).map((e) => e.kind)).toEqual(['deletion']);
    await p.outbox.pump();
    await p.flush();
    expect(p.deleted.map(toHex)).toEqual([toHex(id)]);
    const [bobRecord] = await historyRecords(p.bobStore, CONV, [id], clock.now());
    expect(bobRecord!.deleted).toBe(true);
    expect(bobRecord!.payload).toHaveLength(0);
    const aliceInbox = new Inbox({
      store: p.aliceStore,
      signer: p.alice.signer,
      peerKey: () => p.bob.publicKey,
      onDeliver: () => undefined,
      clock,
    });
    const { transferred } = await syncHistories(
      clock,
      { store: p.aliceStore, inbox: aliceInbox },
      { store: p.bobStore, inbox: p.inbox },
    );
    expect(transferred).toBe(0);
  });

  it('transfer decoding rejects malformed input with typed errors', () => {
    const bad = [
      new ProtoWriter().uint(1, 9).finish(),
      new ProtoWriter()
        .uint(1, 1)
        .bytes(2, Uint8Array.of(1, 2, 3))
        .finish(),
      new ProtoWriter().uint(1, 1).bytes(3, new Uint8Array(31)).finish(),
      Uint8Array.of(0x0a),
    ];
    for (const b of bad)
      expect(() => decodeHistoryTransfer(b, CONV)).toThrowError(
        expect.objectContaining({ code: expect.any(String) }),
      );
    expect(toHex(encodeHistoryTransfer({ items: [], wanted: [] }))).toBe('0801');
  });
});
