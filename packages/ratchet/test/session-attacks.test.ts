import type { CryptoBackend } from '@p2pe/crypto';
import { RevocationList, succeedIdentity } from '@p2pe/identity';
import {
  concatBytes,
  P2peError,
  ProtoMessage,
  ProtoWriter,
  toHex,
  utf8,
} from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REPLAY_CACHE_PER_PEER } from '../src/constants';
import { decodeEnvelope, EnvelopeKind, encodeEnvelope } from '../src/envelope';
import { SessionManager } from '../src/session';
import { backend, Device, deliver, world } from './session-helpers';

function pair(seed: string) {
  const w = world(seed);
  const a = new Device('alice', w.identity('alice'), w.clock);
  const b = new Device('bob', w.identity('bob'), w.clock);
  a.know(b);
  b.know(a);
  return { a, b, clock: w.clock, w };
}

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

/** A forged ratchet envelope claiming to come from `from`: the recipient has no such session. */
function forgedRatchet(from: Uint8Array, to: Uint8Array, i: number): Uint8Array {
  return encodeEnvelope({
    fromPeer: from,
    toPeer: to,
    sessionId: bytes(32, i),
    messageId: bytes(8, i),
    kind: EnvelopeKind.RATCHET,
    body: bytes(60, i),
  });
}

describe('session manager: review attacks', () => {
  it('unauthenticated XX messages and refused handshakes make no peer state (the shared notice budget holds)', () => {
    const w = world('no-ghost-peers');
    const a = new Device('alice', w.identity('alice'), w.clock, { acceptNewPeers: false });
    const stranger = new Device('stranger', w.identity('stranger'), w.clock);
    stranger.know(a);
    const ghosts = [bytes(32, 0xa1), bytes(32, 0xa2), bytes(32, 0xa3)];
    for (const [i, ghost] of ghosts.entries()) {
      // XX message 0 needs no key: anyone can send one in any peer's name...
      const hello = {
        fromPeer: ghost,
        toPeer: a.identity.peerId,
        sessionId: bytes(16, i),
        messageId: bytes(8, i),
        kind: EnvelopeKind.HANDSHAKE,
        handshakeStep: 0,
        pattern: 'XX' as const,
      };
      const r0 = a.manager.receive(encodeEnvelope({ ...hello, body: bytes(32, 9 + i) }));
      expect(r0.type).toBe('handshake');
      // ...and a garbage message 2 for it fails to authenticate.
      const r2 = a.manager.receive(
        encodeEnvelope({ ...hello, handshakeStep: 2, body: bytes(96, i) }),
      );
      expect(r2.type).toBe('dropped');
    }
    // A certified stranger refused by acceptNewPeers: false.
    expect(a.manager.receive(stranger.send(a, 'hi'))).toMatchObject({
      reason: 'identity-rejected',
    });
    const claimed = [...ghosts, stranger.identity.peerId];
    for (const id of claimed) expect(a.manager.contact(id)).toBeUndefined();
    // Forged messages in the name of peers we do not know share one notice budget (10 a
    // minute); a ghost peer record would give each claimed id a budget of its own.
    let notices = 0;
    for (const id of claimed) {
      for (let i = 0; i < 10; i++) {
        notices += a.manager.receive(forgedRatchet(id, a.identity.peerId, i)).replies.length;
      }
    }
    expect(notices).toBe(10);
  });

  it('a stranger’s handshake with a succession chain costs a bounded number of signature checks, not one per contact', () => {
    const w = world('succession-cost');
    let verifies = 0;
    const counting: CryptoBackend = {
      ...backend,
      ed25519: {
        ...backend.ed25519,
        verify: (...args: Parameters<typeof backend.ed25519.verify>) => {
          verifies++;
          return backend.ed25519.verify(...args);
        },
      },
    };
    const a = new Device('alice', w.identity('alice'), w.clock, { backend: counting });
    for (let i = 0; i < 30; i++)
      a.manager.addContact({ identityKey: w.identity(`c${i}`).publicKey });
    const m0 = w.identity('mallory');
    const next = succeedIdentity(m0, { crypto: backend, clock: w.clock });
    const mallory = new Device('mallory', next.identity, w.clock);
    mallory.know(a);
    const env = mallory.send(a, 'hello, I am new');
    verifies = 0;
    const r = a.manager.receive(env);
    expect(r.type).toBe('message'); // a new peer (acceptNewPeers defaults to true)
    expect(verifies).toBeLessThan(10);
    expect(a.events.some((e) => e.type === 'identity-succeeded')).toBe(false);
  });

  it('a second rotation is followed when we met the peer after its first (chain joined mid-way)', () => {
    const w = world('second-rotation');
    const a = new Device('alice', w.identity('alice'), w.clock);
    const b0 = w.identity('bob');
    const b1 = succeedIdentity(b0, { crypto: backend, clock: w.clock }).identity;
    const b = new Device('bob', b1, w.clock);
    a.know(b); // alice meets bob at his second key
    b.know(a);
    deliver(a, b, b.send(a, 'hello'));
    const b2 = succeedIdentity(b1, { crypto: backend, clock: w.clock }).identity;
    expect(b2.successions.length).toBe(2); // the whole history: b0 -> b1 -> b2
    b.reinstall(b2);
    b.know(a);
    deliver(a, b, b.send(a, 'from my third key'));
    expect(a.inbox.at(-1)).toBe('from my third key');
    expect(a.events.some((e) => e.type === 'identity-succeeded')).toBe(true);
    expect(a.manager.contact(b1.peerId)).toBeUndefined();
    expect(a.manager.contact(b2.peerId)?.identityKey).toEqual(b2.publicKey);
  });

  it('many first messages sent without a session: the stored state still restores', () => {
    const { a, b } = pair('last-sent-bound');
    for (let i = 0; i <= MAX_REPLAY_CACHE_PER_PEER; i++) {
      a.manager.send(b.identity.peerId, utf8(`m${i}`), utf8('x'));
    }
    const restored = SessionManager.restore(a.manager.exportState(), {
      identity: a.identity,
      backend,
      clock: a.clock,
    });
    expect(toHex(restored.exportState())).toBe(toHex(a.manager.exportState()));
  });
});

