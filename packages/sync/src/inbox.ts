import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import {
  assertBytes,
  type Clock,
  LimitError,
  systemClock,
  type TimerHandle,
  toHex,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  defaultOutboxConfig,
  MAX_PAYLOAD_LENGTH,
  MAX_TIMESTAMP,
  MESSAGE_ID_LENGTH,
  type OutboxConfig,
} from './constants';
import {
  type DeliveryEnvelope,
  decodeEnvelope,
  decodeSignedNotice,
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
  pendingKey,
  sameBytes,
  seenKey,
} from './keys';
import { checkConversationId, type PeerKeyLookup } from './outbox';
import {
  type ConversationState,
  decodeConversationState,
  decodeMessageRecord,
  decodeSeen,
  encodeConversationState,
  encodeMessageRecord,
  encodeSeen,
  type MessageRecord,
  SeenState,
} from './records';
import { type EncryptedStore, type LevelOperation, RecordKind } from './store';

/** The first record kind that belongs to the application (README "Storage format"). */
const APP_KIND_FIRST = 0x80;

/** A message handed to the application, exactly once. */
export interface DeliveredMessage {
  readonly conversationId: Uint8Array;
  readonly messageId: Uint8Array;
  readonly seq: number;
  readonly expiresAt: number;
  readonly payload: Uint8Array;
  /** True when it arrived after later messages were delivered (its gap timed out). */
  readonly late: boolean;
}

/**
 * The application's handler. It runs inside the delivery step: the store operations it returns
 * (built with `store.put`/`store.del` on app record kinds 0x80-0xff; any other kind is refused
 * with ValidationError `APP_RECORD_KIND` and the message stays undelivered) are written in the same
 * atomic batch that marks the message delivered, so its durable effects happen exactly once,
 * even across a crash. Effects outside the store (a notification) may repeat if the process dies
 * between the handler and the batch.
 */
export type DeliveryHandler = (
  message: DeliveredMessage,
) => LevelOperation[] | undefined | Promise<LevelOperation[] | undefined>;

export interface InboxOptions {
  readonly store: EncryptedStore;
  /** Our identity's signer, for acks. */
  readonly signer: NoticeSigner;
  /** The peer identity key per conversation, to verify deletions. */
  readonly peerKey: PeerKeyLookup;
  readonly onDeliver: DeliveryHandler;
  /** Called when the sender deleted a message that was already delivered. */
  readonly onDeleted?: (conversationId: Uint8Array, messageId: Uint8Array) => void;
  /** @default systemClock() */
  readonly clock?: Clock;
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  readonly config?: Partial<OutboxConfig>;
}

export type ReceiveStatus = 'accepted' | 'duplicate' | 'expired' | 'deletion';

export interface ReceiveResult {
  readonly status: ReceiveStatus;
  /** A signed ack to return to the sender (also for duplicates: the first ack may have been lost). */
  readonly ack: Uint8Array;
  /** Messages delivered to the handler during this call. */
  readonly delivered: readonly DeliveredMessage[];
}

/**
 * The recipient side (README "The guarantees in plain words"): deduplicates by message id across
 * restarts (a seen record per conversation and id, kept until the message's expiry), stores each
 * accepted message in the same batch as its seen record, and delivers to the application in seq
 * order per conversation, holding back a gap for `holdBackMs` before delivering past it. Also the
 * local history that reconciliation reads. Call `deliver()` once after opening: it delivers what
 * a crash left pending and re-arms the hold-back timer.
 */
export class Inbox {
  private readonly store: EncryptedStore;
  private readonly signer: NoticeSigner;
  private readonly peerKey: PeerKeyLookup;
  private readonly onDeliver: DeliveryHandler;
  private readonly onDeleted: ((c: Uint8Array, m: Uint8Array) => void) | undefined;
  private readonly clock: Clock;
  private readonly backend: CryptoBackend;
  private readonly config: OutboxConfig;
  private readonly lock = new Mutex();
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(options: InboxOptions) {
    this.store = options.store;
    this.signer = options.signer;
    this.peerKey = options.peerKey;
    this.onDeliver = options.onDeliver;
    this.onDeleted = options.onDeleted;
    this.clock = options.clock ?? systemClock();
    this.backend = options.backend ?? nobleBackend;
    this.config = { ...defaultOutboxConfig, ...options.config };
  }

