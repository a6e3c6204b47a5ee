/**
 * One user's messenger, composed from the P2PE layers. This is the file to copy:
 *
 *   identity (@p2pe/identity)  who I am; who my contacts are (verified records)
 *   sessions (@p2pe/ratchet)   Noise IK handshakes seeding Double Ratchets; signed recovery notices
 *   outbox/inbox (@p2pe/sync)  store-and-forward with signed acks, exactly-once delivery, history
 *   onion (@p2pe/onion)        every session envelope rides a fixed-size Sphinx packet; replies
 *                              come back through a single-use reply block (SURB)
 *
 * A message's way out: outbox.send → (each attempt) Dispatcher → sessions.send seals it for the
 * current session (or starts a handshake) → createPacket wraps it for 3 relays and the recipient,
 * with a SURB for the answer. The recipient peels the last layer, opens the session envelope,
 * hands the delivery to its inbox, and answers through the SURB with its session replies and the
 * inbox's signed ack, sealed in the session. The ack clears the outbox.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import { type Identity, peerIdOf } from '@p2pe/identity';
import {
  createPacket,
  createReplyPacket,
  createSurb,
  type HopResult,
  type OnionHop,
  type OnionProfile,
  openReply,
  type SurbSecret,
} from '@p2pe/onion';
import { type SessionEvent, SessionManager } from '@p2pe/ratchet';
import type { SimPeer } from '@p2pe/simulator';
import {
  type DeliveredMessage,
  type DispatchResult,
  decodeSignedNotice,
  EncryptedStore,
  Inbox,
  type OutboundDelivery,
  Outbox,
} from '@p2pe/sync';
import {
  type Clock,
  concatBytes,
  P2peError,
  type RandomBytes,
  StateError,
  toHex,
  utf8,
} from '@p2pe/transport-interfaces';
import {
  AppKind,
  decodeAppMessage,
  decodeFrame,
  encodeAppMessage,
  encodeFrame,
} from './app-message';
import type { InMemoryDirectory } from './directory';
import { InMemoryDatabase } from './memory-db';
import type { Wire } from './network';
import { hex8, hintEndpoint, hopOf, ONION_PROTOCOL, OnionNode } from './onion-node';

/** Relays on every path (the destination is one more hop). */
export const RELAYS_PER_PATH = 3;
const CONVERSATION_LABEL = utf8('p2pe/cli/v1/conversation');

/** Both sides name a conversation the same: a hash of the two peer ids in sorted order. */
export function conversationId(backend: CryptoBackend, a: Uint8Array, b: Uint8Array): Uint8Array {
  const [first, second] = toHex(a) < toHex(b) ? [a, b] : [b, a];
  return backend
    .hash('SHA256')
    .digest(concatBytes(CONVERSATION_LABEL, Uint8Array.of(0), first, second));
}

/** An onion route: the hops out (relays, then the recipient) and the hops of the reply block. */
export interface OnionRoute {
  readonly forward: OnionHop[];
  readonly back: OnionHop[];
  /** Names of the forward hops, for the narrative. */
  readonly names: string[];
}

export interface MessengerInit {
  readonly name: string;
  readonly identity: Identity;
  readonly peer: SimPeer;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly backend: CryptoBackend;
  readonly profile: OnionProfile;
  readonly directory: InMemoryDirectory;
  readonly wire: Wire;
  /** The key of the local encrypted store (a key file or the platform's key store in an app). */
  readonly deviceSecret: Uint8Array;
  /** Accept handshakes from identities we have no contact for. */
  readonly acceptNewPeers: boolean;
  /** Picks `count` distinct indexes below `n` (seeded in the demo, a CSPRNG in an app). */
  readonly pick: (n: number, count: number) => number[];
}

/** What the narrator hears about (the app's UI would show some of it). */
export type MessengerEvent =
  | { type: 'session'; event: SessionEvent }
  | {
      type: 'attempt';
      messageId: Uint8Array;
      attempt: number;
      envelopeKind: string;
      envelopeBytes: number;
      relays: string[];
      trace: number;
    }
  | { type: 'delivered'; message: DeliveredMessage }
  | { type: 'acked'; messageIds: Uint8Array[] }
  | { type: 'notice'; resend: boolean }
  | { type: 'dropped'; reason: string }
  | { type: 'reply-sent'; envelopes: number; trace: number };

