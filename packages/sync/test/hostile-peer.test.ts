/**
 * What an authenticated but hostile (or buggy) peer can do through the envelopes, notices and
 * history items it sends: nothing that wedges our inbox, touches another conversation, or makes a
 * message of ours be delivered twice or never.
 */
import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { fromUtf8, ManualClock, toHex, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  type DeliveredMessage,
  decodeHistoryTransfer,
  encodeEnvelope,
  encodeHistoryTransfer,
  Inbox,
  NoticeKind,
  signNotice,
} from '../src/index';
import { CONV, Pair, party } from './helpers';

const mallory = party('mallory');
const MALLORY_CONV = utf8('conversation-with-mallory');

async function pair(seed: string) {
  const clock = new ManualClock(1_000_000);
  const p = await new Pair(clock, deterministicRandomForTestsOnly(seed), {
    holdBackMs: 1000,
  }).open();
  return { p, clock };
}

/** Bob's inbox where conversation CONV is with alice and MALLORY_CONV with mallory. */
function twoPeerInbox(p: Pair, delivered: DeliveredMessage[], deleted: string[]): Inbox {
  p.inbox.close();
  return new Inbox({
    store: p.bobStore,
    signer: p.bob.signer,
    peerKey: (c) => (toHex(c) === toHex(MALLORY_CONV) ? mallory.publicKey : p.alice.publicKey),
    onDeliver: (m) => void delivered.push(m),
    onDeleted: (_c, id) => void deleted.push(toHex(id)),
    clock: p.clock,
    config: { holdBackMs: 1000 },
  });
}

async function malloryDeletes(ids: Uint8Array[], expiresAt: number): Promise<Uint8Array> {
  const notice = await signNotice(
    { kind: NoticeKind.DELETION, conversationId: MALLORY_CONV, messageIds: ids, time: 0 },
    mallory.signer,
  );
  return encodeEnvelope({
    messageId: deterministicRandomForTestsOnly('control')(32),
    seq: 0,
    minSeq: 0,
    expiresAt,
    notice,
  });
}

