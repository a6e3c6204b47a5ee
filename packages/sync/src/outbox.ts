import { type CryptoBackend, equalBytes, nobleBackend } from '@p2pe/crypto';
import {
  assertBytes,
  type Clock,
  concatBytes,
  type RandomBytes,
  systemClock,
  systemRandomBytes,
  type TimerHandle,
  toHex,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  defaultOutboxConfig,
  MAX_CONVERSATION_ID_LENGTH,
  MAX_PAYLOAD_LENGTH,
  MESSAGE_ID_LENGTH,
  type OutboxConfig,
} from './constants';
import {
  decodeSignedNotice,
  encodeEnvelope,
  NoticeKind,
  type NoticeSigner,
  noticeSignedBytes,
  signNotice,
} from './delivery';
import {
  conversationKey,
  conversationTag,
  historyKey,
  Mutex,
  messageTag,
  outboxIndexKey,
  outboxKey,
  sameBytes,
} from './keys';
import {
  type ConversationState,
  decodeConversationState,
  decodeIndex,
  decodeMessageRecord,
  decodeOutboxEntry,
  encodeConversationState,
  encodeIndex,
  encodeMessageRecord,
  encodeOutboxEntry,
  type OutboxEntry,
} from './records';
import { type EncryptedStore, type LevelOperation, RecordKind } from './store';

/** One attempt to deliver one outbox entry, handed to the layers below. */
export interface OutboundDelivery {
  readonly conversationId: Uint8Array;
  readonly messageId: Uint8Array;
  /** The encoded DeliveryEnvelope (plaintext: the session layer seals it for this attempt). */
  readonly envelope: Uint8Array;
  /** 1 for the first attempt; routers use it to try another path each time. */
  readonly attempt: number;
}

/** `sent`: handed to a route (not yet acknowledged); `no-route`: no path now, the entry waits. */
export type DispatchResult = 'sent' | 'no-route';

/** Seals and sends one envelope. Throwing counts as a failed attempt (retried with backoff). */
export interface Dispatcher {
  dispatch(delivery: OutboundDelivery): Promise<DispatchResult>;
}

/** A path to a peer (a direct connection, an onion circuit, a relay). */
export interface Route {
  readonly id: string;
  send(frame: Uint8Array): Promise<void>;
}

/**
 * The routing layer's hook: a route for this attempt, or undefined when no path exists now. Each
 * attempt of the same message gets a higher `attempt`, so a router can try another route.
 */
export interface Router {
  route(
    conversationId: Uint8Array,
    attempt: number,
  ): Promise<Route | undefined> | Route | undefined;
}

