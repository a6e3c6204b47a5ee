/**
 * Sync throughput: store writes (one sealed record per message), the outbox's send → dispatch →
 * receive → ack cycle, and building the reconciliation set. The floor is the AEAD the store
 * seals every record with; Ed25519 (ack sign + verify) dominates the full cycle.
 */
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { ManualClock, utf8 } from '@p2pe/transport-interfaces';
import { MemoryLevel } from 'memory-level';
import { defineSuites } from '../../../bench/harness';
import {
  EncryptedStore,
  IdSet,
  Inbox,
  type LevelDatabase,
  type OutboundDelivery,
  Outbox,
  RecordKind,
} from '../src/index';

const db = () =>
  new MemoryLevel<Uint8Array, Uint8Array>({
    keyEncoding: 'view',
    valueEncoding: 'view',
  }) as unknown as LevelDatabase;
const random = deterministicRandomForTestsOnly('sync-bench');
const secret = new Uint8Array(32).fill(1);
const store = await EncryptedStore.open(db(), { deviceSecret: secret });
const payload = random(200);
let counter = 0;

const keys = (seed: string) =>
  nobleBackend.ed25519.keyPairFromSecret(deterministicRandomForTestsOnly(seed)(32));
const alice = keys('bench-alice');
const bob = keys('bench-bob');
const clock = new ManualClock(1_000_000);
const conv = utf8('bench');
const wire: OutboundDelivery[] = [];
const aliceStore = await EncryptedStore.open(db(), { deviceSecret: secret });
const bobStore = await EncryptedStore.open(db(), { deviceSecret: secret });
const outbox = new Outbox({
  store: aliceStore,
  dispatcher: {
    dispatch: async (d) => {
      wire.push(d);
      return 'sent';
    },
  },
  signer: { sign: (m) => nobleBackend.ed25519.sign(alice.secretKey, m) },
  peerKey: () => bob.publicKey,
  clock,
});
const inbox = new Inbox({
  store: bobStore,
  signer: { sign: (m) => nobleBackend.ed25519.sign(bob.secretKey, m) },
  peerKey: () => alice.publicKey,
  onDeliver: () => undefined,
  clock,
});
const ids10k = Array.from({ length: 10_000 }, () => random(32));
const aead = nobleBackend.aead('XChaChaPoly');
const key = random(32);
const nonce = random(24);

export default defineSuites({
  name: 'sync',
  cases: [
    {
      id: 'sync/store-put-200B/noble',
      unit: 'records/s',
      compare: 'sync/xchacha20poly1305-200B/noble',
      fn: () => {
        const k = Uint8Array.of(
          RecordKind.HISTORY,
          counter >> 16,
          (counter >> 8) & 0xff,
          counter++ & 0xff,
        );
        return store.write([store.put(k, payload)]);
      },
    },
    {
      id: 'sync/xchacha20poly1305-200B/noble',
      unit: 'records/s',
      fn: () => aead.encrypt(key, nonce, payload),
    },
    {
      id: 'sync/send-deliver-ack/noble',
      unit: 'msg/s',
      fn: async () => {
        await outbox.send(conv, payload);
        await outbox.pump();
        for (const d of wire.splice(0)) {
          const r = await inbox.receive(d.conversationId, d.envelope);
          await outbox.handleAck(r.ack);
        }
      },
    },
    {
      id: 'sync/idset-build-10k/noble',
      unit: 'ids/s',
      items: 10_000,
      fn: () => IdSet.from(ids10k),
    },
  ],
});