  /**
   * Takes one envelope the session layer decrypted for `conversationId`. The message is durable
   * (or recognised as a duplicate) before the returned ack exists; then every message that is
   * now in order is delivered (also after a duplicate: the sender resends a message whose ack a
   * crash swallowed, and that is when a copy the crash left undelivered goes out). An envelope
   * whose expiry lies further ahead than the longest TTL (plus the clock skew) is refused with
   * LimitError `ENVELOPE_TTL`: its seen record would otherwise be kept for as long as the peer likes.
   */
  async receive(conversationId: Uint8Array, envelopeBytes: Uint8Array): Promise<ReceiveResult> {
    checkConversationId(conversationId);
    const envelope = decodeEnvelope(envelopeBytes);
    const latest = this.clock.now() + this.config.maxTtlMs + this.config.clockSkewMs;
    if (envelope.expiresAt > latest) {
      throw new LimitError(
        'ENVELOPE_TTL',
        `the envelope expires ${envelope.expiresAt - latest} ms after the longest TTL allows`,
      );
    }
    let status: ReceiveStatus;
    if (envelope.notice !== undefined) {
      await this.applyDeletion(conversationId, envelope);
      status = 'deletion';
    } else {
      status = await this.lock.run(() => this.accept(conversationId, envelope));
    }
    const ack = await signNotice(
      {
        kind: NoticeKind.ACK,
        conversationId,
        messageIds: [envelope.messageId],
        time: this.clock.now(),
      },
      this.signer,
    );
    const delivered = status === 'accepted' || status === 'duplicate' ? await this.deliver() : [];
    return { status, ack, delivered };
  }

  /** Delivers every message that is in order (or whose gap timed out). Returns them. */
  deliver(): Promise<DeliveredMessage[]> {
    return this.lock.run(async () => {
      if (this.closed) return [];
      const delivered: DeliveredMessage[] = [];
      const now = this.clock.now();
      let wake = Number.POSITIVE_INFINITY;
      // Pending records sort by conversation tag, then seq.
      const byConversation = new Map<string, Array<{ key: Uint8Array; record: MessageRecord }>>();
      for await (const [key, value] of this.store.scan(Uint8Array.of(RecordKind.INBOX_PENDING))) {
        const tag = toHex(key.subarray(1, 17));
        const list = byConversation.get(tag) ?? [];
        list.push({ key, record: decodeMessageRecord(value) });
        byConversation.set(tag, list);
      }
      for (const list of byConversation.values()) {
        const conversationId = list[0]!.record.conversationId;
        const convTag = conversationTag(this.store, conversationId);
        const stateKey = conversationKey(RecordKind.INBOX_CONVERSATION, convTag);
        let state = await this.conversation(stateKey, conversationId);
        for (const { key, record } of list) {
          const expected = Math.max(state.nextSeq, record.minSeq);
          const late = record.seq < state.nextSeq;
          if (record.seq > expected) {
            // A gap: wait for it, up to holdBackMs from when we first waited.
            if (state.gapSince === 0) {
              state = { ...state, gapSince: now };
              await this.store.write([this.store.put(stateKey, encodeConversationState(state))]);
            }
            const deadline = state.gapSince + this.config.holdBackMs;
            if (now < deadline) {
              wake = Math.min(wake, deadline);
              break;
            }
          }
          if (record.expiresAt + this.config.clockSkewMs <= now) {
            // It expired while it waited (behind a gap, or while the app was not running): a
            // stale message is dropped, never delivered late.
            await this.store.write([
              this.store.del(key),
              this.seenPut(convTag, record, SeenState.DELETED),
            ]);
            continue;
          }
          const message: DeliveredMessage = {
            conversationId: record.conversationId,
            messageId: record.messageId,
            seq: record.seq,
            expiresAt: record.expiresAt,
            payload: record.payload,
            late,
          };
          const extra = appOperations(await this.onDeliver(message));
          const next = late ? state : { ...state, nextSeq: record.seq + 1, gapSince: 0 };
          await this.store.write([
            this.store.del(key),
            this.seenPut(convTag, record, SeenState.DELIVERED),
            this.store.put(
              historyKey(convTag, messageTag(this.store, record.messageId)),
              encodeMessageRecord({ ...record, outgoing: false, deleted: false }),
            ),
            this.store.put(stateKey, encodeConversationState(next)),
            ...extra,
          ]);
          state = next;
          delivered.push(message);
        }
      }
      this.schedule(wake);
      return delivered;
    });
  }