describe('session manager: the first-message replay cache cannot be flushed', () => {
  it('notices the peer is made to send (forged messages in our name) do not evict handshake digests', () => {
    const { a, b, clock } = pair('flush-by-notices');
    const first = a.send(b, 'pay 10 coins'); // IK message 0 with the message inside (0-RTT)
    deliver(b, a, first);
    expect(b.inbox).toEqual(['pay 10 coins']);
    // Mallory forges messages "from Bob" to Alice; Alice answers each with a signed notice to
    // Bob (10 a minute), and Mallory hands them all to Bob.
    let delivered = 0;
    for (let i = 0; delivered <= MAX_REPLAY_CACHE_PER_PEER; i++) {
      if (i % 10 === 0) clock.advance(60_000);
      const r = a.manager.receive(forgedRatchet(b.identity.peerId, a.identity.peerId, i % 256));
      for (const notice of r.replies) {
        expect(b.manager.receive(notice).type).toBe('notice');
        delivered++;
      }
    }
    const replay = b.manager.receive(first);
    expect(replay).toMatchObject({ type: 'dropped', reason: 'replay' });
    expect(b.inbox).toEqual(['pay 10 coins']);
  });

  it('a first message evicted from a full cache is still refused; newer handshakes are not', () => {
    const { a, b, clock } = pair('flush-by-handshakes');
    const first = a.send(b, 'first');
    // Bob's replies are lost: Alice never gets a session, so each of her sends is an IK message 0.
    expect(b.manager.receive(first).type).toBe('message');
    for (let i = 0; i < MAX_REPLAY_CACHE_PER_PEER; i++) {
      clock.advance(1);
      expect(b.manager.receive(a.send(b, `m${i}`)).type).toBe('message');
    }
    expect(b.manager.receive(first)).toMatchObject({ type: 'dropped', reason: 'replay' });
    clock.advance(1);
    expect(b.manager.receive(a.send(b, 'fresh')).type).toBe('message');
    b.restart();
    expect(b.manager.receive(first)).toMatchObject({ type: 'dropped', reason: 'replay' });
  });

  it('a state stored before the caches kept times (digests in PeerRecord field 6) still refuses those replays', () => {
    const { a, b } = pair('legacy-seen');
    const first = a.send(b, 'first');
    expect(b.manager.receive(first).type).toBe('message');
    // Rewrite Bob's stored state the old way: the digests as field 6, no caches.
    const state = ProtoMessage.decode(b.manager.exportState(), 1 << 24);
    const legacy = new ProtoWriter().uint(1, 1);
    for (const raw of state.repeatedBytes(2, 10, {})) {
      const rec = ProtoMessage.decode(raw, 1 << 24);
      const out = new ProtoWriter();
      for (const f of rec.fields) {
        if (f.field === 8) {
          const cache = ProtoMessage.decode(f.bytes!, 1 << 16);
          for (const e of cache.repeatedBytes(1, 512, {})) {
            out.bytes(6, ProtoMessage.decode(e, 96).requiredBytes(1));
          }
        } else if (f.field !== 9) {
          if (f.bytes !== undefined) out.bytes(f.field, f.bytes);
          else out.uint(f.field, f.varint!);
        }
      }
      legacy.bytes(2, out.finish());
    }
    const restored = SessionManager.restore(legacy.finish(), {
      identity: b.identity,
      backend,
      clock: b.clock,
    });
    expect(restored.receive(first)).toMatchObject({ type: 'dropped', reason: 'replay' });
  });
});

