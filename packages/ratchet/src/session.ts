import { type CryptoBackend, equalBytes, type KeyPair, nobleBackend } from '@p2pe/crypto';
import {
  type Identity,
  peerIdOf,
  pickStaticKey,
  type RevocationChecker,
  type Succession,
  successionPath,
  type VerifiedRecord,
  verifyRecord,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '@p2pe/identity';
import {
  assertBytes,
  type Clock,
  checkedNow,
  concatBytes,
  LimitError,
  P2peError,
  type RandomBytes,
  StateError,
  systemClock,
  toHex,
  utf8,
  ValidationError,
} from '@p2pe/transport-interfaces';
import {
  DEFAULT_MAX_PEERS,
  LABELS,
  MAX_CLOCK_SKEW_MS,
  MAX_HANDSHAKE_AGE_MS,
  MAX_MESSAGE_ID_BYTES,
  MAX_NOTICE_AGE_MS,
  MAX_NOTICES_PER_MINUTE,
  MAX_PENDING_HANDSHAKES,
  MAX_PENDING_HANDSHAKES_PER_PEER,
  MAX_REPLAY_CACHE_PER_PEER,
  MAX_RETIRED_PEERS,
  MAX_SESSIONS_PER_PEER,
  MAX_STORED_PEERS,
  SESSION_MAX_IDLE_MS,
  XX_RETRY_MS,
} from './constants';
import {
  decodeEnvelope,
  decodeHandshakePayload,
  decodeNotice,
  decodeSignedNotice,
  EnvelopeKind,
  encodeEnvelope,
  encodeHandshakePayload,
  encodeNotice,
  encodeSignedNotice,
  type HandshakePattern,
  type HandshakePayload,
  NoticeReason,
  noticeSigningInput,
  type SessionEnvelope,
} from './envelope';
import { HandshakeState } from './noise/index';
import { type DoubleRatchet, type RatchetLimits, resolveRatchetLimits } from './ratchet';
import { seedInitiator, seedResponder } from './seed';
import { decodeManagerState, encodeManagerState } from './session-store';
import { type RatchetSuite, type RatchetSuiteNames, ratchetSuite } from './suite';

/** What we know about a peer: its identity key (the trust anchor) and, once known, a static key. */
export interface Contact {
  readonly peerId: Uint8Array;
  readonly identityKey: Uint8Array;
  /** The peer's certified static DH key (enables IK/KK). */
  readonly staticKey?: Uint8Array;
  /** True once a handshake showed the peer knows our static key (enables KK). */
  readonly knowsOurStaticKey: boolean;
}

/** Events for the layers above (the outbox resends on `resend-requested`). */
export type SessionEvent =
  | { type: 'session-established'; peerId: Uint8Array; sessionId: Uint8Array; initiator: boolean }
  | { type: 'resend-requested'; peerId: Uint8Array; messageId: Uint8Array; sessionId: Uint8Array }
  | { type: 'peer-added'; peerId: Uint8Array; identityKey: Uint8Array }
  | {
      type: 'identity-succeeded';
      oldPeerId: Uint8Array;
      peerId: Uint8Array;
      identityKey: Uint8Array;
    }
  | { type: 'notice-sent'; peerId: Uint8Array; messageId: Uint8Array; reason: NoticeReason }
  | { type: 'dropped'; peerId: Uint8Array; reason: DropReason };

export type DropReason =
  | 'not-for-us'
  | 'duplicate'
  | 'malformed'
  | 'no-session'
  | 'cannot-decrypt'
  | 'handshake-failed'
  | 'identity-rejected'
  | 'replay'
  | 'stale'
  | 'unknown-handshake'
  | 'unknown-peer'
  | 'bad-signature'
  | 'too-many-peers';

/** Collaborators of the session manager: the outbox's view and an event sink. */
export interface SessionHooks {
  /**
   * Does the outbox still hold this message for this peer (sent, not yet acknowledged)? Only then
   * does a "cannot decrypt" notice request a resend. @default () => false
   */
  hasPendingMessage?(peerId: Uint8Array, messageId: Uint8Array): boolean;
  onEvent?(event: SessionEvent): void;
}

export interface SessionManagerInit {
  readonly identity: Identity;
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  /** @default DEFAULT_RATCHET_SUITE (X25519, ChaChaPoly, SHA256) */
  readonly suite?: Partial<RatchetSuiteNames>;
  /** Header-encryption variant of the ratchet. @default false */
  readonly headerEncryption?: boolean;
  /** Accept handshakes from peers we have no contact for (first contact). @default true */
  readonly acceptNewPeers?: boolean;
  /**
   * Most peers held (contacts, strangers that handshook, peers we started to send to). Beyond it a
   * new peer's handshake is dropped (`too-many-peers`) and `addContact`/`send` to a new peer throw
   * LimitError `SESSION_TOO_MANY_PEERS`; known peers are never evicted. A restored state above it
   * loads whole. @default DEFAULT_MAX_PEERS (10,000); at most MAX_STORED_PEERS (100,000).
   */
  readonly maxPeers?: number;
  /** Send the first message inside IK/KK handshake message 0 (no forward secrecy for it). @default true */
  readonly zeroRtt?: boolean;
  readonly revocations?: RevocationChecker;
  readonly clock?: Clock;
  readonly random?: RandomBytes;
  readonly ratchetLimits?: Partial<RatchetLimits>;
  readonly hooks?: SessionHooks;
}

/** What `send` produced: the envelope to transmit, and whether it carries the message. */
export interface SendResult {
  readonly envelope: Uint8Array;
  /** False when the envelope only starts a handshake (XX): resend on `session-established`. */
  readonly carriesMessage: boolean;
  readonly kind: 'ratchet' | 'handshake';
}

export type ReceiveResult =
  | {
      readonly type: 'message';
      readonly peerId: Uint8Array;
      readonly messageId: Uint8Array;
      readonly plaintext: Uint8Array;
      /** True for the first message carried in a handshake (0-RTT: no forward secrecy for it). */
      readonly zeroRtt: boolean;
      readonly replies: Uint8Array[];
    }
  | { readonly type: 'handshake'; readonly peerId: Uint8Array; readonly replies: Uint8Array[] }
  | {
      readonly type: 'notice';
      readonly peerId: Uint8Array;
      readonly messageId: Uint8Array;
      readonly resend: boolean;
      readonly replies: Uint8Array[];
    }
  | {
      readonly type: 'dropped';
      readonly reason: DropReason;
      readonly replies: Uint8Array[];
    };

/** One session with a peer. */
export interface Session {
  readonly id: Uint8Array;
  readonly ratchet: DoubleRatchet;
  readonly initiator: boolean;
  readonly createdAt: number;
  lastUsedAt: number;
  /** The peer showed it holds this session (a message from it decrypted, or it answered). */
  confirmed: boolean;
  /** False once the peer said (signed notice) it cannot read this session. */
  sendable: boolean;
}

interface Pending {
  readonly peerHex: string;
  readonly hs: HandshakeState;
  readonly pattern: HandshakePattern;
  readonly initiator: boolean;
  readonly createdAt: number;
  readonly ratchetKeyPair?: KeyPair;
}

/**
 * A replay cache of signed, timestamped messages from one peer (first handshake messages, or
 * notices): hex digests with the peer's timestamp, oldest first, at most
 * MAX_REPLAY_CACHE_PER_PEER. When full, the oldest entry goes and `floor` rises to its time:
 * anything stamped at or before the floor is refused, so an evicted message can never be
 * replayed (a peer cannot be made to forget by being flooded with new entries).
 */
export interface ReplayCache {
  tags: string[];
  times: number[];
  floor: number;
}

export function emptyReplayCache(): ReplayCache {
  return { tags: [], times: [], floor: 0 };
}

/** Everything about one peer; what `exportState` stores (less the pending handshakes). */
export interface PeerState {
  contact: Contact | undefined;
  sessions: Session[];
  /** First handshake messages (IK/KK message 0) already accepted. */
  handshakesSeen: ReplayCache;
  /** Notices already acted on. Kept apart: anyone can make the peer send us notices. */
  noticesSeen: ReplayCache;
  /** Per message id (hex): the session (hex id) it was last sent on. */
  lastSent: Map<string, string>;
  noticeWindow: { start: number; count: number };
}

const PROLOGUE_LABEL = utf8(LABELS.handshakeAuth);
const EMPTY = new Uint8Array(0);

/**
 * The session manager: one or more Double Ratchet sessions per peer, started by Noise handshakes
 * authenticated by the peers' identities, with authenticated recovery when either side lost its
 * state (see README "Sessions and the reinstall problem").
 *
 * Rules that make the reinstall chain impossible:
 * 1. Only a handshake whose static key is certified by the peer's identity (or a successor it
 *    proves) creates a session or changes who a peer is.
 * 2. Only a message that decrypts confirms a session; the newest confirmed session sends.
 * 3. A message we cannot read yields one signed, unique notice; a notice never yields a notice.
 * 4. A notice is acted on once (replay cache), only if signed by the peer's identity, and only
 *    for a session and message that are ours.
 */
export class SessionManager {
  readonly identity: Identity;
  readonly suite: RatchetSuite;
  readonly #backend: CryptoBackend;
  readonly #clock: Clock;
  readonly #random: RandomBytes;
  readonly #init: SessionManagerInit;
  readonly #maxPeers: number;
  readonly #peers = new Map<string, PeerState>();
  /** Peer ids (hex) replaced by a succession we followed → their successor's peer id. */
  readonly #retired = new Map<string, Uint8Array>();
  readonly #unknownNotices = { start: 0, count: 0 };
  /** Handshakes waiting for the peer's next message, by `peerHex/handshakeIdHex` (memory only). */
  readonly #pending = new Map<string, Pending>();

  constructor(init: SessionManagerInit) {
    this.identity = init.identity;
    this.#backend = init.backend ?? nobleBackend;
    this.suite = ratchetSuite(this.#backend, init.suite);
    this.#clock = init.clock ?? systemClock();
    this.#random = init.random ?? this.#backend.randomBytes;
    resolveRatchetLimits(init.ratchetLimits); // a bad limit fails here, not in a handshake
    const maxPeers = init.maxPeers ?? DEFAULT_MAX_PEERS;
    if (!Number.isSafeInteger(maxPeers) || maxPeers < 1 || maxPeers > MAX_STORED_PEERS) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `"maxPeers" expected an integer in [1, ${MAX_STORED_PEERS}], got ${maxPeers}`,
      );
    }
    this.#maxPeers = maxPeers;
    this.#init = init;
  }

  get peerId(): Uint8Array {
    return this.identity.peerId;
  }

  /**
   * Adds (or updates) a contact from an invite or a verified identity record: its identity key
   * and, optionally, a static-key certificate (verified here) that enables IK.
   */
  addContact(contact: { identityKey: Uint8Array; staticKeyCertificate?: Uint8Array }): Contact {
    assertBytes(contact.identityKey, 'identityKey', 32);
    const staticKey =
      contact.staticKeyCertificate === undefined
        ? undefined
        : this.#verifyCertificate(contact.staticKeyCertificate, undefined, contact.identityKey)
            .publicKey;
    return this.#setContact(contact.identityKey, staticKey);
  }

  /**
   * Adds (or updates) a contact from its signed identity record (`@p2pe/identity`, e.g. from the
   * DHT): verified (signature, expiry, revocations, and `identityKey` when given), and its newest
   * valid static key of our suite enables IK.
   */
  addContactFromRecord(record: Uint8Array, options: { identityKey?: Uint8Array } = {}): Contact {
    let verified: VerifiedRecord;
    try {
      verified = verifyRecord(record, {
        ...this.#verifyOptions(),
        ...(options.identityKey === undefined ? {} : { identityKey: options.identityKey }),
      });
    } catch (err) {
      if (!P2peError.is(err) || err.category === 'decode' || err.category === 'limit') throw err;
      throw new StateError('SESSION_IDENTITY_REJECTED', `identity record refused (${err.code})`, {
        cause: err,
      });
    }
    const key = pickStaticKey(verified, this.suite.names.dh, { clock: this.#clock });
    return this.#setContact(verified.identityKey, key?.publicKey);
  }

  #setContact(identityKey: Uint8Array, staticKey: Uint8Array | undefined): Contact {
    const peerId = peerIdOf(identityKey, { crypto: this.#backend });
    this.#refuseRetired(peerId);
    const peer = this.#peer(peerId);
    const prev = peer.contact;
    if (prev !== undefined && !equalBytes(prev.identityKey, identityKey)) {
      throw new ValidationError('SESSION_CONTACT_CONFLICT', 'contact has another identity key');
    }
    const key = staticKey ?? prev?.staticKey;
    const next: Contact = {
      peerId,
      identityKey: identityKey.slice(),
      knowsOurStaticKey: prev?.knowsOurStaticKey ?? false,
      ...(key === undefined ? {} : { staticKey: key.slice() }),
    };
    peer.contact = next;
    return next;
  }

  /**
   * The successor of a peer whose identity was replaced by a succession we followed (the old id
   * is refused from then on: in handshakes, `addContact` and `send`); undefined otherwise.
   */
  successorOf(peerId: Uint8Array): Uint8Array | undefined {
    return this.#retired.get(toHex(peerId))?.slice();
  }

  #refuseRetired(peerId: Uint8Array): void {
    if (this.#retired.has(toHex(peerId))) {
      throw new StateError(
        'SESSION_CONTACT_SUCCEEDED',
        'this identity was replaced by a succession: use its successor (successorOf)',
      );
    }
  }

  contact(peerId: Uint8Array): Contact | undefined {
    return this.#peers.get(toHex(peerId))?.contact;
  }

  /** Sessions with a peer, newest first. */
  sessions(peerId: Uint8Array): readonly Session[] {
    return this.#peers.get(toHex(peerId))?.sessions ?? [];
  }

  /**
   * Encrypts a message for a peer: on its sending session, or, with none, in a new handshake
   * (IK/KK carry the message in their first message; XX does not: `carriesMessage` is false and
   * the message should be sent again on `session-established`). Throws StateError
   * `SESSION_IDENTITY_REJECTED` when `revocations` says the contact's identity is revoked.
   */
  send(peerId: Uint8Array, messageId: Uint8Array, plaintext: Uint8Array): SendResult {
    checkedNow(this.#clock); // a broken clock throws here, not as silent certificate refusals
    assertBytes(peerId, 'peerId');
    assertBytes(messageId, 'messageId');
    assertBytes(plaintext, 'plaintext');
    if (messageId.length > MAX_MESSAGE_ID_BYTES) {
      throw new ValidationError(
        'INVALID_LENGTH',
        `"messageId" longer than ${MAX_MESSAGE_ID_BYTES}`,
      );
    }
    this.#refuseRetired(peerId);
    const peer = this.#peer(peerId);
    if (this.#revoked(peer.contact)) {
      throw new StateError('SESSION_IDENTITY_REJECTED', 'the contact’s identity is revoked');
    }
    const now = this.#clock.now();
    this.#expire(peer, now);
    const session = sendingSession(peer);
    if (session !== undefined) {
      const body = session.ratchet.encrypt(plaintext, messageId);
      session.lastUsedAt = now;
      peer.lastSent.set(toHex(messageId), toHex(session.id));
      trimMap(peer.lastSent, MAX_REPLAY_CACHE_PER_PEER);
      return {
        kind: 'ratchet',
        carriesMessage: true,
        envelope: encodeEnvelope({
          fromPeer: this.peerId,
          toPeer: peerId,
          sessionId: session.id,
          messageId,
          kind: EnvelopeKind.RATCHET,
          body,
        }),
      };
    }
    const contact = peer.contact;
    if (contact === undefined) {
      throw new StateError('SESSION_UNKNOWN_PEER', 'no contact for this peer: add it first');
    }
    const pattern: HandshakePattern =
      contact.staticKey === undefined ? 'XX' : contact.knowsOurStaticKey ? 'KK' : 'IK';
    if (pattern === 'XX') {
      // XX cannot carry the message: one handshake at a time, retried after XX_RETRY_MS.
      for (const [key, p] of this.#pending) {
        if (p.peerHex !== toHex(peerId) || !p.initiator || p.pattern !== 'XX') continue;
        if (now - p.createdAt < XX_RETRY_MS) {
          throw new StateError('SESSION_PENDING', 'an XX handshake with this peer is under way');
        }
        this.#pending.delete(key);
      }
    }
    const own = this.#ownStatic();
    const hid = this.#random(16);
    const hs = new HandshakeState({
      protocol: this.#protocol(pattern),
      initiator: true,
      backend: this.#backend,
      prologue: this.#prologue(this.peerId, peerId, messageId),
      localStatic: own,
      ...(pattern === 'XX' ? {} : { remoteStatic: contact.staticKey! }),
      random: this.#random,
    });
    const zeroRtt = pattern !== 'XX' && this.#init.zeroRtt !== false;
    const payload =
      pattern === 'XX'
        ? EMPTY
        : encodeHandshakePayload({
            ...(pattern === 'IK' ? { certificate: own.certificate } : {}),
            successions: this.identity.successions,
            ...(zeroRtt ? { data: plaintext } : {}),
            sentAt: now,
          });
    const body = hs.writeMessage(payload);
    this.#addPending(toHex(hid), {
      peerHex: toHex(peerId),
      hs,
      pattern,
      initiator: true,
      createdAt: now,
    });
    if (zeroRtt) {
      peer.lastSent.set(toHex(messageId), toHex(hid));
      trimMap(peer.lastSent, MAX_REPLAY_CACHE_PER_PEER); // the stored record allows no more
    }
    return {
      kind: 'handshake',
      carriesMessage: zeroRtt,
      envelope: encodeEnvelope({
        fromPeer: this.peerId,
        toPeer: peerId,
        sessionId: hid,
        messageId,
        kind: EnvelopeKind.HANDSHAKE,
        body,
        handshakeStep: 0,
        pattern,
        ...(pattern === 'XX' ? {} : { responderStatic: contact.staticKey! }),
      }),
    };
  }

  /**
   * Handles one envelope from the network. Malformed envelopes throw a DecodeError (or
   * LimitError); every protocol outcome is a result, with any envelopes to send back in
   * `replies`. Nothing that fails authentication changes a session or a contact.
   */
  receive(bytes: Uint8Array): ReceiveResult {
    checkedNow(this.#clock); // a broken clock throws here, not as silent certificate refusals
    const env = decodeEnvelope(bytes);
    if (!equalBytes(env.toPeer, this.peerId)) return this.#drop(env.fromPeer, 'not-for-us');
    switch (env.kind) {
      case EnvelopeKind.RATCHET:
        return this.#receiveRatchet(env);
      case EnvelopeKind.NOTICE:
        return this.#receiveNotice(env);
      default:
        return this.#receiveHandshake(env);
    }
  }

  #receiveRatchet(env: SessionEnvelope): ReceiveResult {
    const now = this.#clock.now();
    const peer = this.#peers.get(toHex(env.fromPeer));
    const session = peer?.sessions.find((s) => equalBytes(s.id, env.sessionId));
    if (peer === undefined || session === undefined) {
      return this.#undecryptable(env, NoticeReason.NO_SESSION, 'no-session', now);
    }
    // A revoked identity's key may be in other hands: its sessions end with it.
    if (this.#revoked(peer.contact)) return this.#drop(env.fromPeer, 'identity-rejected');
    try {
      const { plaintext } = session.ratchet.decrypt(env.body, env.messageId);
      session.lastUsedAt = now;
      if (!session.confirmed || peer.sessions[0] !== session) {
        // The peer holds this session: confirm it and make it the one we send on (libsignal
        // promotes the session that decrypted, so both sides converge on one). A session we
        // stopped sending on (resetSessions, or the peer's signed notice) stays stopped: a late
        // message sent before that must not undo it.
        session.confirmed = true;
        peer.sessions = [session, ...peer.sessions.filter((s) => s !== session)];
      }
      return {
        type: 'message',
        peerId: env.fromPeer,
        messageId: env.messageId,
        plaintext,
        zeroRtt: false,
        replies: [],
      };
    } catch (err) {
      if (!P2peError.is(err)) throw err;
      if (err.code === 'RATCHET_DUPLICATE') return this.#drop(env.fromPeer, 'duplicate');
      if (err.category === 'decode') return this.#drop(env.fromPeer, 'malformed');
      return this.#undecryptable(env, NoticeReason.CANNOT_DECRYPT, 'cannot-decrypt', now);
    }
  }

  /** A message we cannot read: answer with one signed notice (rate-limited), never more. */
  #undecryptable(
    env: SessionEnvelope,
    reason: NoticeReason,
    drop: DropReason,
    now: number,
  ): ReceiveResult {
    // Rate limit per known peer; claimed ids of peers we do not know share one budget (they are
    // unauthenticated, so no state is made for them).
    const window = this.#peers.get(toHex(env.fromPeer))?.noticeWindow ?? this.#unknownNotices;
    if (now - window.start >= 60_000) {
      window.start = now;
      window.count = 0;
    }
    if (window.count >= MAX_NOTICES_PER_MINUTE) return this.#drop(env.fromPeer, drop);
    window.count++;
    const notice = encodeNotice({
      fromPeer: this.peerId,
      toPeer: env.fromPeer,
      sessionId: env.sessionId,
      messageId: env.messageId,
      issuedAt: now,
      nonce: this.#random(16),
      reason,
    });
    const signature = this.#backend.ed25519.sign(
      this.identity.secretKey,
      noticeSigningInput(notice),
    );
    const reply = encodeEnvelope({
      fromPeer: this.peerId,
      toPeer: env.fromPeer,
      sessionId: env.sessionId,
      messageId: env.messageId,
      kind: EnvelopeKind.NOTICE,
      body: encodeSignedNotice({ notice, identityKey: this.identity.publicKey, signature }),
    });
    this.#emit({ type: 'notice-sent', peerId: env.fromPeer, messageId: env.messageId, reason });
    this.#emit({ type: 'dropped', peerId: env.fromPeer, reason: drop });
    return { type: 'dropped', reason: drop, replies: [reply] };
  }

  #receiveNotice(env: SessionEnvelope): ReceiveResult {
    const now = this.#clock.now();
    let signed: ReturnType<typeof decodeSignedNotice>;
    let notice: ReturnType<typeof decodeNotice>;
    try {
      signed = decodeSignedNotice(env.body);
      notice = decodeNotice(signed.notice);
    } catch (err) {
      if (P2peError.is(err)) return this.#drop(env.fromPeer, 'malformed');
      throw err;
    }
    const peer = this.#peers.get(toHex(env.fromPeer));
    const contact = peer?.contact;
    if (
      !equalBytes(notice.fromPeer, env.fromPeer) ||
      !equalBytes(notice.toPeer, this.peerId) ||
      !equalBytes(peerIdOf(signed.identityKey, { crypto: this.#backend }), notice.fromPeer)
    ) {
      return this.#drop(env.fromPeer, 'bad-signature');
    }
    if (peer === undefined || contact === undefined)
      return this.#drop(env.fromPeer, 'unknown-peer');
    if (
      !equalBytes(contact.identityKey, signed.identityKey) ||
      this.#init.revocations?.isRevoked(signed.identityKey) === true ||
      !this.#backend.ed25519.verify(
        signed.signature,
        noticeSigningInput(signed.notice),
        signed.identityKey,
      )
    ) {
      return this.#drop(env.fromPeer, 'bad-signature');
    }
    if (notice.issuedAt > now + MAX_CLOCK_SKEW_MS || now - notice.issuedAt > MAX_NOTICE_AGE_MS) {
      return this.#drop(env.fromPeer, 'stale');
    }
    const tag = toHex(this.suite.hash.digest(signed.notice));
    if (replayed(peer.noticesSeen, tag, notice.issuedAt)) return this.#drop(env.fromPeer, 'replay');
    remember(peer.noticesSeen, tag, notice.issuedAt);
    const sidHex = toHex(notice.sessionId);
    const midHex = toHex(notice.messageId);
    const ours = peer.lastSent.get(midHex) === sidHex;
    // "No such session" is the peer's (authenticated) word that it lost the session: stop sending
    // on it, and do not assume it still has our static key. "Could not decrypt" counts only for
    // a message we sent on that session. Either counts only if the session (or our handshake) is
    // one we hold: anyone can make the peer sign "no such session" for a made-up id, by sending
    // it garbage in our name, and that must not change anything here (e.g. turn KK into IK).
    const session = peer.sessions.find((s) => toHex(s.id) === sidHex);
    const pendingKey = `${toHex(notice.fromPeer)}/${sidHex}`;
    const ourHandshake = this.#pending.get(pendingKey)?.initiator === true;
    if (
      (session !== undefined || ourHandshake) &&
      (notice.reason === NoticeReason.NO_SESSION || ours)
    ) {
      if (session !== undefined) session.sendable = false;
      peer.contact = { ...contact, knowsOurStaticKey: false };
      // It could not open our IK/KK first message. "No session": the static key we used is not
      // its own any more; forget it, the next handshake is XX and learns the current one.
      // "Cannot decrypt": the message was damaged in transit; keep the key (no forced XX).
      if (ourHandshake) {
        this.#pending.delete(pendingKey);
        if (notice.reason === NoticeReason.NO_SESSION) {
          const { staticKey: _dropped, ...rest } = peer.contact;
          peer.contact = rest;
        }
      }
    }
    const resend =
      ours && this.#init.hooks?.hasPendingMessage?.(notice.fromPeer, notice.messageId) === true;
    if (resend) {
      peer.lastSent.delete(midHex);
      this.#emit({
        type: 'resend-requested',
        peerId: notice.fromPeer,
        messageId: notice.messageId,
        sessionId: notice.sessionId,
      });
    }
    return {
      type: 'notice',
      peerId: notice.fromPeer,
      messageId: notice.messageId,
      resend,
      replies: [],
    };
  }

  #receiveHandshake(env: SessionEnvelope): ReceiveResult {
    const step = env.handshakeStep ?? 0;
    const pattern = env.pattern;
    if (pattern === undefined) return this.#drop(env.fromPeer, 'malformed');
    try {
      if (step === 0) return this.#respond(env, pattern);
      return this.#continue(env, step);
    } catch (err) {
      if (!P2peError.is(err)) throw err;
      const reason: DropReason =
        err.code === 'SESSION_IDENTITY_REJECTED'
          ? 'identity-rejected'
          : err.code === 'SESSION_TOO_MANY_PEERS'
            ? 'too-many-peers'
            : 'handshake-failed';
      return this.#drop(env.fromPeer, reason);
    }
  }

  /** Message 0 of a handshake: we are the responder. */
  #respond(env: SessionEnvelope, pattern: HandshakePattern): ReceiveResult {
    const now = this.#clock.now();
    const fromHex = toHex(env.fromPeer);
    const known = this.#peers.get(fromHex)?.contact;
    const own =
      env.responderStatic !== undefined
        ? this.identity.findStaticKey(this.suite.names.dh, env.responderStatic)
        : this.#ownStatic();
    // IK/KK message 0 we cannot open (a static key we no longer have, e.g. after a reinstall
    // that made new static keys, or KK from a peer whose key we lost): answer with a signed
    // notice, so the initiator falls back to XX and learns our current key.
    // "No session" tells the initiator to forget the static key it used (its next handshake is
    // XX). Only say it when that key may be the problem; an IK message 0 that fails under a key
    // we do hold was tampered with, and gets "cannot decrypt" (a resend, IK again), so a network
    // attacker cannot force XX by flipping a bit.
    const cannotOpen = (reason: NoticeReason = NoticeReason.NO_SESSION): ReceiveResult =>
      pattern === 'XX'
        ? this.#drop(env.fromPeer, 'handshake-failed')
        : this.#undecryptable(env, reason, 'handshake-failed', now);
    if (own === undefined) return cannotOpen();
    if (pattern === 'KK' && known?.staticKey === undefined) return cannotOpen();
    // KK carries no certificate (the static key was certified when we learned it): check here.
    if (pattern === 'KK' && this.#revoked(known)) {
      return this.#drop(env.fromPeer, 'identity-rejected');
    }
    const hs = new HandshakeState({
      protocol: this.#protocol(pattern),
      initiator: false,
      backend: this.#backend,
      prologue: this.#prologue(env.fromPeer, this.peerId, env.messageId),
      localStatic: own,
      ...(pattern === 'KK' ? { remoteStatic: known!.staticKey! } : {}),
      random: this.#random,
    });
    let payloadBytes: Uint8Array;
    try {
      payloadBytes = hs.readMessage(env.body);
    } catch (err) {
      if (P2peError.is(err) && err.category === 'verification') {
        return cannotOpen(pattern === 'IK' ? NoticeReason.CANNOT_DECRYPT : NoticeReason.NO_SESSION);
      }
      throw err;
    }
    if (pattern === 'XX') {
      // Message 0 of XX is unauthenticated: keep a bounded pending handshake, change nothing else.
      const ratchetKeyPair = this.suite.dh.generateKeyPair(this.#random);
      const body = hs.writeMessage(
        encodeHandshakePayload({
          certificate: own.certificate,
          successions: this.identity.successions,
          ratchetKey: ratchetKeyPair.publicKey,
          sentAt: now,
        }),
      );
      this.#addPending(toHex(env.sessionId), {
        peerHex: fromHex,
        hs,
        pattern,
        initiator: false,
        createdAt: now,
        ratchetKeyPair,
      });
      return {
        type: 'handshake',
        peerId: env.fromPeer,
        replies: [this.#handshakeReply(env, 1, body)],
      };
    }
    const payload = decodeHandshakePayload(payloadBytes);
    if (payload.sentAt > now + MAX_CLOCK_SKEW_MS || now - payload.sentAt > MAX_HANDSHAKE_AGE_MS) {
      return this.#drop(env.fromPeer, 'stale');
    }
    const tag = toHex(hs.getHandshakeHash());
    const seen = this.#peers.get(fromHex)?.handshakesSeen;
    if (seen !== undefined && replayed(seen, tag, payload.sentAt)) {
      return this.#drop(env.fromPeer, 'replay');
    }
    // IK: the initiator's static key must be certified by its identity (or a proven successor).
    const remoteStatic = hs.remoteStatic!;
    const peer =
      pattern === 'IK'
        ? this.#acceptIdentity(
            env.fromPeer,
            this.#verifyCertificate(payload.certificate, remoteStatic),
            payload,
          )
        : this.#peer(env.fromPeer);
    remember(peer.handshakesSeen, tag, payload.sentAt);
    const ratchetKeyPair = this.suite.dh.generateKeyPair(this.#random);
    const body = hs.writeMessage(
      encodeHandshakePayload({
        successions: [],
        ratchetKey: ratchetKeyPair.publicKey,
        sentAt: now,
      }),
    );
    const session = this.#addSession(peer, hs, false, { ratchetKeyPair }, now, false);
    peer.contact = { ...peer.contact!, staticKey: remoteStatic, knowsOurStaticKey: true };
    this.#emit({
      type: 'session-established',
      peerId: env.fromPeer,
      sessionId: session.id,
      initiator: false,
    });
    const replies = [this.#handshakeReply(env, 1, body)];
    if (payload.data !== undefined) {
      return {
        type: 'message',
        peerId: env.fromPeer,
        messageId: env.messageId,
        plaintext: payload.data,
        zeroRtt: true,
        replies,
      };
    }
    return { type: 'handshake', peerId: env.fromPeer, replies };
  }

  /** Messages 1 and 2: a handshake we have pending. */
  #continue(env: SessionEnvelope, step: number): ReceiveResult {
    const now = this.#clock.now();
    const hidHex = toHex(env.sessionId);
    const key = `${toHex(env.fromPeer)}/${hidHex}`;
    const pending = this.#pending.get(key);
    if (pending === undefined || pending.hs.messageIndex !== step) {
      return this.#drop(env.fromPeer, 'unknown-handshake');
    }
    // HandshakeState commits a message only when it authenticates. No peer state is made before
    // that: message 0 of XX names any peer id it likes.
    const payload = decodeHandshakePayload(pending.hs.readMessage(env.body));
    if (pending.initiator) {
      if (payload.ratchetKey === undefined) return this.#drop(env.fromPeer, 'handshake-failed');
      let replies: Uint8Array[] = [];
      let accepted = this.#peers.get(toHex(env.fromPeer));
      if (pending.pattern === 'XX') {
        const rs = pending.hs.remoteStatic!;
        accepted = this.#acceptIdentity(
          env.fromPeer,
          this.#verifyCertificate(payload.certificate, rs),
          payload,
        );
        const own = this.#ownStatic();
        const body = pending.hs.writeMessage(
          encodeHandshakePayload({
            certificate: own.certificate,
            successions: this.identity.successions,
            sentAt: now,
          }),
        );
        replies = [this.#handshakeReply(env, 2, body)];
      }
      this.#pending.delete(key);
      // IK/KK: the contact we started with (gone only if a succession replaced it meanwhile).
      if (accepted?.contact === undefined) return this.#drop(env.fromPeer, 'unknown-peer');
      const session = this.#addSession(
        accepted,
        pending.hs,
        true,
        { responderRatchetKey: payload.ratchetKey },
        now,
        true,
      );
      accepted.contact = {
        ...accepted.contact!,
        staticKey: pending.hs.remoteStatic!,
        knowsOurStaticKey: true,
      };
      // A message carried in message 0 now belongs to this session.
      for (const [mid, sid] of accepted.lastSent)
        if (sid === hidHex) accepted.lastSent.set(mid, toHex(session.id));
      this.#emit({
        type: 'session-established',
        peerId: accepted.contact.peerId,
        sessionId: session.id,
        initiator: true,
      });
      return { type: 'handshake', peerId: accepted.contact.peerId, replies };
    }
    // XX message 2: the initiator's identity.
    const rs = pending.hs.remoteStatic!;
    const accepted = this.#acceptIdentity(
      env.fromPeer,
      this.#verifyCertificate(payload.certificate, rs),
      payload,
    );
    this.#pending.delete(key);
    const session = this.#addSession(
      accepted,
      pending.hs,
      false,
      { ratchetKeyPair: pending.ratchetKeyPair! },
      now,
      true,
    );
    accepted.contact = { ...accepted.contact!, staticKey: rs, knowsOurStaticKey: true };
    this.#emit({
      type: 'session-established',
      peerId: env.fromPeer,
      sessionId: session.id,
      initiator: false,
    });
    return { type: 'handshake', peerId: env.fromPeer, replies: [] };
  }

  /**
   * Who the peer is: the certified identity must be the contact's, or a successor proven by the
   * successions in the payload; a peer we have never seen is added only if `acceptNewPeers`.
   */
  #acceptIdentity(
    claimedPeerId: Uint8Array,
    cert: { identityKey: Uint8Array; peerId: Uint8Array },
    payload: HandshakePayload,
  ): PeerState {
    if (!equalBytes(cert.peerId, claimedPeerId)) {
      throw new StateError('SESSION_IDENTITY_REJECTED', 'certificate is for another peer');
    }
    const known = this.#peers.get(toHex(claimedPeerId));
    if (known?.contact !== undefined) {
      if (!equalBytes(known.contact.identityKey, cert.identityKey)) {
        throw new StateError('SESSION_IDENTITY_REJECTED', 'identity differs from the contact');
      }
      return known;
    }
    // An identity its owner replaced: whoever holds that old key now is not the contact.
    if (this.#retired.has(toHex(claimedPeerId))) {
      throw new StateError('SESSION_IDENTITY_REJECTED', 'identity was replaced by a succession');
    }
    // A successor of a contact we know? (Peer state is made only once the peer is accepted.)
    const found = this.#predecessor(cert.identityKey, payload.successions);
    if (found !== undefined) {
      const { contact: predecessor, replaced } = found;
      // Every identity the chain replaces is retired: the contact we knew and any later one we
      // may also have added (its owner moved on too). Removed first, so a full manager has room.
      const succeeded: Uint8Array[] = [];
      for (const oldPeerId of replaced) {
        const hex = toHex(oldPeerId);
        const had = this.#peers.get(hex)?.contact !== undefined;
        this.#peers.delete(hex);
        this.#retired.set(hex, claimedPeerId.slice());
        if (had || equalBytes(oldPeerId, predecessor.peerId)) succeeded.push(oldPeerId);
      }
      trimMap(this.#retired, MAX_RETIRED_PEERS);
      const peer = this.#peer(claimedPeerId);
      peer.contact = {
        peerId: claimedPeerId,
        identityKey: cert.identityKey,
        knowsOurStaticKey: false,
      };
      for (const oldPeerId of succeeded) {
        this.#emit({
          type: 'identity-succeeded',
          oldPeerId,
          peerId: claimedPeerId,
          identityKey: cert.identityKey,
        });
      }
      return peer;
    }
    if (this.#init.acceptNewPeers === false) {
      throw new StateError('SESSION_IDENTITY_REJECTED', 'handshake from an unknown peer');
    }
    const peer = this.#peer(claimedPeerId);
    peer.contact = {
      peerId: claimedPeerId,
      identityKey: cert.identityKey,
      knowsOurStaticKey: false,
    };
    this.#emit({ type: 'peer-added', peerId: claimedPeerId, identityKey: cert.identityKey });
    return peer;
  }

  /**
   * The contact whose identity the successions lead from to `identityKey`, if any, and the peer
   * ids the chain replaces from there on (the contact's and every intermediate one). The chain is
   * the peer's whole history (oldest first) and we may have met it at any key in it: the first
   * step that starts at a contact's key is where we join it, found by that key's peer id, so the
   * cost is bounded by the chain (at most 32 steps), never by the number of contacts.
   */
  #predecessor(
    identityKey: Uint8Array,
    successions: readonly Uint8Array[],
  ): { contact: Contact; replaced: Uint8Array[] } | undefined {
    const options = this.#verifyOptions();
    for (let i = 0; i < successions.length; i++) {
      let step: Succession;
      try {
        step = verifySuccession(successions[i]!, options);
      } catch {
        return undefined;
      }
      const old = this.#peers.get(toHex(step.oldPeerId))?.contact;
      if (old === undefined || !equalBytes(old.identityKey, step.oldKey)) continue;
      try {
        // Verified once; the path never returns to a key (SUCCESSION_LOOP), so the end is not
        // among the keys it replaces.
        const path = successionPath(old.identityKey, successions.slice(i), options);
        if (!equalBytes(path.at(-1)!, identityKey)) return undefined;
        const replaced = path.slice(0, -1).map((key) => peerIdOf(key, { crypto: this.#backend }));
        return { contact: old, replaced };
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  #verifyCertificate(
    certificate: Uint8Array | undefined,
    staticKey: Uint8Array | undefined,
    identityKey?: Uint8Array,
  ): { identityKey: Uint8Array; peerId: Uint8Array; publicKey: Uint8Array } {
    if (certificate === undefined) {
      throw new StateError(
        'SESSION_IDENTITY_REJECTED',
        'handshake without a static-key certificate',
      );
    }
    try {
      return verifyStaticKeyCertificate(certificate, {
        ...this.#verifyOptions(),
        suite: this.suite.names.dh,
        ...(staticKey === undefined ? {} : { staticKey }),
        ...(identityKey === undefined ? {} : { identityKey }),
      });
    } catch (err) {
      if (!P2peError.is(err)) throw err;
      // Bad signature, revoked identity, expired or mismatched key: the peer is not who it says.
      throw new StateError(
        'SESSION_IDENTITY_REJECTED',
        `static-key certificate refused (${err.code})`,
        {
          cause: err,
        },
      );
    }
  }

  #revoked(contact: Contact | undefined): boolean {
    return contact !== undefined && this.#init.revocations?.isRevoked(contact.identityKey) === true;
  }

  #verifyOptions() {
    return {
      crypto: this.#backend,
      clock: this.#clock,
      ...(this.#init.revocations === undefined ? {} : { revocations: this.#init.revocations }),
    };
  }

  #addSession(
    peer: PeerState,
    hs: HandshakeState,
    initiator: boolean,
    keys: { ratchetKeyPair?: KeyPair; responderRatchetKey?: Uint8Array },
    now: number,
    confirmed: boolean,
  ): Session {
    const split = hs.split();
    const me = this.peerId;
    const them = peer.contact!.peerId;
    const parties = initiator
      ? { initiator: me, responder: them }
      : { initiator: them, responder: me };
    const options = this.#ratchetOptions();
    const he = this.#init.headerEncryption === true;
    const ratchet = initiator
      ? seedInitiator(
          this.suite,
          {
            handshake: split,
            parties,
            responderRatchetKey: keys.responderRatchetKey!,
            headerEncryption: he,
          },
          options,
        )
      : seedResponder(
          this.suite,
          { handshake: split, parties, ratchetKeyPair: keys.ratchetKeyPair!, headerEncryption: he },
          options,
        );
    const session: Session = {
      id: split.handshakeHash,
      ratchet,
      initiator,
      createdAt: now,
      lastUsedAt: now,
      confirmed,
      sendable: true,
    };
    peer.sessions = [session, ...peer.sessions].slice(0, MAX_SESSIONS_PER_PEER);
    return session;
  }

  #handshakeReply(env: SessionEnvelope, step: number, body: Uint8Array): Uint8Array {
    return encodeEnvelope({
      fromPeer: this.peerId,
      toPeer: env.fromPeer,
      sessionId: env.sessionId,
      messageId: env.messageId,
      kind: EnvelopeKind.HANDSHAKE,
      body,
      handshakeStep: step,
      pattern: env.pattern!,
    });
  }

  #ownStatic(): KeyPair & { certificate: Uint8Array } {
    const own = this.identity.staticKey(this.suite.names.dh, { clock: this.#clock });
    if (own === undefined) {
      throw new StateError('SESSION_NO_STATIC_KEY', `no valid ${this.suite.names.dh} static key`);
    }
    return own;
  }

  #protocol(pattern: HandshakePattern): string {
    const n = this.suite.names;
    return `Noise_${pattern}_${n.dh}_${n.aead}_${n.hash}`;
  }

  /**
   * Noise prologue (§6): binds both peer ids (initiator first) and the envelope's message id into
   * the handshake hash, so none of them can be changed in transit.
   */
  #prologue(initiator: Uint8Array, responder: Uint8Array, messageId: Uint8Array): Uint8Array {
    return concatBytes(
      PROLOGUE_LABEL,
      Uint8Array.of(initiator.length),
      initiator,
      Uint8Array.of(responder.length),
      responder,
      Uint8Array.of(messageId.length),
      messageId,
    );
  }

  #peer(peerId: Uint8Array): PeerState {
    const hex = toHex(peerId);
    let peer = this.#peers.get(hex);
    if (peer === undefined) {
      if (this.#peers.size >= this.#maxPeers) {
        throw new LimitError(
          'SESSION_TOO_MANY_PEERS',
          `the session manager already holds ${this.#peers.size} peers (maxPeers)`,
        );
      }
      peer = {
        contact: undefined,
        sessions: [],
        handshakesSeen: emptyReplayCache(),
        noticesSeen: emptyReplayCache(),
        lastSent: new Map(),
        noticeWindow: { start: 0, count: 0 },
      };
      this.#peers.set(hex, peer);
    }
    return peer;
  }

  /** Bounded per peer and in total: message 0 of XX is unauthenticated, so the oldest go. */
  #addPending(hidHex: string, p: Pending): void {
    this.#pending.set(`${p.peerHex}/${hidHex}`, p);
    const mine = [...this.#pending].filter(([, v]) => v.peerHex === p.peerHex);
    if (mine.length > MAX_PENDING_HANDSHAKES_PER_PEER) this.#pending.delete(mine[0]![0]);
    while (this.#pending.size > MAX_PENDING_HANDSHAKES) {
      this.#pending.delete(this.#pending.keys().next().value!);
    }
  }

  #expire(peer: PeerState, now: number): void {
    peer.sessions = peer.sessions.filter(
      (s, i) => i === 0 || now - s.lastUsedAt < SESSION_MAX_IDLE_MS,
    );
  }

  #drop(peerId: Uint8Array, reason: DropReason): ReceiveResult {
    this.#emit({ type: 'dropped', peerId, reason });
    return { type: 'dropped', reason, replies: [] };
  }

  #emit(event: SessionEvent): void {
    this.#init.hooks?.onEvent?.(event);
  }

  /**
   * Every peer's contact and sessions as versioned bytes (storage.proto SessionManagerState).
   * Holds every session secret: store it encrypted at rest. Pending handshakes are not included.
   */
  exportState(): Uint8Array {
    return encodeManagerState(this.#peers, this.#retired);
  }

  /**
   * A manager restored from `exportState` bytes (size limit, version, then every record; a bad
   * record refuses the whole state, never a partial one).
   */
  static restore(
    bytes: Uint8Array,
    init: SessionManagerInit,
    maxBytes = 64 * 1024 * 1024,
  ): SessionManager {
    const manager = new SessionManager(init);
    const { peers, retired } = decodeManagerState(
      bytes,
      manager.#backend,
      manager.#ratchetOptions(),
      maxBytes,
    );
    for (const [hex, p] of peers) manager.#peers.set(hex, p);
    for (const [hex, successor] of retired) manager.#retired.set(hex, successor);
    return manager;
  }

  /** Stop sending on every session with a peer: the next `send` starts a new handshake. */
  resetSessions(peerId: Uint8Array): void {
    for (const s of this.#peers.get(toHex(peerId))?.sessions ?? []) s.sendable = false;
  }

  #ratchetOptions() {
    return {
      clock: this.#clock,
      random: this.#random,
      ...(this.#init.ratchetLimits === undefined ? {} : { limits: this.#init.ratchetLimits }),
    };
  }
}

/** The newest confirmed sendable session, else the newest sendable one. */
function sendingSession(peer: PeerState): Session | undefined {
  let fallback: Session | undefined;
  for (const s of peer.sessions) {
    if (!s.sendable || !s.ratchet.canSend) continue;
    if (s.confirmed) return s;
    fallback ??= s;
  }
  return fallback;
}

function replayed(cache: ReplayCache, tag: string, time: number): boolean {
  return time <= cache.floor || cache.tags.includes(tag);
}

function remember(cache: ReplayCache, tag: string, time: number): void {
  cache.tags.push(tag);
  cache.times.push(time);
  while (cache.tags.length > MAX_REPLAY_CACHE_PER_PEER) {
    cache.tags.shift();
    cache.floor = Math.max(cache.floor, cache.times.shift()!);
  }
}

function trimMap<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!);
}