  /**
   * Imports messages found missing by reconciliation (README "Reconciliation"): each one not
   * expired and not yet seen is written to the history and marked seen, in one batch; messages
   * authored by the peer (`outgoing` false from our side) are handed to the handler first, with
   * `late` set. Returns the messages newly imported.
   */
  async importHistory(records: readonly MessageRecord[]): Promise<MessageRecord[]> {
    // Check every record before writing any: a bad one must not leave half an import behind.
    for (const record of records) checkRecord(record);
    return this.lock.run(async () => {
      const now = this.clock.now();
      const latest = now + this.config.maxTtlMs + this.config.clockSkewMs;
      const imported: MessageRecord[] = [];
      for (const record of records) {
        // Expired records are never brought back; one that claims to outlive any TTL is refused.
        if (record.expiresAt <= now || record.expiresAt > latest) continue;
        const convTag = conversationTag(this.store, record.conversationId);
        const mTag = messageTag(this.store, record.messageId);
        const sKey = seenKey(convTag, mTag);
        const hKey = historyKey(convTag, mTag);
        if (
          (await this.store.get(sKey)) !== undefined ||
          (await this.store.get(hKey)) !== undefined
        ) {
          continue;
        }
        const extra =
          record.outgoing || record.deleted
            ? []
            : appOperations(
                await this.onDeliver({
                  conversationId: record.conversationId,
                  messageId: record.messageId,
                  seq: record.seq,
                  expiresAt: record.expiresAt,
                  payload: record.payload,
                  late: true,
                }),
              );
        await this.store.write([
          this.seenPut(convTag, record, record.deleted ? SeenState.DELETED : SeenState.DELIVERED),
          this.store.put(hKey, encodeMessageRecord(record)),
          ...extra,
        ]);
        imported.push(record);
      }
      return imported;
    });
  }