describe('session manager: a late message does not undo a reset', () => {
  it('after resetSessions, a late message on the old session does not make it sendable again', () => {
    const { a, b } = pair('reset-stays');
    deliver(b, a, a.send(b, 'hello'));
    deliver(a, b, b.send(a, 'hello back'));
    const late = b.send(a, 'sent on the old session, delivered after the reset');
    a.manager.resetSessions(b.identity.peerId); // e.g. the user suspects a compromise
    deliver(b, a, a.send(b, 'on a new session'));
    const fresh = a.manager.sessions(b.identity.peerId)[0]!;
    expect(a.manager.receive(late).type).toBe('message');
    const next = a.manager.send(b.identity.peerId, utf8('after the reset'), utf8('x'));
    expect(next.kind).toBe('ratchet');
    expect(toHex(decodeEnvelope(next.envelope).sessionId)).toBe(toHex(fresh.id));
  });
});

describe('session manager: no forced downgrade to XX', () => {
  it('a tampered IK first message costs a resend, not the static key (the resend is IK again)', () => {
    const { a, b } = pair('no-downgrade');
    const env = decodeEnvelope(a.send(b, 'm1'));
    const body = env.body.slice();
    body[body.length - 1]! ^= 1; // Mallory flips a bit of the encrypted payload
    const r = b.manager.receive(encodeEnvelope({ ...env, body }));
    expect(r.type).toBe('dropped');
    for (const notice of r.replies) a.manager.receive(notice);
    expect(a.manager.contact(b.identity.peerId)?.staticKey).toBeDefined();
    expect(a.resendRequested()).toEqual(['m1']);
    const again = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(decodeEnvelope(again.envelope).pattern).toBe('IK');
    expect(b.manager.receive(again.envelope).type).toBe('message');
  });
});

