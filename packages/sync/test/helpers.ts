import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { type Clock, type RandomBytes, utf8 } from '@p2pe/transport-interfaces';
import { MemoryLevel } from 'memory-level';
import {
  type DeliveredMessage,
  type Dispatcher,
  EncryptedStore,
  Inbox,
  type LevelDatabase,
  type NoticeSigner,
  type OutboundDelivery,
  Outbox,
  type OutboxConfig,
} from '../src/index';

export function memoryDb(): LevelDatabase {
  return new MemoryLevel<Uint8Array, Uint8Array>({
    keyEncoding: 'view',
    valueEncoding: 'view',
  }) as unknown as LevelDatabase;
}

export interface Party {
  readonly publicKey: Uint8Array;
  readonly signer: NoticeSigner;
}

export function party(seed: string): Party {
  const kp = nobleBackend.ed25519.keyPairFromSecret(deterministicRandomForTestsOnly(seed)(32));
  return {
    publicKey: kp.publicKey,
    signer: { sign: (m) => nobleBackend.ed25519.sign(kp.secretKey, m) },
  };
}

export const CONV = utf8('conversation-1');

/** A dispatcher that records every delivery and answers from a queue of results. */
export class RecordingDispatcher implements Dispatcher {
  readonly sent: OutboundDelivery[] = [];
  result: 'sent' | 'no-route' = 'sent';
  async dispatch(d: OutboundDelivery): Promise<'sent' | 'no-route'> {
    if (this.result === 'sent') this.sent.push(d);
    return this.result;
  }
}

/** Sender (alice) and recipient (bob) over two stores; `reopen` simulates a restart. */
export class Pair {
  readonly alice = party('alice');
  readonly bob = party('bob');
  readonly aliceDb = memoryDb();
  readonly bobDb = memoryDb();
  readonly dispatcher = new RecordingDispatcher();
  readonly delivered: DeliveredMessage[] = [];
  readonly deleted: Uint8Array[] = [];
  outbox!: Outbox;
  inbox!: Inbox;
  aliceStore!: EncryptedStore;
  bobStore!: EncryptedStore;

  constructor(
    readonly clock: Clock,
    readonly random: RandomBytes,
    readonly config: Partial<OutboxConfig> = {},
  ) {}

  async open(): Promise<this> {
    const secretA = new Uint8Array(32).fill(1);
    const secretB = new Uint8Array(32).fill(2);
    this.aliceStore = await EncryptedStore.open(
      this.aliceDb,
      { deviceSecret: secretA },
      { random: this.random },
    );
    this.bobStore = await EncryptedStore.open(
      this.bobDb,
      { deviceSecret: secretB },
      { random: this.random },
    );
    this.outbox = new Outbox({
      store: this.aliceStore,
      dispatcher: this.dispatcher,
      signer: this.alice.signer,
      peerKey: () => this.bob.publicKey,
      clock: this.clock,
      random: this.random,
      config: this.config,
    });
    this.inbox = new Inbox({
      store: this.bobStore,
      signer: this.bob.signer,
      peerKey: () => this.alice.publicKey,
      onDeliver: (m) => {
        this.delivered.push(m);
        return undefined;
      },
      onDeleted: (_c, id) => this.deleted.push(id),
      clock: this.clock,
      config: this.config,
    });
    return this;
  }

  /** A restart: drop the objects (not the databases) and open them again. */
  async reopen(): Promise<void> {
    this.outbox.stop();
    this.inbox.close();
    await this.aliceStore.close();
    await this.bobStore.close();
    await this.open();
  }

  /** Delivers every recorded dispatch to bob and every ack back to alice; returns acks applied. */
  async flush(filter: (d: OutboundDelivery) => boolean = () => true): Promise<number> {
    const batch = this.dispatcher.sent.splice(0);
    let acked = 0;
    for (const d of batch) {
      if (!filter(d)) continue;
      const result = await this.inbox.receive(d.conversationId, d.envelope);
      acked += await this.outbox.handleAck(result.ack);
    }
    return acked;
  }
}