/** The session layer's hook: seals an envelope for the conversation's current session. */
export interface SessionSealer {
  seal(conversationId: Uint8Array, envelope: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** A Dispatcher from a session sealer and a router: seal per attempt, then send on the route. */
export function routedDispatcher(sealer: SessionSealer, router: Router): Dispatcher {
  return {
    async dispatch(d) {
      const route = await router.route(d.conversationId, d.attempt);
      if (route === undefined) return 'no-route';
      await route.send(await sealer.seal(d.conversationId, d.envelope));
      return 'sent';
    },
  };
}

/** Looks up the identity key that signs a conversation's acks (the peer's Ed25519 key). */
export type PeerKeyLookup = (
  conversationId: Uint8Array,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface OutboxOptions {
  readonly store: EncryptedStore;
  readonly dispatcher: Dispatcher;
  /** Our identity's signer, for deletions. */
  readonly signer: NoticeSigner;
  /** The peer identity key per conversation, to verify acks. */
  readonly peerKey: PeerKeyLookup;
  /** @default systemClock() */
  readonly clock?: Clock;
  /** Message ids and backoff jitter. @default systemRandomBytes */
  readonly random?: RandomBytes;
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  readonly config?: Partial<OutboxConfig>;
}

/** An outbox entry as the app sees it. */
export interface PendingMessage {
  readonly conversationId: Uint8Array;
  readonly messageId: Uint8Array;
  /** 0 for a deletion notice. */
  readonly seq: number;
  readonly expiresAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly kind: 'message' | 'deletion';
}

/**
 * Store-and-forward with guarantees (README "The guarantees in plain words"). A message is
 * written to the store (one atomic batch with its history record) before anything is sent, and
 * leaves the outbox only when an ack signed by the conversation's peer names it, when its TTL
 * passes, or when the app deletes it (then a signed deletion is queued if it may already have
 * arrived). Each attempt is recorded before it is dispatched; retries back off exponentially with
 * jitter.
 */
export class Outbox {
  private readonly store: EncryptedStore;
  private readonly dispatcher: Dispatcher;
  private readonly signer: NoticeSigner;
  private readonly peerKey: PeerKeyLookup;
  private readonly clock: Clock;
  private readonly random: RandomBytes;
  private readonly backend: CryptoBackend;
  private readonly config: OutboxConfig;
  private readonly lock = new Mutex();
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(options: OutboxOptions) {
    this.store = options.store;
    this.dispatcher = options.dispatcher;
    this.signer = options.signer;
    this.peerKey = options.peerKey;
    this.clock = options.clock ?? systemClock();
    this.random = options.random ?? systemRandomBytes;
    this.backend = options.backend ?? nobleBackend;
    this.config = { ...defaultOutboxConfig, ...options.config };
  }

  /**
   * Queues a message; resolves with its id once it is durable (nothing is sent before). The
   * message goes out on the next `pump()` (at once when the outbox is started).
   */
  async send(
    conversationId: Uint8Array,
    payload: Uint8Array,
    options: { ttlMs?: number } = {},
  ): Promise<Uint8Array> {
    checkConversationId(conversationId);
    assertBytes(payload, 'payload');
    if (payload.length > MAX_PAYLOAD_LENGTH) {
      throw new ValidationError('INVALID_LENGTH', `"payload" longer than ${MAX_PAYLOAD_LENGTH}`);
    }
    const ttl = options.ttlMs ?? this.config.defaultTtlMs;
    if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > this.config.maxTtlMs) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"ttlMs" expected an integer in 1..${this.config.maxTtlMs}, got ${ttl}`,
      );
    }
    const messageId = this.random(MESSAGE_ID_LENGTH);
    await this.lock.run(async () => {
      const convTag = conversationTag(this.store, conversationId);
      const state = await this.conversation(convTag, conversationId);
      const now = this.clock.now();
      const entry: OutboxEntry = {
        conversationId: conversationId.slice(),
        messageId,
        seq: state.nextSeq,
        createdAt: now,
        expiresAt: now + ttl,
        attempts: 0,
        nextAttemptAt: now,
        payload: payload.slice(),
        order: state.nextSeq,
      };
      const key = outboxKey(convTag, false, entry.seq);
      await this.store.write([
        this.store.put(key, encodeOutboxEntry(entry)),
        this.store.put(outboxIndexKey(this.store, messageId), encodeIndex(key)),
        this.store.put(
          conversationKey(RecordKind.OUTBOX_CONVERSATION, convTag),
          encodeConversationState({ ...state, nextSeq: state.nextSeq + 1 }),
        ),
        this.store.put(
          historyKey(convTag, messageTag(this.store, messageId)),
          encodeMessageRecord({
            conversationId: entry.conversationId,
            messageId,
            seq: entry.seq,
            minSeq: 0,
            expiresAt: entry.expiresAt,
            payload: entry.payload!,
            outgoing: true,
            deleted: false,
          }),
        ),
      ]);
    });
    this.kick();
    return messageId.slice();
  }

  /**
   * Sends every due entry: per conversation in order, messages by seq, then deletions. Expired
   * entries are dropped on the way. Returns the number of attempts made.
   */
  pump(): Promise<number> {
    return this.lock.run(async () => {
      const now = this.clock.now();
      const entries = await this.entries();
      const drop: LevelOperation[] = [];
      const live: Array<{ key: Uint8Array; entry: OutboxEntry }> = [];
      for (const item of entries) {
        if (item.entry.expiresAt <= now) {
          drop.push(
            this.store.del(item.key),
            this.store.del(outboxIndexKey(this.store, item.entry.messageId)),
          );
        } else {
          live.push(item);
        }
      }
      await this.store.write(drop);
      let attempts = 0;
      // Conversations whose path failed in this pump, with when the failed entry is next due.
      const blocked = new Map<string, number>();
      const hold: LevelOperation[] = [];
      const minSeq = new Map<string, number>();
      for (const { entry } of live) {
        const conv = toHex(entry.conversationId);
        if (entry.seq > 0 && !minSeq.has(conv)) minSeq.set(conv, entry.seq);
      }
      for (const { key, entry } of live) {
        const conv = toHex(entry.conversationId);
        const until = blocked.get(conv);
        if (until !== undefined) {
          // The rest of the conversation waits with the entry that found no path, so that all
          // of it falls due together and goes out in order (not one by one on its own backoff).
          if (entry.nextAttemptAt < until) {
            hold.push(this.store.put(key, encodeOutboxEntry({ ...entry, nextAttemptAt: until })));
          }
          continue;
        }
        if (entry.nextAttemptAt > now) continue;
        const attempt = entry.attempts + 1;
        const updated: OutboxEntry = {
          ...entry,
          attempts: attempt,
          nextAttemptAt: now + this.backoff(attempt),
        };
        // Record the attempt before the envelope leaves: after a crash it counts as maybe-sent.
        await this.store.write([this.store.put(key, encodeOutboxEntry(updated))]);
        const envelope = encodeEnvelope({
          messageId: entry.messageId,
          seq: entry.seq,
          minSeq: minSeq.get(conv) ?? entry.seq,
          expiresAt: entry.expiresAt,
          ...(entry.payload === undefined ? {} : { payload: entry.payload }),
          ...(entry.notice === undefined ? {} : { notice: entry.notice }),
        });
        attempts++;
        let result: DispatchResult;
        try {
          result = await this.dispatcher.dispatch({
            conversationId: entry.conversationId,
            messageId: entry.messageId,
            envelope,
            attempt,
          });
        } catch {
          result = 'no-route';
        }
        // No path (or a failed one): the rest of this conversation waits, keeping its order.
        if (result === 'no-route') blocked.set(conv, updated.nextAttemptAt);
      }
      await this.store.write(hold);
      return attempts;
    });
  }

  /**
   * Processes a signed ack from the recipient. Verifies the signature with the conversation's
   * peer key over the exact body bytes (VerificationError `ACK_SIGNATURE` otherwise) and removes
   * the named entries of that conversation. Returns how many entries left the outbox.
   */
  async handleAck(noticeBytes: Uint8Array): Promise<number> {
    const notice = decodeSignedNotice(noticeBytes);
    if (notice.body.kind !== NoticeKind.ACK) {
      throw new ValidationError('NOTICE_KIND', 'expected an ack');
    }
    const key = await this.peerKey(notice.body.conversationId);
    const signed = noticeSignedBytes(NoticeKind.ACK, notice.bodyBytes);
    if (key === undefined || !this.backend.ed25519.verify(notice.signature, signed, key)) {
      throw new VerificationError(
        'ACK_SIGNATURE',
        'the ack is not signed by the conversation peer',
      );
    }
    return this.lock.run(async () => {
      const ops: LevelOperation[] = [];
      for (const id of notice.body.messageIds) {
        const indexKey = outboxIndexKey(this.store, id);
        const found = await this.lookup(indexKey);
        if (found === undefined) continue; // already acked, expired or deleted
        // An ack only settles entries of its own conversation.
        if (!equalBytes(pad(found.entry.conversationId), pad(notice.body.conversationId))) continue;
        ops.push(this.store.del(found.key), this.store.del(indexKey));
      }
      await this.store.write(ops);
      return ops.length / 2;
    });
  }

  /**
   * Deletes a message we sent: from the outbox if it is still there, and in the history as a
   * tombstone (kept until expiry, so reconciliation does not bring it back). If it may already
   * have arrived (an attempt was made, or it was acked), a deletion signed by our identity is
   * queued to the recipient in the same batch. Pass `conversationId` to delete a message that
   * already left the outbox (acked). Returns false when there is nothing to delete.
   */
  async delete(messageId: Uint8Array, conversationId?: Uint8Array): Promise<boolean> {
    assertBytes(messageId, 'messageId', MESSAGE_ID_LENGTH);
    if (conversationId !== undefined) checkConversationId(conversationId);
    return this.lock.run(async () => {
      const indexKey = outboxIndexKey(this.store, messageId);
      const found = await this.lookup(indexKey);
      if (found !== undefined && found.entry.seq === 0) return false;
      const conv = found?.entry.conversationId ?? conversationId;
      if (conv === undefined) return false;
      const convTag = conversationTag(this.store, conv);
      const ops: LevelOperation[] = [];
      let mayHaveArrived = false;
      let expiresAt = 0;
      if (found !== undefined) {
        ops.push(this.store.del(found.key), this.store.del(indexKey));
        mayHaveArrived = found.entry.attempts > 0;
        expiresAt = found.entry.expiresAt;
      }
      const hKey = historyKey(convTag, messageTag(this.store, messageId));
      const history = await this.store.get(hKey);
      if (history !== undefined) {
        const record = decodeMessageRecord(history);
        if (!record.outgoing || record.deleted) return false;
        if (found === undefined) {
          mayHaveArrived = true; // it left the outbox: acked (or expired, then the notice expires too)
          expiresAt = record.expiresAt;
        }
        ops.push(
          this.store.put(
            hKey,
            encodeMessageRecord({ ...record, payload: new Uint8Array(0), deleted: true }),
          ),
        );
      } else if (found === undefined) {
        return false;
      }
      const now = this.clock.now();
      if (mayHaveArrived && expiresAt > now) {
        const notice = await signNotice(
          { kind: NoticeKind.DELETION, conversationId: conv, messageIds: [messageId], time: now },
          this.signer,
        );
        const state = await this.conversation(convTag, conv);
        const controlId = this.random(MESSAGE_ID_LENGTH);
        const control: OutboxEntry = {
          conversationId: conv.slice(),
          messageId: controlId,
          seq: 0,
          createdAt: now,
          expiresAt,
          attempts: 0,
          nextAttemptAt: now,
          notice,
          order: state.nextControl,
        };
        const controlKey = outboxKey(convTag, true, state.nextControl);
        ops.push(
          this.store.put(controlKey, encodeOutboxEntry(control)),
          this.store.put(outboxIndexKey(this.store, controlId), encodeIndex(controlKey)),
          this.store.put(
            conversationKey(RecordKind.OUTBOX_CONVERSATION, convTag),
            encodeConversationState({ ...state, nextControl: state.nextControl + 1 }),
          ),
        );
      }
      await this.store.write(ops);
      this.kick();
      return true;
    });
  }

  /**
   * The session layer reports a reset (a new session, or an authenticated "cannot decrypt"):
   * every pending entry of the conversation is due at once, and the next pump seals it again
   * under the new session.
   */
  sessionReset(conversationId: Uint8Array): Promise<number> {
    return this.makeDue(conversationId);
  }

  /** The routing layer reports a path (to one conversation's peer, or any): pending entries are due now. */
  routeAvailable(conversationId?: Uint8Array): Promise<number> {
    return this.makeDue(conversationId);
  }

  /** Entries still in the outbox, in send order. */
  async pending(conversationId?: Uint8Array): Promise<PendingMessage[]> {
    const entries = await this.lock.run(() => this.entries());
    return entries
      .filter(
        ({ entry }) =>
          conversationId === undefined || sameBytes(entry.conversationId, conversationId),
      )
      .map(({ entry }) => ({
        conversationId: entry.conversationId,
        messageId: entry.messageId,
        seq: entry.seq,
        expiresAt: entry.expiresAt,
        attempts: entry.attempts,
        nextAttemptAt: entry.nextAttemptAt,
        kind: entry.seq === 0 ? 'deletion' : 'message',
      }));
  }

  /** Removes expired entries now (the pump also drops them). Returns how many. */
  expire(): Promise<number> {
    return this.lock.run(async () => {
      const now = this.clock.now();
      const ops: LevelOperation[] = [];
      for (const { key, entry } of await this.entries()) {
        if (entry.expiresAt <= now) {
          ops.push(
            this.store.del(key),
            this.store.del(outboxIndexKey(this.store, entry.messageId)),
          );
        }
      }
      await this.store.write(ops);
      return ops.length / 2;
    });
  }

  /** Runs the pump on the clock: now, and again whenever the next entry falls due. */
  start(): void {
    this.running = true;
    this.kick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Backoff before attempt `attempt + 1`: base × 2^(attempt-1), capped, times a jitter in [0.5, 1). */
  private backoff(attempt: number): number {
    const exp = Math.min(
      this.config.retryMaxMs,
      this.config.retryBaseMs * 2 ** Math.min(attempt - 1, 40),
    );
    const r = this.random(4);
    const u = (((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0) / 2 ** 32;
    return Math.max(1, Math.floor(exp * (0.5 + u / 2)));
  }

  private kick(): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, 0);
  }

  private async cycle(): Promise<void> {
    if (!this.running) return;
    try {
      await this.pump();
    } catch {
      // A failed pump (store error) is retried at the next wake-up.
    }
    if (!this.running) return;
    const entries = await this.lock.run(() => this.entries()).catch(() => []);
    let next = Number.POSITIVE_INFINITY;
    for (const { entry } of entries) next = Math.min(next, entry.nextAttemptAt, entry.expiresAt);
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(1, next - this.clock.now());
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, delay);
  }

  private makeDue(conversationId: Uint8Array | undefined): Promise<number> {
    return this.lock
      .run(async () => {
        const now = this.clock.now();
        const ops: LevelOperation[] = [];
        for (const { key, entry } of await this.entries()) {
          if (conversationId !== undefined && !sameBytes(entry.conversationId, conversationId))
            continue;
          if (entry.nextAttemptAt > now) {
            ops.push(this.store.put(key, encodeOutboxEntry({ ...entry, nextAttemptAt: now })));
          }
        }
        await this.store.write(ops);
        return ops.length;
      })
      .then((n) => {
        this.kick();
        return n;
      });
  }

  private async entries(): Promise<Array<{ key: Uint8Array; entry: OutboxEntry }>> {
    const out: Array<{ key: Uint8Array; entry: OutboxEntry }> = [];
    for await (const [key, value] of this.store.scan(Uint8Array.of(RecordKind.OUTBOX))) {
      out.push({ key, entry: decodeOutboxEntry(value) });
    }
    return out;
  }

  private async lookup(
    indexKey: Uint8Array,
  ): Promise<{ key: Uint8Array; entry: OutboxEntry } | undefined> {
    const index = await this.store.get(indexKey);
    if (index === undefined) return undefined;
    const key = decodeIndex(index);
    const value = await this.store.get(key);
    if (value === undefined) return undefined;
    return { key, entry: decodeOutboxEntry(value) };
  }

  private async conversation(
    convTag: Uint8Array,
    conversationId: Uint8Array,
  ): Promise<ConversationState> {
    const raw = await this.store.get(conversationKey(RecordKind.OUTBOX_CONVERSATION, convTag));
    return raw === undefined
      ? { conversationId: conversationId.slice(), nextSeq: 1, gapSince: 0, nextControl: 1 }
      : decodeConversationState(raw);
  }
}

export function checkConversationId(conversationId: Uint8Array): void {
  assertBytes(conversationId, 'conversationId');
  if (conversationId.length === 0 || conversationId.length > MAX_CONVERSATION_ID_LENGTH) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"conversationId" expected 1..${MAX_CONVERSATION_ID_LENGTH} bytes, got length=${conversationId.length}`,
    );
  }
}

/** Equal-length framing for a constant-time compare of ids of possibly different lengths. */
function pad(bytes: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(bytes.length),
    bytes,
    new Uint8Array(MAX_CONVERSATION_ID_LENGTH - bytes.length),
  );
}