export class Messenger extends OnionNode {
  readonly identity: Identity;
  readonly sessions: SessionManager;
  readonly store: EncryptedStore;
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly db: InMemoryDatabase;
  readonly delivered: DeliveredMessage[] = [];
  readonly log: MessengerEvent[] = [];
  /** App messages other than deliveries and acks (reconciliation, history): the caller's. */
  onDirect:
    | ((from: Uint8Array, kind: AppKind, body: Uint8Array) => void | Promise<void>)
    | undefined;
  private readonly m: MessengerInit;
  /** Ids still in the outbox, mirrored for the session layer's synchronous hook. */
  private readonly pendingIds = new Set<string>();
  private readonly peerKeys = new Map<string, { peerId: Uint8Array; identityKey: Uint8Array }>();
  private readonly surbs = new Map<string, SurbSecret>();

  private constructor(init: MessengerInit, store: EncryptedStore, db: InMemoryDatabase) {
    super({ ...init, identityKey: init.identity.publicKey, relay: false });
    this.m = init;
    this.identity = init.identity;
    this.db = db;
    this.store = store;
    const signer = {
      sign: (msg: Uint8Array) => init.backend.ed25519.sign(init.identity.secretKey, msg),
    };
    const peerKey = (conv: Uint8Array) => this.peerKeys.get(toHex(conv))?.identityKey;
    this.sessions = new SessionManager({
      identity: init.identity,
      backend: init.backend,
      clock: init.clock,
      random: init.random,
      acceptNewPeers: init.acceptNewPeers,
      hooks: {
        hasPendingMessage: (_peer, messageId) => this.pendingIds.has(toHex(messageId)),
        onEvent: (event) => this.onSessionEvent(event),
      },
    });
    this.outbox = new Outbox({
      store,
      dispatcher: { dispatch: (d) => this.dispatch(d) },
      signer,
      peerKey,
      clock: init.clock,
      random: init.random,
      backend: init.backend,
    });
    this.inbox = new Inbox({
      store,
      signer,
      peerKey,
      clock: init.clock,
      backend: init.backend,
      onDeliver: (message) => {
        this.delivered.push(message);
        this.log.push({ type: 'delivered', message });
        return undefined;
      },
    });
    init.peer.handle(ONION_PROTOCOL, (d) => this.onPacket(d.payload));
    init.peer.handle(DIRECT_PROTOCOL, (d) => this.onDirectEnvelope(d.payload));
  }

  /** Opens the encrypted store (a fresh in-memory database: a new install) and starts the outbox. */
  static async create(init: MessengerInit): Promise<Messenger> {
    const db = new InMemoryDatabase();
    const store = await EncryptedStore.open(
      db,
      { deviceSecret: init.deviceSecret },
      { backend: init.backend, random: init.random },
    );
    const messenger = new Messenger(init, store, db);
    messenger.outbox.start();
    return messenger;
  }

  get peerId(): Uint8Array {
    return this.identity.peerId;
  }

  /**
   * Adds a contact from its identity record, fetched from the directory and verified against the
   * identity key we got out of band (invite or code). Returns the conversation id.
   */
  addContactFromDirectory(identityKey: Uint8Array): Uint8Array {
    const peerId = peerIdOf(identityKey, { crypto: this.m.backend });
    const record = this.m.directory.lookupRecord(peerId);
    if (record === undefined)
      throw new StateError('DEMO_NO_RECORD', 'no record under that peer id');
    this.sessions.addContactFromRecord(record, { identityKey });
    return this.trustIdentity(identityKey);
  }

  /** Adds a contact by identity key alone (e.g. restored from a backup); its record gives the static key later. */
  addContactKey(identityKey: Uint8Array): Uint8Array {
    this.sessions.addContact({ identityKey });
    return this.trustIdentity(identityKey);
  }

  private trustIdentity(identityKey: Uint8Array): Uint8Array {
    const peerId = peerIdOf(identityKey, { crypto: this.m.backend });
    const conv = conversationId(this.m.backend, this.peerId, peerId);
    this.peerKeys.set(toHex(conv), { peerId, identityKey: identityKey.slice() });
    return conv;
  }

