import type { CryptoBackend } from '@p2pe/crypto';
import { DecodeError, fromHex, ProtoMessage, ProtoWriter, toHex } from '@p2pe/transport-interfaces';
import {
  MAX_MESSAGE_ID_BYTES,
  MAX_PEER_RECORD_BYTES,
  MAX_REPLAY_CACHE_PER_PEER,
  MAX_RETIRED_PEERS,
  MAX_SESSIONS_PER_PEER,
  MAX_STATE_BYTES,
  MAX_STORED_PEERS,
  SESSION_STATE_VERSION,
} from './constants';
import type { RatchetOptions } from './ratchet';
import type { PeerState, ReplayCache, Session } from './session';
import { restoreRatchet, serializeRatchet } from './state-codec';

export function encodePeerRecord(peerIdHex: string, p: PeerState): Uint8Array {
  const w = new ProtoWriter().bytes(1, fromHex(peerIdHex));
  if (p.contact !== undefined) {
    w.bytes(2, p.contact.identityKey);
    if (p.contact.staticKey !== undefined) w.bytes(3, p.contact.staticKey);
    w.bool(4, p.contact.knowsOurStaticKey);
  }
  for (const s of p.sessions) {
    w.message(
      5,
      new ProtoWriter()
        .bytes(1, s.id)
        .bytes(2, serializeRatchet(s.ratchet))
        .bool(3, s.initiator)
        .uint(4, s.createdAt)
        .uint(5, s.lastUsedAt)
        .bool(6, s.confirmed)
        .bool(7, s.sendable)
        .finish(),
    );
  }
  w.message(8, encodeReplayCache(p.handshakesSeen));
  w.message(9, encodeReplayCache(p.noticesSeen));
  for (const [mid, sid] of p.lastSent) {
    w.message(7, new ProtoWriter().bytes(1, fromHex(mid)).bytes(2, fromHex(sid)).finish());
  }
  return w.finish();
}