  /** Removes seen records and history entries past their expiry (plus the allowed clock skew). */
  prune(): Promise<number> {
    return this.lock.run(async () => {
      const limit = this.clock.now() - this.config.clockSkewMs;
      const ops: LevelOperation[] = [];
      for await (const [key, value] of this.store.scan(Uint8Array.of(RecordKind.INBOX_SEEN))) {
        if (decodeSeen(value).expiresAt <= limit) ops.push(this.store.del(key));
      }
      for await (const [key, value] of this.store.scan(Uint8Array.of(RecordKind.HISTORY))) {
        if (decodeMessageRecord(value).expiresAt <= limit) ops.push(this.store.del(key));
      }
      await this.store.write(ops);
      return ops.length;
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async accept(
    conversationId: Uint8Array,
    envelope: DeliveryEnvelope,
  ): Promise<ReceiveStatus> {
    const now = this.clock.now();
    if (envelope.expiresAt + this.config.clockSkewMs <= now) return 'expired';
    const convTag = conversationTag(this.store, conversationId);
    const mTag = messageTag(this.store, envelope.messageId);
    const sKey = seenKey(convTag, mTag);
    if ((await this.store.get(sKey)) !== undefined) return 'duplicate';
    // A message restored by reconciliation before its copy from the outbox arrived.
    if ((await this.store.get(historyKey(convTag, mTag))) !== undefined) return 'duplicate';
    await this.store.write([
      this.store.put(
        sKey,
        encodeSeen({
          state: SeenState.PENDING,
          expiresAt: envelope.expiresAt,
          conversationId,
          seq: envelope.seq,
        }),
      ),
      this.store.put(
        pendingKey(convTag, envelope.seq, mTag),
        encodeMessageRecord({
          conversationId,
          messageId: envelope.messageId,
          seq: envelope.seq,
          minSeq: envelope.minSeq,
          expiresAt: envelope.expiresAt,
          payload: envelope.payload!,
          outgoing: false,
          deleted: false,
        }),
      ),
    ]);
    return 'accepted';
  }

  /** A signed deletion from the sender: drop pending copies, tombstone, never deliver later. */
  private async applyDeletion(
    conversationId: Uint8Array,
    envelope: DeliveryEnvelope,
  ): Promise<void> {
    const notice = decodeSignedNotice(envelope.notice!);
    const key = await this.peerKey(conversationId);
    if (
      notice.body.kind !== NoticeKind.DELETION ||
      !sameBytes(notice.body.conversationId, conversationId) ||
      key === undefined ||
      !this.backend.ed25519.verify(
        notice.signature,
        noticeSignedBytes(NoticeKind.DELETION, notice.bodyBytes),
        key,
      )
    ) {
      throw new VerificationError(
        'DELETION_SIGNATURE',
        'the deletion is not signed by the conversation peer',
      );
    }
    const deletedDelivered: Uint8Array[] = [];
    await this.lock.run(async () => {
      const convTag = conversationTag(this.store, conversationId);
      const ops: LevelOperation[] = [];
      for (const id of notice.body.messageIds) {
        const mTag = messageTag(this.store, id);
        // A peer deletes only what it sent: a message of ours in the history stays as it is.
        const history = await this.store.get(historyKey(convTag, mTag));
        if (history !== undefined && decodeMessageRecord(history).outgoing) continue;
        const sKey = seenKey(convTag, mTag);
        const raw = await this.store.get(sKey);
        const seen = raw === undefined ? undefined : decodeSeen(raw);
        if (seen?.state === SeenState.PENDING)
          ops.push(this.store.del(pendingKey(convTag, seen.seq, mTag)));
        if (seen?.state === SeenState.DELIVERED) deletedDelivered.push(id);
        ops.push(
          this.store.put(
            sKey,
            encodeSeen({
              state: SeenState.DELETED,
              expiresAt: Math.max(seen?.expiresAt ?? 0, envelope.expiresAt),
              conversationId,
              seq: seen?.seq ?? 0,
            }),
          ),
          this.store.put(
            historyKey(convTag, mTag),
            encodeMessageRecord({
              conversationId,
              messageId: id,
              seq: seen?.seq ?? 0,
              minSeq: 0,
              expiresAt: Math.max(seen?.expiresAt ?? 0, envelope.expiresAt),
              payload: new Uint8Array(0),
              outgoing: false,
              deleted: true,
            }),
          ),
        );
      }
      await this.store.write(ops);
    });
    for (const id of deletedDelivered) this.onDeleted?.(conversationId, id);
  }

  /** The seen record of a message, in `state`. */
  private seenPut(convTag: Uint8Array, record: MessageRecord, state: SeenState): LevelOperation {
    return this.store.put(
      seenKey(convTag, messageTag(this.store, record.messageId)),
      encodeSeen({
        state,
        expiresAt: record.expiresAt,
        conversationId: record.conversationId,
        seq: record.seq,
      }),
    );
  }

  private schedule(at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (at === Number.POSITIVE_INFINITY || this.closed) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        void this.deliver().catch(() => undefined);
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private async conversation(
    stateKey: Uint8Array,
    conversationId: Uint8Array,
  ): Promise<ConversationState> {
    const raw = await this.store.get(stateKey);
    return raw === undefined
      ? { conversationId: conversationId.slice(), nextSeq: 1, gapSince: 0, nextControl: 0 }
      : decodeConversationState(raw);
  }
}

/**
 * The operations a delivery handler returns may only touch app record kinds (0x80-0xff): one that
 * wrote or deleted the inbox's own records would break its invariants.
 */
function appOperations(ops: LevelOperation[] | undefined): LevelOperation[] {
  for (const op of ops ?? []) {
    if (!(op.key instanceof Uint8Array) || op.key.length === 0 || op.key[0]! < APP_KIND_FIRST) {
      throw new ValidationError(
        'APP_RECORD_KIND',
        `a delivery handler may only write record kinds 0x80-0xff, got kind ${op.key?.[0]}`,
      );
    }
  }
  return ops ?? [];
}

/** A record handed to `importHistory` must be one the store can hold and read back. */
function checkRecord(record: MessageRecord): void {
  checkConversationId(record.conversationId);
  assertBytes(record.messageId, 'messageId', MESSAGE_ID_LENGTH);
  assertBytes(record.payload, 'payload');
  if (record.payload.length > MAX_PAYLOAD_LENGTH) {
    throw new ValidationError('INVALID_LENGTH', `"payload" longer than ${MAX_PAYLOAD_LENGTH}`);
  }
  for (const [name, value] of [
    ['seq', record.seq],
    ['minSeq', record.minSeq],
    ['expiresAt', record.expiresAt],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_TIMESTAMP) {
      throw new ValidationError('INVALID_ARGUMENT', `"${name}" out of range, got ${value}`);
    }
  }
}