  /** Queues a message: durable in the encrypted store before anything leaves. */
  async send(conv: Uint8Array, text: string): Promise<Uint8Array> {
    const id = await this.outbox.send(conv, utf8(text));
    this.pendingIds.add(toHex(id));
    return id;
  }

  /** The outbox's Dispatcher: pick a route, seal for the session (or start a handshake), send. */
  private async dispatch(d: OutboundDelivery): Promise<DispatchResult> {
    const contact = this.peerKeys.get(toHex(d.conversationId));
    const route = contact === undefined ? undefined : this.route(contact.peerId);
    // No path now: the message waits in the outbox, and the session is not touched.
    if (contact === undefined || route === undefined) return 'no-route';
    const sealed = this.sessions.send(
      contact.peerId,
      d.messageId,
      encodeAppMessage(AppKind.DELIVERY, d.envelope),
    );
    const trace = this.sendOnion(route, [sealed.envelope]);
    this.log.push({
      type: 'attempt',
      messageId: d.messageId,
      attempt: d.attempt,
      envelopeKind: sealed.kind,
      envelopeBytes: sealed.envelope.length,
      relays: route.names,
      trace,
    });
    return 'sent';
  }

  /**
   * A path to a peer from the directory: 3 relays, then the peer's own onion node; and 3 relays
   * back to us for the reply. A new random pick on every attempt, so a retry takes another route.
   */
  route(peerId: Uint8Array): OnionRoute | undefined {
    const { directory, pick } = this.m;
    const target = directory.node(peerId.subarray(0, 16));
    const relays = directory.relays();
    if (target === undefined || relays.length < RELAYS_PER_PATH) return undefined;
    const forward = pick(relays.length, RELAYS_PER_PATH).map((i) => relays[i]!);
    const back = pick(relays.length, RELAYS_PER_PATH).map((i) => relays[i]!);
    return {
      forward: [...forward.map(hopOf), hopOf(target)],
      back: [...back.map(hopOf), hopOf(this.publish())],
      names: [...forward.map((r) => r.name), target.name],
    };
  }

  /**
   * Wraps session envelopes in one Sphinx packet along `route`, with a SURB for the reply inside;
   * returns the narrator's trace number of the packet.
   */
  sendOnion(route: OnionRoute, envelopes: Uint8Array[]): number {
    const { profile, random, wire } = this.m;
    const epoch = this.epoch();
    const { surb, secret } = createSurb(profile, { path: route.back, epoch, random });
    this.surbs.set(toHex(secret.surbId), secret);
    const { packet, firstHop } = createPacket(profile, {
      path: route.forward,
      message: encodeFrame(envelopes),
      epoch,
      surb,
      random,
    });
    const trace = wire.newTrace();
    wire.send(this.peer, hintEndpoint(firstHop.hint), ONION_PROTOCOL, packet, trace);
    return trace;
  }

  private async onPacket(packet: Uint8Array): Promise<void> {
    const { wire, profile } = this.m;
    const trace = wire.traceOf(packet) ?? 0;
    let result: HopResult;
    try {
      result = await this.peel(packet);
    } catch (err) {
      wire.observe({
        trace,
        hop: this.name,
        receivedBytes: packet.length,
        learned: `refused the packet (${(err as { code?: string }).code})`,
      });
      return;
    }
    if (result.type === 'deliver') {
      wire.observe({
        trace,
        hop: this.name,
        receivedBytes: packet.length,
        learned: `"deliver to me": ${result.message.length}-byte frame${result.surb === undefined ? '' : ' + a SURB (reply path hidden)'}`,
      });
      const frame = this.decodeFrameOrDrop(result.message);
      const replies = await this.handleEnvelopes(frame);
      if (replies.length > 0 && result.surb !== undefined) {
        const reply = createReplyPacket(profile, result.surb, encodeFrame(replies));
        const replyTrace = wire.newTrace();
        this.log.push({ type: 'reply-sent', envelopes: replies.length, trace: replyTrace });
        wire.send(
          this.peer,
          hintEndpoint(reply.firstHop.hint),
          ONION_PROTOCOL,
          reply.packet,
          replyTrace,
        );
      }
      return;
    }
    if (result.type === 'reply') {
      const secret = this.surbs.get(toHex(result.surbId));
      wire.observe({
        trace,
        hop: this.name,
        receivedBytes: packet.length,
        learned: `a reply to its own SURB ${hex8(result.surbId)}…`,
      });
      if (secret === undefined) return; // not ours, or already used: single use
      this.surbs.delete(toHex(result.surbId));
      let payload: Uint8Array;
      try {
        payload = openReply(profile, secret, result.payload);
      } catch (err) {
        if (!isRejection(err)) throw err;
        this.log.push({ type: 'dropped', reason: err.code });
        return;
      }
      await this.handleEnvelopes(this.decodeFrameOrDrop(payload));
      return;
    }
    // We relay nothing and hold no mailboxes.
  }