export function decodePeerRecord(
  bytes: Uint8Array,
  backend: CryptoBackend,
  options: RatchetOptions,
): { peerIdHex: string; state: PeerState } {
  const m = ProtoMessage.decode(bytes, MAX_PEER_RECORD_BYTES, 4 * MAX_REPLAY_CACHE_PER_PEER + 64);
  m.assertKnown([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const peerId = m.requiredBytes(1, { maxLength: 64 }).slice();
  const identityKey = m.bytes(2, { length: 32 });
  const staticKey = m.bytes(3, { maxLength: 133 });
  const sessions: Session[] = m
    .repeatedBytes(5, MAX_SESSIONS_PER_PEER, { maxLength: MAX_STATE_BYTES + 512 })
    .map((raw) => {
      const s = ProtoMessage.decode(raw, MAX_STATE_BYTES + 512, 16);
      s.assertKnown([1, 2, 3, 4, 5, 6, 7]);
      return {
        id: s.requiredBytes(1, { maxLength: 64 }).slice(),
        ratchet: restoreRatchet(s.requiredBytes(2), backend, options),
        initiator: s.bool(3) ?? false,
        createdAt: s.uint(4) ?? 0,
        lastUsedAt: s.uint(5) ?? 0,
        confirmed: s.bool(6) ?? false,
        sendable: s.bool(7) ?? false,
      };
    });
  // Field 6 (digests without times) was written before the caches kept times: read as
  // handshake digests stamped 0.
  const legacySeen = m.repeatedBytes(6, MAX_REPLAY_CACHE_PER_PEER, { maxLength: 64 }).map(toHex);
  const lastSent = new Map<string, string>();
  for (const raw of m.repeatedBytes(7, MAX_REPLAY_CACHE_PER_PEER, { maxLength: 256 })) {
    const e = ProtoMessage.decode(raw, 256, 4);
    e.assertKnown([1, 2]);
    lastSent.set(
      toHex(e.requiredBytes(1, { maxLength: MAX_MESSAGE_ID_BYTES })),
      toHex(e.requiredBytes(2, { maxLength: 64 })),
    );
  }
  return {
    peerIdHex: toHex(peerId),
    state: {
      contact:
        identityKey === undefined
          ? undefined
          : {
              peerId,
              identityKey: identityKey.slice(),
              knowsOurStaticKey: m.bool(4) ?? false,
              ...(staticKey === undefined ? {} : { staticKey: staticKey.slice() }),
            },
      sessions,
      handshakesSeen: decodeReplayCache(m.bytes(8), legacySeen),
      noticesSeen: decodeReplayCache(m.bytes(9), []),
      lastSent,
      noticeWindow: { start: 0, count: 0 },
    },
  };
}

function encodeReplayCache(c: ReplayCache): Uint8Array {
  const w = new ProtoWriter();
  for (let i = 0; i < c.tags.length; i++) {
    w.message(1, new ProtoWriter().bytes(1, fromHex(c.tags[i]!)).uint(2, c.times[i]!).finish());
  }
  return w.uint(2, c.floor).finish();
}

function decodeReplayCache(bytes: Uint8Array | undefined, legacy: string[]): ReplayCache {
  const cache: ReplayCache = { tags: [...legacy], times: legacy.map(() => 0), floor: 0 };
  if (bytes === undefined) return cache;
  const m = ProtoMessage.decode(
    bytes,
    MAX_REPLAY_CACHE_PER_PEER * 96 + 32,
    MAX_REPLAY_CACHE_PER_PEER + 1,
  );
  m.assertKnown([1, 2]);
  for (const raw of m.repeatedBytes(1, MAX_REPLAY_CACHE_PER_PEER, { maxLength: 96 })) {
    const e = ProtoMessage.decode(raw, 96, 2);
    e.assertKnown([1, 2]);
    cache.tags.push(toHex(e.requiredBytes(1, { maxLength: 64 })));
    cache.times.push(e.uint(2) ?? 0);
  }
  if (cache.tags.length > MAX_REPLAY_CACHE_PER_PEER) {
    throw new DecodeError('SESSION_STATE_INCONSISTENT', 'replay cache over its bound');
  }
  cache.floor = m.uint(2) ?? 0;
  return cache;
}

export function encodeManagerState(
  peers: Map<string, PeerState>,
  retired: Map<string, Uint8Array>,
): Uint8Array {
  const w = new ProtoWriter().uint(1, SESSION_STATE_VERSION);
  for (const [hex, p] of peers) {
    if (p.contact === undefined && p.sessions.length === 0) continue;
    w.message(2, encodePeerRecord(hex, p));
  }
  for (const [hex, successor] of retired) {
    w.message(3, new ProtoWriter().bytes(1, fromHex(hex)).bytes(2, successor).finish());
  }
  return w.finish();
}

export function decodeManagerState(
  bytes: Uint8Array,
  backend: CryptoBackend,
  options: RatchetOptions,
  maxBytes: number,
): { peers: Map<string, PeerState>; retired: Map<string, Uint8Array> } {
  const m = ProtoMessage.decode(bytes, maxBytes, MAX_STORED_PEERS + MAX_RETIRED_PEERS + 1);
  const version = m.requiredUint(1);
  if (version !== SESSION_STATE_VERSION) {
    throw new DecodeError(
      'SESSION_STATE_VERSION',
      `stored session state version ${version}, expected ${SESSION_STATE_VERSION}`,
    );
  }
  m.assertKnown([1, 2, 3]);
  const peers = new Map<string, PeerState>();
  for (const raw of m.repeatedBytes(2, MAX_STORED_PEERS, { maxLength: MAX_PEER_RECORD_BYTES })) {
    const { peerIdHex, state } = decodePeerRecord(raw, backend, options);
    if (peers.has(peerIdHex)) throw new DecodeError('SESSION_STATE_DUPLICATE', 'peer stored twice');
    peers.set(peerIdHex, state);
  }
  const retired = new Map<string, Uint8Array>();
  for (const raw of m.repeatedBytes(3, MAX_RETIRED_PEERS, { maxLength: 140 })) {
    const r = ProtoMessage.decode(raw, 140, 4);
    r.assertKnown([1, 2]);
    const hex = toHex(r.requiredBytes(1, { maxLength: 64 }));
    if (retired.has(hex) || peers.has(hex)) {
      throw new DecodeError('SESSION_STATE_DUPLICATE', 'retired peer stored twice');
    }
    retired.set(hex, r.requiredBytes(2, { maxLength: 64 }).slice());
  }
  return { peers, retired };
}
