import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { fromUtf8, ManualClock, toHex, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeSignedNotice,
  NoticeKind,
  type Route,
  routedDispatcher,
  signNotice,
} from '../src/index';
import { CONV, Pair, party } from './helpers';

async function pair(seed: string, config = {}) {
  const clock = new ManualClock(1_000_000);
  const p = await new Pair(clock, deterministicRandomForTestsOnly(seed), config).open();
  return { p, clock };
}

const texts = (p: Pair) => p.delivered.map((m) => fromUtf8(m.payload));

describe('outbox', () => {
  it('writes before sending and removes only on a signed ack from the recipient', async () => {
    const { p } = await pair('basic');
    const id = await p.outbox.send(CONV, utf8('hi'));
    expect(p.dispatcher.sent).toHaveLength(0); // nothing leaves before pump
    expect((await p.outbox.pending()).map((e) => toHex(e.messageId))).toEqual([toHex(id)]);
    await p.outbox.pump();
    const [d] = p.dispatcher.sent.splice(0);
    const result = await p.inbox.receive(d!.conversationId, d!.envelope);
    expect(result.status).toBe('accepted');
    // An ack signed by anyone else (here: the sender's own key) is refused and changes nothing.
    const forged = await signNotice(
      { kind: NoticeKind.ACK, conversationId: CONV, messageIds: [id], time: 0 },
      p.alice.signer,
    );
    await expect(p.outbox.handleAck(forged)).rejects.toMatchObject({ code: 'ACK_SIGNATURE' });
    expect(await p.outbox.pending()).toHaveLength(1);
    // A genuine ack for another conversation does not settle this one's message.
    const otherConv = await signNotice(
      { kind: NoticeKind.ACK, conversationId: utf8('other'), messageIds: [id], time: 0 },
      p.bob.signer,
    );
    expect(await p.outbox.handleAck(otherConv)).toBe(0);
    expect(await p.outbox.handleAck(result.ack)).toBe(1);
    expect(await p.outbox.pending()).toHaveLength(0);
    expect(texts(p)).toEqual(['hi']);
  });

  it('nothing is dispatched unless it is on disk: a failed write fails send and sends nothing', async () => {
    const { p, clock } = await pair('write-first');
    const db = p.aliceDb as unknown as { batch: (...args: unknown[]) => Promise<void> };
    const batch = db.batch.bind(db);
    let failing = true;
    db.batch = (...args) => (failing ? Promise.reject(new Error('disk full')) : batch(...args));
    p.outbox.start();
    await expect(p.outbox.send(CONV, utf8('lost?'))).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    // The started outbox wakes up on its own for a while: still nothing to send.
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    await p.outbox.pump();
    expect(p.dispatcher.sent).toHaveLength(0);
    expect(await p.outbox.pending()).toHaveLength(0);
    failing = false;
    await p.outbox.send(CONV, utf8('kept'));
    await p.outbox.pump();
    p.outbox.stop();
    expect(p.dispatcher.sent.map((d) => fromUtf8(decodeEnvelope(d.envelope).payload!))).toEqual([
      'kept',
    ]);
  });

  it('an ack is only an ack: a deletion notice, a replayed ack or a relabelled body settle nothing new', async () => {
    const { p } = await pair('ack-confusion');
    const id = await p.outbox.send(CONV, utf8('m'));
    await p.outbox.pump();
    // Bob's signed deletion naming the id is not an ack.
    const deletion = await signNotice(
      { kind: NoticeKind.DELETION, conversationId: CONV, messageIds: [id], time: 0 },
      p.bob.signer,
    );
    await expect(p.outbox.handleAck(deletion)).rejects.toMatchObject({ code: 'NOTICE_KIND' });
    // An ack body signed under the deletion label does not verify as an ack.
    const { encodeNoticeBody, noticeSignedBytes } = await import('../src/index');
    const { ProtoWriter } = await import('@p2pe/transport-interfaces');
    const body = encodeNoticeBody({
      kind: NoticeKind.ACK,
      conversationId: CONV,
      messageIds: [id],
      time: 0,
    });
    const relabelled = new ProtoWriter()
      .bytes(1, body)
      .bytes(2, await p.bob.signer.sign(noticeSignedBytes(NoticeKind.DELETION, body)))
      .finish();
    await expect(p.outbox.handleAck(relabelled)).rejects.toMatchObject({ code: 'ACK_SIGNATURE' });
    expect(await p.outbox.pending()).toHaveLength(1);
    const [d] = p.dispatcher.sent.splice(0);
    const { ack } = await p.inbox.receive(CONV, d!.envelope);
    expect(await p.outbox.handleAck(ack)).toBe(1);
    // Replayed later, the old ack settles nothing (a new message has a new random id).
    await p.outbox.send(CONV, utf8('next'));
    expect(await p.outbox.handleAck(ack)).toBe(0);
    expect(await p.outbox.pending()).toHaveLength(1);
  });

  it('retries with exponential backoff and jitter on the injected clock', async () => {
    const { p, clock } = await pair('backoff', { retryBaseMs: 1000, retryMaxMs: 8000 });
    await p.outbox.send(CONV, utf8('x'));
    const times: number[] = [];
    for (let i = 0; i < 200_000 && times.length < 7; i += 50) {
      if ((await p.outbox.pump()) > 0) times.push(clock.now());
      clock.advance(50);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.forEach((gap, i) => {
      const exp = Math.min(8000, 1000 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(exp / 2);
      expect(gap).toBeLessThanOrEqual(exp + 50);
    });
    expect(new Set(gaps.map((g) => g % 1000)).size).toBeGreaterThan(1); // jittered
    expect(p.dispatcher.sent.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('waits when no route exists, then sends in order per conversation when one appears', async () => {
    const { p } = await pair('no-route');
    p.dispatcher.result = 'no-route';
    for (const t of ['a', 'b', 'c']) await p.outbox.send(CONV, utf8(t));
    await p.outbox.pump();
    expect(p.dispatcher.sent).toHaveLength(0);
    p.dispatcher.result = 'sent';
    await p.outbox.routeAvailable(CONV);
    await p.outbox.pump();
    expect(p.dispatcher.sent.map((d) => decodeEnvelope(d.envelope).seq)).toEqual([1, 2, 3]);
    await p.flush();
    expect(texts(p)).toEqual(['a', 'b', 'c']);
  });

  it('no route: the rest of the conversation waits with the first message, then all go out in order', async () => {
    const { p, clock } = await pair('no-route-wait');
    const calls: number[] = [];
    let route = false;
    const { Outbox } = await import('../src/index');
    const sent: Uint8Array[] = [];
    const outbox = new Outbox({
      store: p.aliceStore,
      dispatcher: {
        dispatch: async (d) => {
          calls.push(decodeEnvelope(d.envelope).seq);
          if (!route) return 'no-route';
          sent.push(d.envelope);
          return 'sent';
        },
      },
      signer: p.alice.signer,
      peerKey: () => p.bob.publicKey,
      clock,
      random: p.random,
    });
    for (const t of ['a', 'b', 'c', 'd']) await outbox.send(CONV, utf8(t));
    // Pumps a millisecond apart (as start() would run them) try the first message only.
    for (let i = 0; i < 5; i++) {
      await outbox.pump();
      clock.advance(1);
    }
    expect(calls).toEqual([1]);
    // The path returns without routeAvailable(): when the wait ends, everything goes in order.
    route = true;
    for (let i = 0; i < 100 && sent.length < 4; i++) {
      clock.advance(100);
      await outbox.pump();
    }
    expect(sent.map((e) => decodeEnvelope(e).seq)).toEqual([1, 2, 3, 4]);
  });

  it('a router is asked again with a higher attempt number, so it can pick another route', async () => {
    const { p, clock } = await pair('router');
    const asked: number[] = [];
    const frames: Uint8Array[] = [];
    const route: Route = { id: 'r', send: async (f) => void frames.push(f) };
    const { Outbox } = await import('../src/index');
    const outbox = new Outbox({
      store: p.aliceStore,
      dispatcher: routedDispatcher(
        { seal: (_c, e) => e },
        {
          route: (_c, attempt) => {
            asked.push(attempt);
            return attempt === 1 ? undefined : route;
          },
        },
      ),
      signer: p.alice.signer,
      peerKey: () => p.bob.publicKey,
      clock,
      random: p.random,
    });
    await outbox.send(CONV, utf8('r'));
    await outbox.pump();
    clock.advance(10_000);
    await outbox.pump();
    expect(asked).toEqual([1, 2]);
    expect(frames).toHaveLength(1);
  });

  it('TTL: an expired message leaves the outbox, is never sent, and the recipient drops stale copies', async () => {
    const { p, clock } = await pair('ttl', { clockSkewMs: 0 });
    await p.outbox.send(CONV, utf8('order: buy'), { ttlMs: 5000 });
    await p.outbox.pump();
    const [late] = p.dispatcher.sent.splice(0);
    clock.advance(5000);
    expect(await p.outbox.pump()).toBe(0);
    expect(await p.outbox.pending()).toHaveLength(0);
    // The copy that was in flight arrives late: not delivered.
    const result = await p.inbox.receive(CONV, late!.envelope);
    expect(result.status).toBe('expired');
    expect(p.delivered).toHaveLength(0);
  });

  it('delete before any attempt: gone, no deletion notice', async () => {
    const { p } = await pair('delete-early');
    const id = await p.outbox.send(CONV, utf8('oops'));
    expect(await p.outbox.delete(id)).toBe(true);
    expect(await p.outbox.pending()).toHaveLength(0);
    expect(await p.outbox.delete(id)).toBe(false);
  });

  it('delete after an attempt sends a signed deletion; the recipient never delivers a late copy', async () => {
    const { p } = await pair('delete-late');
    const id = await p.outbox.send(CONV, utf8('regret'));
    await p.outbox.pump();
    const [inFlight] = p.dispatcher.sent.splice(0);
    await p.outbox.delete(id);
    const pending = await p.outbox.pending();
    expect(pending.map((e) => e.kind)).toEqual(['deletion']);
    await p.outbox.pump();
    const [deletion] = p.dispatcher.sent.splice(0);
    const env = decodeEnvelope(deletion!.envelope);
    const notice = decodeSignedNotice(env.notice!);
    expect(notice.body.kind).toBe(NoticeKind.DELETION);
    expect(toHex(notice.body.messageIds[0]!)).toBe(toHex(id));
    const r = await p.inbox.receive(CONV, deletion!.envelope);
    expect(r.status).toBe('deletion');
    expect(await p.outbox.handleAck(r.ack)).toBe(1);
    expect(await p.outbox.pending()).toHaveLength(0);
    expect((await p.inbox.receive(CONV, inFlight!.envelope)).status).toBe('duplicate');
    expect(p.delivered).toHaveLength(0);
  });

  it('a deletion of a delivered message is reported to the app; a forged deletion is refused', async () => {
    const { p, clock } = await pair('delete-delivered');
    const id = await p.outbox.send(CONV, utf8('said it'));
    await p.outbox.pump();
    await p.flush(); // delivered and acked
    expect(await p.outbox.delete(id)).toBe(false); // left the outbox; no conversation given
    // The sender's deletion of a delivered message arrives (signed by alice).
    const { encodeEnvelope } = await import('../src/index');
    const deletion = (signer: typeof p.alice.signer) =>
      signNotice(
        { kind: NoticeKind.DELETION, conversationId: CONV, messageIds: [id], time: 0 },
        signer,
      ).then((notice) =>
        encodeEnvelope({
          messageId: new Uint8Array(32).fill(9),
          seq: 0,
          minSeq: 0,
          expiresAt: clock.now() + 60_000,
          notice,
        }),
      );
    await expect(
      p.inbox.receive(CONV, await deletion(party('mallory').signer)),
    ).rejects.toMatchObject({
      code: 'DELETION_SIGNATURE',
    });
    expect(p.deleted).toHaveLength(0);
    await p.inbox.receive(CONV, await deletion(p.alice.signer));
    expect(p.deleted.map(toHex)).toEqual([toHex(id)]);
  });

  it('session reset: pending messages are sealed and sent again at once', async () => {
    const { p } = await pair('reset');
    await p.outbox.send(CONV, utf8('m1'));
    await p.outbox.pump();
    p.dispatcher.sent.splice(0); // lost with the old session
    expect(await p.outbox.pump()).toBe(0); // backing off
    expect(await p.outbox.sessionReset(CONV)).toBe(1);
    expect(await p.outbox.pump()).toBe(1);
    await p.flush();
    expect(texts(p)).toEqual(['m1']);
  });

  it('start(): the outbox runs itself on the clock', async () => {
    const { p, clock } = await pair('start');
    p.outbox.start();
    await p.outbox.send(CONV, utf8('auto'));
    clock.advance(0);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 20 && p.dispatcher.sent.length === 0; i++)
      await new Promise((r) => setImmediate(r));
    expect(p.dispatcher.sent).toHaveLength(1);
    p.outbox.stop();
  });
});

describe('inbox', () => {
  it('delivers exactly once across duplicates and restarts', async () => {
    const { p } = await pair('dedupe');
    await p.outbox.send(CONV, utf8('once'));
    await p.outbox.pump();
    const [d] = p.dispatcher.sent.splice(0);
    expect((await p.inbox.receive(CONV, d!.envelope)).status).toBe('accepted');
    expect((await p.inbox.receive(CONV, d!.envelope)).status).toBe('duplicate');
    await p.reopen();
    const again = await p.inbox.receive(CONV, d!.envelope);
    expect(again.status).toBe('duplicate');
    // The duplicate is acked again (the first ack may have been lost).
    expect(await p.outbox.handleAck(again.ack)).toBe(1);
    expect(texts(p)).toEqual(['once']);
  });

  it('a crash between storing a message and delivering it: the resent copy delivers it, once', async () => {
    const { p } = await pair('crash-before-deliver');
    const { Inbox } = await import('../src/index');
    // The process dies inside the delivery step (after the message was stored, before the ack
    // left): modelled by a handler that throws once.
    p.inbox.close();
    p.inbox = new Inbox({
      store: p.bobStore,
      signer: p.bob.signer,
      peerKey: () => p.alice.publicKey,
      onDeliver: () => {
        throw new Error('killed');
      },
      clock: p.clock,
    });
    await p.outbox.send(CONV, utf8('survives'));
    await p.outbox.pump();
    await expect(p.flush()).rejects.toThrow('killed');
    await p.reopen();
    // The sender never got an ack, so it resends; the inbox sees a duplicate.
    await p.outbox.routeAvailable();
    await p.outbox.pump();
    await p.flush();
    expect(await p.outbox.pending()).toHaveLength(0);
    expect(texts(p)).toEqual(['survives']);
  });

  it("a delivery handler cannot write the inbox's own records (only app kinds 0x80-0xff)", async () => {
    const { p } = await pair('app-kinds');
    const { Inbox, RecordKind } = await import('../src/index');
    p.inbox.close();
    let own = true;
    p.inbox = new Inbox({
      store: p.bobStore,
      signer: p.bob.signer,
      peerKey: () => p.alice.publicKey,
      onDeliver: (m) => {
        const kind = own ? RecordKind.INBOX_CONVERSATION : 0x80;
        return [p.bobStore.put(Uint8Array.of(kind, 1), m.payload)];
      },
      clock: p.clock,
    });
    await p.outbox.send(CONV, utf8('m'));
    await p.outbox.pump();
    await expect(p.flush()).rejects.toMatchObject({ code: 'APP_RECORD_KIND' });
    expect(await p.bobStore.get(Uint8Array.of(RecordKind.INBOX_CONVERSATION, 1))).toBeUndefined();
    own = false;
    expect(await p.inbox.deliver()).toHaveLength(1);
    expect(await p.bobStore.get(Uint8Array.of(0x80, 1))).toEqual(utf8('m'));
  });

  it('holds back a gap for holdBackMs, then delivers past it; the late message still arrives once', async () => {
    const { p, clock } = await pair('gap', { holdBackMs: 10_000 });
    for (const t of ['1', '2', '3']) await p.outbox.send(CONV, utf8(t));
    await p.outbox.pump();
    const [m1, m2, m3] = p.dispatcher.sent.splice(0);
    await p.inbox.receive(CONV, m1!.envelope);
    await p.inbox.receive(CONV, m3!.envelope);
    expect(texts(p)).toEqual(['1']);
    clock.advance(9_999);
    await p.inbox.deliver();
    expect(texts(p)).toEqual(['1']);
    clock.advance(1); // the inbox's own timer fires
    for (let i = 0; i < 20 && p.delivered.length < 2; i++)
      await new Promise((r) => setImmediate(r));
    expect(texts(p)).toEqual(['1', '3']);
    await p.inbox.receive(CONV, m2!.envelope);
    expect(texts(p)).toEqual(['1', '3', '2']);
    expect(p.delivered.map((m) => m.late)).toEqual([false, false, true]);
  });

  it('a message that expires while held back (or while the app is closed) is dropped, not delivered late', async () => {
    const { p, clock } = await pair('expire-in-holdback', { holdBackMs: 10_000, clockSkewMs: 0 });
    await p.outbox.send(CONV, utf8('lost'));
    await p.outbox.send(CONV, utf8('sell at 10:00'), { ttlMs: 5_000 });
    await p.outbox.send(CONV, utf8('later'));
    await p.outbox.pump();
    const [, m2, m3] = p.dispatcher.sent.splice(0);
    await p.inbox.receive(CONV, m2!.envelope); // seq 1 is missing: held back
    await p.inbox.receive(CONV, m3!.envelope);
    p.inbox.close(); // the app is closed for a minute
    clock.advance(60_000);
    await p.reopen();
    await p.inbox.deliver();
    expect(texts(p)).toEqual(['later']);
  });

  it('reorders within the hold-back window', async () => {
    const { p } = await pair('reorder');
    for (const t of ['a', 'b', 'c', 'd']) await p.outbox.send(CONV, utf8(t));
    await p.outbox.pump();
    const sent = p.dispatcher.sent.splice(0);
    for (const i of [3, 1, 2, 0]) await p.inbox.receive(CONV, sent[i]!.envelope);
    expect(texts(p)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('does not wait for messages the sender settled (min_seq)', async () => {
    const { p } = await pair('minseq');
    const first = await p.outbox.send(CONV, utf8('dropped'));
    await p.outbox.delete(first); // never attempted: no notice, never sent
    await p.outbox.send(CONV, utf8('kept'));
    await p.outbox.pump();
    await p.flush();
    expect(texts(p)).toEqual(['kept']);
    expect(p.delivered[0]!.late).toBe(false);
  });

  it('rejects malformed envelopes with typed errors and no state change', async () => {
    const { p } = await pair('bad-envelope');
    await p.outbox.send(CONV, utf8('x'));
    await p.outbox.pump();
    const [d] = p.dispatcher.sent.splice(0);
    const env = d!.envelope;
    const rnd = deterministicRandomForTestsOnly('bad-env');
    const bad = [env.subarray(0, env.length - 3), new Uint8Array(200_000), rnd(40), rnd(3)];
    for (const b of bad) {
      await expect(p.inbox.receive(CONV, b)).rejects.toHaveProperty('code');
    }
    expect(p.delivered).toHaveLength(0);
    expect((await p.inbox.receive(CONV, env)).status).toBe('accepted');
  });
});