describe('a hostile peer', () => {
  it('a seq near 2^53 is refused at decode and cannot wedge delivery or repeat it', async () => {
    const { p, clock } = await pair('huge-seq');
    const hostile = encodeEnvelope({
      messageId: new Uint8Array(32).fill(0xee),
      seq: Number.MAX_SAFE_INTEGER,
      minSeq: 0,
      expiresAt: clock.now() + 60_000,
      payload: utf8('boom'),
    });
    await expect(p.inbox.receive(CONV, hostile)).rejects.toMatchObject({
      code: 'ENVELOPE_RANGE',
    });
    clock.advance(5000); // past the hold-back: nothing is pending that could be delivered
    await p.inbox.deliver();
    expect(p.delivered).toHaveLength(0);
    await p.outbox.send(CONV, utf8('after'));
    await p.outbox.pump();
    await p.flush();
    expect(p.delivered.map((m) => fromUtf8(m.payload))).toEqual(['after']);
  });

  it('an expiry beyond the longest TTL is refused (its seen record would live forever)', async () => {
    const { p, clock } = await pair('far-expiry');
    const far = encodeEnvelope({
      messageId: new Uint8Array(32).fill(0xaa),
      seq: 1,
      minSeq: 1,
      expiresAt: clock.now() + 365 * 24 * 3600_000,
      payload: utf8('forever'),
    });
    await expect(p.inbox.receive(CONV, far)).rejects.toMatchObject({ code: 'ENVELOPE_TTL' });
    expect(p.delivered).toHaveLength(0);
  });

  it('a deletion signed in another conversation cannot touch a delivered message of ours', async () => {
    const { p, clock } = await pair('cross-delete');
    const delivered: DeliveredMessage[] = [];
    const deleted: string[] = [];
    p.inbox = twoPeerInbox(p, delivered, deleted);
    const id = await p.outbox.send(CONV, utf8('from alice'));
    await p.outbox.pump();
    await p.flush();
    expect(delivered.map((m) => fromUtf8(m.payload))).toEqual(['from alice']);
    // Mallory learnt the id somehow and "deletes" it in her own conversation.
    const r = await p.inbox.receive(MALLORY_CONV, await malloryDeletes([id], clock.now() + 60_000));
    expect(r.status).toBe('deletion');
    expect(deleted).toEqual([]); // the app is not told alice's message was deleted
    const { historyRecords } = await import('../src/index');
    const [record] = await historyRecords(p.bobStore, CONV, [id], clock.now());
    expect(record!.deleted).toBe(false);
    expect(fromUtf8(record!.payload)).toBe('from alice');
  });

  it('a pre-emptive deletion in another conversation cannot suppress a message before it arrives', async () => {
    const { p, clock } = await pair('pre-delete');
    const delivered: DeliveredMessage[] = [];
    const deleted: string[] = [];
    p.inbox = twoPeerInbox(p, delivered, deleted);
    const id = await p.outbox.send(CONV, utf8('still arrives'));
    await p.outbox.pump();
    await p.inbox.receive(MALLORY_CONV, await malloryDeletes([id], clock.now() + 60_000));
    await p.flush();
    expect(delivered.map((m) => fromUtf8(m.payload))).toEqual(['still arrives']);
    expect(await p.outbox.pending()).toHaveLength(0);
  });

  it('a notice naming one id twice is refused (it would settle or report a message twice)', async () => {
    const { p } = await pair('duplicate-ids');
    const { decodeSignedNotice, encodeNoticeBody, noticeSignedBytes } = await import(
      '../src/index'
    );
    const { ProtoWriter } = await import('@p2pe/transport-interfaces');
    const id = new Uint8Array(32).fill(5);
    const body = new ProtoWriter()
      .uint(1, 1)
      .uint(2, NoticeKind.DELETION)
      .bytes(3, CONV)
      .bytes(4, id)
      .bytes(4, id)
      .uint(5, 0)
      .finish();
    const signed = new ProtoWriter()
      .bytes(1, body)
      .bytes(2, await p.alice.signer.sign(noticeSignedBytes(NoticeKind.DELETION, body)))
      .finish();
    expect(() => decodeSignedNotice(signed)).toThrowError(
      expect.objectContaining({ code: 'NOTICE_DUPLICATE_ID' }),
    );
    expect(() =>
      encodeNoticeBody({
        kind: NoticeKind.ACK,
        conversationId: CONV,
        messageIds: [id, id],
        time: 0,
      }),
    ).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it("the peer's deletion cannot erase a message we sent from our history", async () => {
    const { p, clock } = await pair('delete-ours');
    const { Outbox, historyRecords } = await import('../src/index');
    // Bob's own outbox on his store: his message to alice is in his history as outgoing.
    const bobOutbox = new Outbox({
      store: p.bobStore,
      dispatcher: { dispatch: async () => 'sent' },
      signer: p.bob.signer,
      peerKey: () => p.alice.publicKey,
      clock,
      random: p.random,
    });
    const ours = await bobOutbox.send(CONV, utf8('bob wrote this'));
    const notice = await signNotice(
      { kind: NoticeKind.DELETION, conversationId: CONV, messageIds: [ours], time: 0 },
      p.alice.signer,
    );
    const envelope = encodeEnvelope({
      messageId: new Uint8Array(32).fill(7),
      seq: 0,
      minSeq: 0,
      expiresAt: clock.now() + 60_000,
      notice,
    });
    expect((await p.inbox.receive(CONV, envelope)).status).toBe('deletion');
    const [record] = await historyRecords(p.bobStore, CONV, [ours], clock.now());
    expect(record).toMatchObject({ outgoing: true, deleted: false });
    expect(fromUtf8(record!.payload)).toBe('bob wrote this');
  });

  it('history items with a seq or expiry out of range are refused at decode; bad records at import', async () => {
    const { p, clock } = await pair('bad-history');
    const item = {
      conversationId: CONV,
      messageId: new Uint8Array(32).fill(1),
      seq: 1,
      minSeq: 0,
      expiresAt: clock.now() + 1000,
      payload: utf8('x'),
      outgoing: false,
      deleted: false,
    };
    for (const bad of [{ seq: 2 ** 50 }, { expiresAt: 2 ** 52 }]) {
      const wire = encodeHistoryTransfer({ items: [{ ...item, ...bad }], wanted: [] });
      expect(() => decodeHistoryTransfer(wire, CONV)).toThrowError(
        expect.objectContaining({ code: 'TRANSFER_RANGE' }),
      );
    }
    // A record the store could not read back is refused before anything is written.
    const good = { ...item, messageId: new Uint8Array(32).fill(2) };
    const short = { ...item, messageId: new Uint8Array(31) };
    await expect(p.inbox.importHistory([good, short])).rejects.toMatchObject({
      code: 'INVALID_LENGTH',
    });
    expect(p.delivered).toHaveLength(0);
    // One that claims to outlive any TTL is skipped; a valid one is imported.
    const forever = { ...item, messageId: new Uint8Array(32).fill(3), expiresAt: 2 ** 47 };
    const imported = await p.inbox.importHistory([forever, good]);
    expect(imported.map((r) => toHex(r.messageId))).toEqual([toHex(good.messageId)]);
  });
});