describe('session manager: no secrets in printed objects', () => {
  it('inspect and JSON of the manager, its sessions and contacts show no key bytes', async () => {
    const { inspect } = await import('node:util');
    const { a, b } = pair('redaction');
    deliver(b, a, a.send(b, 'hello'));
    deliver(a, b, b.send(a, 'hello back'));
    const session = a.manager.sessions(b.identity.peerId)[0]!;
    const secrets = [
      a.identity.secretKey,
      session.ratchet.state.rootKey,
      session.ratchet.state.dhs.secretKey,
      a.identity.staticKey('25519', { clock: a.clock })!.secretKey,
    ].map(toHex);
    const printed = [
      inspect(a.manager, { depth: 10 }),
      JSON.stringify(a.manager),
      inspect(a.manager.sessions(b.identity.peerId), { depth: 10 }),
      JSON.stringify(a.manager.sessions(b.identity.peerId)),
      String(session.ratchet),
    ];
    const hexOf = (text: string): string =>
      // Node prints bytes as `<Uint8Array 0a 1b ...>` or arrays of numbers; normalise both.
      text.replace(/[^0-9a-f]/gi, '').toLowerCase();
    for (const text of printed) {
      for (const secret of secrets) {
        expect(hexOf(text)).not.toContain(secret);
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(
        new RegExp(Array.from(a.identity.secretKey.slice(0, 8)).join(',\\s*')),
      );
    }
  });
});

describe('session manager: notices about what we never had', () => {
  it('a genuine "no such session" for a made-up session id changes nothing (KK stays KK)', () => {
    const { a, b } = pair('made-up-session');
    deliver(b, a, a.send(b, 'hello'));
    deliver(a, b, b.send(a, 'hello back'));
    expect(a.manager.contact(b.identity.peerId)?.knowsOurStaticKey).toBe(true);
    // Mallory sends Bob garbage in Alice's name; Bob signs "no such session" to Alice.
    const r = b.manager.receive(forgedRatchet(a.identity.peerId, b.identity.peerId, 7));
    expect(r.replies).toHaveLength(1);
    const contactBefore = a.manager.contact(b.identity.peerId);
    const sessionsBefore = a.manager.sessions(b.identity.peerId).map((s) => s.sendable);
    expect(a.manager.receive(r.replies[0]!)).toMatchObject({ type: 'notice', resend: false });
    expect(a.manager.contact(b.identity.peerId)).toEqual(contactBefore);
    expect(a.manager.sessions(b.identity.peerId).map((s) => s.sendable)).toEqual(sessionsBefore);
    a.manager.resetSessions(b.identity.peerId);
    const next = a.manager.send(b.identity.peerId, utf8('next'), utf8('next'));
    expect(decodeEnvelope(next.envelope).pattern).toBe('KK');
  });
});

describe('session manager: stored state', () => {
  it('any corrupted byte or truncation of a real state: a typed error, or a manager that works (property)', () => {
    const { a, b } = pair('corrupt-manager-state');
    deliver(b, a, a.send(b, 'hello'));
    deliver(a, b, b.send(a, 'hello back'));
    a.send(b, 'in flight');
    const init = { identity: a.identity, backend, clock: a.clock };
    checkCorruptedStates(a.manager.exportState(), init, (restored) => {
      try {
        restored.send(b.identity.peerId, utf8('after'), utf8('after'));
      } catch (err) {
        expect(P2peError.is(err), String(err)).toBe(true);
      }
    });
  });
});

/**
 * Every corrupted byte or truncation of `state` (property): a typed error, or a manager whose own
 * export restores to the same bytes (a flip the format cannot see: a flag, a time, a public key),
 * on which `then` runs.
 */
function checkCorruptedStates(
  state: Uint8Array,
  init: Parameters<typeof SessionManager.restore>[1],
  then: (restored: SessionManager) => void = () => {},
): void {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, x, cut) => {
      const bad = cut ? state.subarray(0, at % state.length) : state.slice();
      if (!cut) bad[at % state.length]! ^= x;
      let restored: SessionManager;
      try {
        restored = SessionManager.restore(bad, init);
      } catch (err) {
        expect(P2peError.is(err), String(err)).toBe(true);
        return;
      }
      const again = SessionManager.restore(restored.exportState(), init);
      expect(toHex(again.exportState())).toBe(toHex(restored.exportState()));
      then(restored);
    }),
    { numRuns: 150 },
  );
}