  /**
   * Hands session envelopes to the session manager, and what they carry to the inbox/outbox.
   * Returns the envelopes to send back. Bytes from the network that do not decode or verify are
   * dropped one envelope at a time (the layers throw typed errors and change no state).
   */
  private async handleEnvelopes(envelopes: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const envelope of envelopes) {
      try {
        out.push(...(await this.handleEnvelope(envelope)));
      } catch (err) {
        if (!isRejection(err)) throw err; // a bug, not bad input: let it surface
        this.log.push({ type: 'dropped', reason: err.code });
      }
    }
    return out;
  }

  private async handleEnvelope(envelope: Uint8Array): Promise<Uint8Array[]> {
    const r = this.sessions.receive(envelope);
    if (r.type === 'dropped') this.log.push({ type: 'dropped', reason: r.reason });
    if (r.type === 'notice') this.log.push({ type: 'notice', resend: r.resend });
    if (r.type !== 'message') return r.replies;
    const out = [...r.replies];
    const app = decodeAppMessage(r.plaintext);
    const conv = conversationId(this.m.backend, this.peerId, r.peerId);
    if (app.kind === AppKind.DELIVERY) {
      const { ack } = await this.inbox.receive(conv, app.body);
      // The ack goes back sealed in the session (a responder can send at once).
      const sealed = this.sessions.send(
        r.peerId,
        this.m.random(16),
        encodeAppMessage(AppKind.ACK, ack),
      );
      out.push(sealed.envelope);
    } else if (app.kind === AppKind.ACK) {
      const cleared = await this.outbox.handleAck(app.body); // verifies the peer's signature
      const ids = decodeSignedNotice(app.body).body.messageIds;
      for (const id of ids) this.pendingIds.delete(toHex(id));
      if (cleared > 0) this.log.push({ type: 'acked', messageIds: [...ids] });
    } else {
      await this.onDirect?.(r.peerId, app.kind, app.body);
    }
    return out;
  }

  private decodeFrameOrDrop(bytes: Uint8Array): Uint8Array[] {
    try {
      return decodeFrame(bytes);
    } catch (err) {
      if (!isRejection(err)) throw err;
      this.log.push({ type: 'dropped', reason: err.code });
      return [];
    }
  }

  private onSessionEvent(event: SessionEvent): void {
    this.log.push({ type: 'session', event });
    if (event.type === 'resend-requested') {
      // The peer proved (signed notice) it cannot read our message: resend it from the outbox
      // under a new session. The outbox still holds it, so nothing is lost.
      void this.outbox.sessionReset(conversationId(this.m.backend, this.peerId, event.peerId));
    }
  }

  /** Sends an app message in the session over a direct link (both online): reconciliation. */
  sendDirect(to: SimPeer, peerId: Uint8Array, kind: AppKind, body: Uint8Array): void {
    const { envelope } = this.sessions.send(
      peerId,
      this.m.random(16),
      encodeAppMessage(kind, body),
    );
    this.m.wire.send(this.peer, to, DIRECT_PROTOCOL, envelope);
  }

  private async onDirectEnvelope(envelope: Uint8Array): Promise<void> {
    await this.handleEnvelopes([envelope]);
  }

  /** Stops timers (the app closes). */
  close(): void {
    this.outbox.stop();
    this.inbox.close();
  }
}

export const DIRECT_PROTOCOL = 'session';

/** A typed rejection of outside bytes (malformed, over a limit, or failing verification). */
function isRejection(err: unknown): err is P2peError {
  return (
    P2peError.is(err) &&
    (err.category === 'decode' || err.category === 'limit' || err.category === 'verification')
  );
}
