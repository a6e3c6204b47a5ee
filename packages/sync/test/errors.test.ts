/**
 * A corpus of wrong inputs fed to every export that takes outside bytes or arguments; every error
 * is printed so its text gets reviewed, and each must be a P2peError with a stable code whose
 * message carries no secret or user bytes.
 */
import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { ManualClock, P2peError, ProtoWriter, toHex, utf8 } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import {
  argon2idKdf,
  decodeEnvelope,
  decodeHistoryTransfer,
  decodeReconcileFrame,
  decodeSignedNotice,
  EncryptedStore,
  encodeEnvelope,
  encodeNoticeBody,
  IdSet,
  NoticeKind,
  Reconciler,
  scryptKdf,
} from '../src/index';
import { CONV, memoryDb, Pair } from './helpers';

const SECRET = new Uint8Array(32).fill(0x5c);
const PAYLOAD = utf8('a private message body');

async function collect(): Promise<Array<[string, unknown]>> {
  const p = await new Pair(new ManualClock(5000), deterministicRandomForTestsOnly('errors')).open();
  const out: Array<[string, unknown]> = [];
  const attempt = async (name: string, fn: () => unknown) => {
    try {
      await fn();
      out.push([name, undefined]);
    } catch (err) {
      out.push([name, err]);
    }
  };
  await attempt('store: short secret', () =>
    EncryptedStore.open(memoryDb(), { deviceSecret: SECRET.subarray(1) }),
  );
  await attempt('store: not bytes', () =>
    EncryptedStore.open(memoryDb(), { deviceSecret: 'secret' as unknown as Uint8Array }),
  );
  await attempt('store: empty passphrase', () =>
    EncryptedStore.open(memoryDb(), { passphrase: new Uint8Array(0) }),
  );
  await attempt('store: kdf with a long id', () =>
    EncryptedStore.open(memoryDb(), {
      passphrase: PAYLOAD,
      kdf: { id: 'k'.repeat(80), params: new Uint8Array(0), derive: () => SECRET },
    }),
  );
  await attempt('store: kdf over the limits', () =>
    EncryptedStore.open(
      memoryDb(),
      { passphrase: PAYLOAD, kdf: scryptKdf() },
      { kdfLimits: { maxMemoryBytes: 1 << 20 } },
    ),
  );
  await attempt('argon2idKdf: m < 8p', () =>
    argon2idKdf({ memoryKiB: 8, iterations: 1, parallelism: 2 }),
  );
  await attempt('outbox: empty conversation', () => p.outbox.send(new Uint8Array(0), PAYLOAD));
  await attempt('outbox: long conversation', () => p.outbox.send(new Uint8Array(65), PAYLOAD));
  await attempt('outbox: huge payload', () => p.outbox.send(CONV, new Uint8Array(70_000)));
  await attempt('outbox: bad ttl', () => p.outbox.send(CONV, PAYLOAD, { ttlMs: -1 }));
  await attempt('outbox: short message id', () => p.outbox.delete(new Uint8Array(31)));
  await attempt('outbox: ack garbage', () => p.outbox.handleAck(Uint8Array.of(1, 2, 3)));
  await attempt('inbox: envelope garbage', () => p.inbox.receive(CONV, utf8('garbage')));
  await attempt('decodeEnvelope: version 2', () =>
    decodeEnvelope(new ProtoWriter().uint(1, 2).finish()),
  );
  await attempt('decodeEnvelope: payload and notice', () =>
    decodeEnvelope(
      new ProtoWriter()
        .uint(1, 1)
        .bytes(2, new Uint8Array(32))
        .uint(3, 1)
        .bytes(6, PAYLOAD)
        .bytes(7, PAYLOAD)
        .finish(),
    ),
  );
  await attempt('encodeEnvelope: short id', () =>
    encodeEnvelope({
      messageId: new Uint8Array(3),
      seq: 1,
      minSeq: 1,
      expiresAt: 1,
      payload: PAYLOAD,
    }),
  );
  await attempt('encodeNoticeBody: no ids', () =>
    encodeNoticeBody({ kind: NoticeKind.ACK, conversationId: CONV, messageIds: [], time: 0 }),
  );
  await attempt('decodeSignedNotice: short signature', () =>
    decodeSignedNotice(new ProtoWriter().bytes(1, PAYLOAD).bytes(2, new Uint8Array(10)).finish()),
  );
  await attempt('decodeReconcileFrame: too large', () =>
    decodeReconcileFrame(new Uint8Array(70_000), 60_000),
  );
  await attempt('decodeReconcileFrame: version', () =>
    decodeReconcileFrame(new ProtoWriter().uint(1, 7).finish(), 100),
  );
  await attempt(
    'Reconciler: tiny frame',
    () => new Reconciler(IdSet.from([]), { maxMessageBytes: 10 }),
  );
  await attempt('Reconciler: receive after done', () => {
    const r = new Reconciler(IdSet.from([]));
    r.initiate();
    r.receive(new Uint8Array(0));
  });
  await attempt('IdSet: short id', () => IdSet.from([new Uint8Array(31)]));
  await attempt('decodeHistoryTransfer: short wanted id', () =>
    decodeHistoryTransfer(new ProtoWriter().uint(1, 1).bytes(3, new Uint8Array(5)).finish(), CONV),
  );
  await attempt('store: closed', async () => {
    await p.aliceStore.close();
    await p.aliceStore.get(Uint8Array.of(0x20));
  });
  return out;
}

describe('error messages', () => {
  it('every rejection is a typed P2peError with a stable code and no secret or user bytes', async () => {
    const results = await collect();
    const forbidden = [toHex(SECRET), toHex(PAYLOAD), 'private message'];
    for (const [name, err] of results) {
      expect(err, name).toBeDefined();
      expect(P2peError.is(err), name).toBe(true);
      const e = err as P2peError;
      expect(e.code, name).toMatch(/^[A-Z][A-Z0-9_]+$/);
      for (const f of forbidden) expect(e.message.toLowerCase(), name).not.toContain(f);
      console.log(`${name.padEnd(44)} ${e.name}/${e.code}: ${e.message}`);
    }
  });
});