describe('session manager: retired identities in stored state', () => {
  function retiredState() {
    const { a, b } = pair('retired-state');
    deliver(b, a, a.send(b, 'hello'));
    const old = b.identity;
    const next = succeedIdentity(old, { crypto: backend, clock: a.clock });
    b.reinstall(next.identity);
    b.know(a);
    deliver(a, b, b.send(a, 'new key'));
    expect(a.manager.successorOf(old.peerId)).toBeDefined();
    return { a, old, next, init: { identity: a.identity, backend, clock: a.clock } };
  }

  it('survive export and restore, and a repeated entry is refused', () => {
    const { a, old, next, init } = retiredState();
    const state = a.manager.exportState();
    const restored = SessionManager.restore(state, init);
    expect(restored.successorOf(old.peerId)).toEqual(next.identity.peerId);
    const m = ProtoMessage.decode(state, state.length, 64);
    const entry = m.repeatedBytes(3, 8)[0]!;
    // Protobuf messages concatenate: the same entry once more at the end.
    const doubled = concatBytes(state, new ProtoWriter().message(3, entry).finish());
    try {
      SessionManager.restore(doubled, init);
      expect.unreachable();
    } catch (err) {
      expect(P2peError.is(err) && err.code).toBe('SESSION_STATE_DUPLICATE');
    }
  });

  it('any corrupted byte or truncation: a typed error, or a manager that still refuses or works (property)', () => {
    const { a, init } = retiredState();
    checkCorruptedStates(a.manager.exportState(), init);
  });
});

describe('session manager: revocation', () => {
  it('a revoked identity cannot start a KK session, nor keep talking on an old one', () => {
    const w = world('revoked-kk');
    const revocations = new RevocationList();
    const a = new Device('alice', w.identity('alice'), w.clock);
    const b = new Device('bob', w.identity('bob'), w.clock, { revocations });
    a.know(b);
    b.know(a);
    deliver(b, a, a.send(b, 'hello'));
    deliver(a, b, b.send(a, 'hello back'));
    const late = a.send(b, 'on the old session');
    revocations.add(a.identity.revocation, { crypto: backend });
    expect(b.manager.receive(late)).toMatchObject({ type: 'dropped', reason: 'identity-rejected' });
    a.manager.resetSessions(b.identity.peerId);
    const kk = a.send(b, 'KK after the revocation');
    expect(decodeEnvelope(kk).pattern).toBe('KK');
    const before = toHex(b.manager.exportState());
    expect(b.manager.receive(kk)).toMatchObject({ type: 'dropped', reason: 'identity-rejected' });
    expect(toHex(b.manager.exportState())).toBe(before);
    expect(b.inbox).toEqual(['hello']);
    expect(() => b.manager.send(a.identity.peerId, utf8('to a revoked key'), utf8('x'))).toThrow(
      expect.objectContaining({ code: 'SESSION_IDENTITY_REJECTED' }),
    );
  });
});

describe('session manager: a handshake answered after its peer was succeeded', () => {
  it('the old identity’s late answer is dropped, not a crash', () => {
    const w = world('late-answer-after-succession');
    const a = new Device('alice', w.identity('alice'), w.clock);
    const b = new Device('bob', w.identity('bob'), w.clock);
    a.know(b);
    b.know(a);
    const first = a.send(b, 'to the old key'); // IK, pending at Alice
    const answer = b.manager.receive(first).replies[0]!; // held up in the network
    const next = succeedIdentity(b.identity, { crypto: backend, clock: w.clock });
    b.reinstall(next.identity);
    b.know(a);
    deliver(a, b, b.send(a, 'from my new key'));
    expect(a.events.some((e) => e.type === 'identity-succeeded')).toBe(true);
    expect(a.manager.receive(answer)).toMatchObject({ type: 'dropped' });
    expect(a.manager.contact(next.identity.peerId)).toBeDefined();
  });
});
