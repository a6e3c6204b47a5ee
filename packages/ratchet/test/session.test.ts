import { nobleBackend } from '@p2pe/crypto';
import { createRecord, identityFromSecret, RevocationList, succeedIdentity } from '@p2pe/identity';
import { P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, EnvelopeKind, encodeEnvelope } from '../src/envelope';
import { SessionManager } from '../src/session';
import { backend, Device, deliver, world } from './session-helpers';

function pair(seed: string, opts: { aKnowsStatic?: boolean; he?: boolean } = {}) {
  const w = world(seed);
  const extra = opts.he ? { headerEncryption: true } : {};
  const a = new Device('alice', w.identity('alice'), w.clock, extra);
  const b = new Device('bob', w.identity('bob'), w.clock, extra);
  a.know(b, opts.aKnowsStatic ?? true);
  b.know(a);
  return { a, b, clock: w.clock, w };
}

/** A confirmed session both ways. */
function establish(a: Device, b: Device): void {
  deliver(b, a, a.send(b, 'hello'));
  deliver(a, b, b.send(a, 'hello back'));
}

describe('handshakes seed sessions', () => {
  for (const he of [false, true]) {
    it(`IK first contact: the first message rides in the handshake, the responder may be offline (HE=${he})`, () => {
      const { a, b } = pair('ik', { he });
      const hs = a.send(b, 'm1'); // B is offline: the envelope waits
      const m2 = a.send(b, 'm2'); // each message before B's answer starts its own IK handshake
      expect(decodeEnvelope(hs).kind).toBe(EnvelopeKind.HANDSHAKE);
      deliver(b, a, hs);
      deliver(b, a, m2);
      expect(b.inbox).toEqual(['m1', 'm2']);
      deliver(a, b, b.send(a, 'r1'));
      deliver(b, a, a.send(b, 'm3'));
      expect(a.inbox).toEqual(['r1']);
      expect(b.inbox).toEqual(['m1', 'm2', 'm3']);
      expect(decodeEnvelope(a.send(b, 'm4')).kind).toBe(EnvelopeKind.RATCHET);
    });
  }

  it('XX when the static key is unknown: the message waits for session-established', () => {
    const { a, b } = pair('xx', { aKnowsStatic: false });
    const r = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(r.carriesMessage).toBe(false);
    const { crossed } = deliver(b, a, r.envelope);
    expect(crossed).toBe(3);
    expect(a.events.some((e) => e.type === 'session-established')).toBe(true);
    expect(b.events.some((e) => e.type === 'session-established')).toBe(true);
    deliver(b, a, a.send(b, 'm1'));
    deliver(a, b, b.send(a, 'r1'));
    expect(b.inbox).toEqual(['m1']);
    expect(a.inbox).toEqual(['r1']);
    // A now knows B's static key from the handshake.
    expect(a.manager.contact(b.identity.peerId)?.staticKey).toBeDefined();
  });

  it('the same conversation on the noble backend (every pattern path once)', () => {
    const w = world('noble');
    const extra = { backend: nobleBackend };
    const a = new Device('alice', w.identity('alice'), w.clock, extra);
    const b = new Device('bob', w.identity('bob'), w.clock, extra);
    a.know(b, false);
    b.know(a);
    const xx = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(deliver(b, a, xx.envelope).crossed).toBe(3);
    deliver(b, a, a.send(b, 'm1'));
    deliver(a, b, b.send(a, 'r1'));
    expect(b.inbox).toEqual(['m1']);
    expect(a.inbox).toEqual(['r1']);
  });

  it('XX: one handshake at a time, started again when its first message seems lost', () => {
    const { a, b, clock } = pair('xx-retry', { aKnowsStatic: false });
    a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1')); // lost
    expect(() => a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'))).toThrow(
      expect.objectContaining({ code: 'SESSION_PENDING' }),
    );
    clock.advance(61_000);
    const again = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(deliver(b, a, again.envelope).crossed).toBe(3);
    deliver(b, a, a.send(b, 'm1'));
    expect(b.inbox).toEqual(['m1']);
  });

  it('KK when both know each other', () => {
    const { a, b } = pair('kk');
    establish(a, b);
    a.manager.resetSessions(b.identity.peerId);
    const env = a.send(b, 'over kk');
    expect(decodeEnvelope(env).pattern).toBe('KK');
    deliver(b, a, env);
    expect(b.inbox.at(-1)).toBe('over kk');
  });

  it('several sessions per peer: crossing handshakes both work, late messages on the old one open', () => {
    const { a, b } = pair('cross');
    establish(a, b);
    const late = a.send(b, 'late on old session');
    a.manager.resetSessions(b.identity.peerId);
    b.manager.resetSessions(a.identity.peerId);
    const fromA = a.send(b, 'a new');
    const fromB = b.send(a, 'b new');
    deliver(b, a, fromA);
    deliver(a, b, fromB);
    deliver(b, a, late);
    expect(b.inbox).toEqual(['hello', 'a new', 'late on old session']);
    expect(a.inbox).toEqual(['hello back', 'b new']);
    for (let i = 0; i < 3; i++) {
      deliver(b, a, a.send(b, `a${i}`));
      deliver(a, b, b.send(a, `b${i}`));
    }
    expect(b.inbox.slice(-3)).toEqual(['a0', 'a1', 'a2']);
    expect(a.inbox.slice(-3)).toEqual(['b0', 'b1', 'b2']);
    expect(a.manager.sessions(b.identity.peerId).length).toBeGreaterThanOrEqual(2);
  });

  it('a contact from a signed identity record (DHT) enables IK; a record of someone else is refused', () => {
    const w = world('record');
    const a = new Device('alice', w.identity('alice'), w.clock);
    const b = new Device('bob', w.identity('bob'), w.clock);
    const { record } = createRecord(b.identity, {}, { crypto: backend, clock: w.clock });
    const contact = a.manager.addContactFromRecord(record, { identityKey: b.identity.publicKey });
    expect(toHex(contact.peerId)).toBe(toHex(b.identity.peerId));
    expect(decodeEnvelope(a.send(b, 'hi')).pattern).toBe('IK');
    expect(() =>
      a.manager.addContactFromRecord(record, { identityKey: a.identity.publicKey }),
    ).toThrow(P2peError);
    const bad = record.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => a.manager.addContactFromRecord(bad)).toThrow(P2peError);
  });

  it('stored state: truncated, wrong version and random bytes are refused with typed errors', () => {
    const { a, b } = pair('bad-state');
    establish(a, b);
    const state = a.manager.exportState();
    const init = { identity: a.identity, backend, clock: a.clock };
    expect(SessionManager.restore(state, init).sessions(b.identity.peerId)).toHaveLength(1);
    for (let len = 1; len < state.length; len += 97) {
      expect(() => SessionManager.restore(state.subarray(0, len), init)).toThrow(P2peError);
    }
    const v = state.slice();
    v[1] = 9;
    expect(() => SessionManager.restore(v, init)).toThrow(/version 9/);
    expect(() => SessionManager.restore(state, init, 100)).toThrow(/exceeds/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          SessionManager.restore(bytes, init);
        } catch (err) {
          expect(P2peError.is(err)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('state survives a restart and the sessions continue', () => {
    const { a, b } = pair('restart');
    establish(a, b);
    const before = toHex(a.manager.exportState());
    a.restart();
    expect(toHex(a.manager.exportState())).toBe(before);
    deliver(b, a, a.send(b, 'after restart'));
    deliver(a, b, b.send(a, 'reply'));
    expect(b.inbox.at(-1)).toBe('after restart');
    expect(a.inbox.at(-1)).toBe('reply');
  });
});

describe('the reinstall chain', () => {
  it('A sends, B loses its state, A deletes the message and reinstalls: no bounce, no confusion', () => {
    const { a, b } = pair('chain');
    establish(a, b);
    const m1 = a.send(b, 'm1'); // in flight
    b.reinstall(); // B loses everything but its identity (restored from backup)
    a.deleteMessage(b, 'm1');
    a.reinstall(); // A too
    // m1 arrives: B has no session: one signed notice goes back, and nothing after it.
    const r = deliver(b, a, m1);
    expect(r.crossed).toBe(2);
    expect(r.results[0]).toMatchObject({ type: 'dropped', reason: 'no-session' });
    expect(r.results[1]).toMatchObject({ type: 'dropped', reason: 'unknown-peer', replies: [] });
    expect(a.manager.contact(b.identity.peerId)).toBeUndefined();
    expect(b.manager.contact(a.identity.peerId)).toBeUndefined();
    // A learns B again (invite / DHT record) and writes: a new handshake, accepted on identity.
    a.know(b);
    deliver(b, a, a.send(b, 'm2'));
    deliver(a, b, b.send(a, 'r2'));
    expect(b.inbox).toEqual(['hello', 'm2']);
    expect(a.inbox).toEqual(['hello back', 'r2']);
    expect(toHex(b.manager.contact(a.identity.peerId)!.identityKey)).toBe(
      toHex(a.identity.publicKey),
    );
  });

  it('B reinstalls before a message arrives: notice, re-handshake, resend, delivered exactly once', () => {
    const { a, b } = pair('b-reinstalls');
    establish(a, b);
    const m1 = a.send(b, 'm1');
    b.reinstall();
    const r = deliver(b, a, m1);
    expect(r.results[1]).toMatchObject({ type: 'notice', resend: true });
    expect(a.resendRequested()).toEqual(['m1']);
    // The outbox resends: a new IK handshake carries it.
    const resend = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(resend.kind).toBe('handshake');
    deliver(b, a, resend.envelope);
    expect(b.inbox).toEqual(['hello', 'm1']);
    // Replays change nothing: the notice, the handshake, the old message.
    const notice = r.results[0]!.replies[0]!;
    expect(a.manager.receive(notice)).toMatchObject({ type: 'dropped', reason: 'replay' });
    expect(a.resendRequested()).toEqual(['m1']);
    expect(b.manager.receive(resend.envelope)).toMatchObject({ type: 'dropped', reason: 'replay' });
    expect(b.manager.receive(m1)).toMatchObject({ type: 'dropped' });
    expect(b.inbox).toEqual(['hello', 'm1']);
  });

  it('A reinstalls after B read its message: B’s reply bounces once, B re-handshakes and resends', () => {
    const { a, b } = pair('a-reinstalls');
    establish(a, b);
    a.reinstall();
    const r1 = b.send(a, 'r1');
    const r = deliver(a, b, r1);
    expect(r.results[1]).toMatchObject({ type: 'notice', resend: true });
    deliver(a, b, b.manager.send(a.identity.peerId, utf8('r1'), utf8('r1')).envelope);
    expect(a.inbox).toEqual(['hello back', 'r1']);
    // A learned B from B's certified handshake (first contact after its reinstall).
    expect(a.events.some((e) => e.type === 'peer-added')).toBe(true);
    deliver(b, a, a.send(b, 'm2'));
    expect(b.inbox.at(-1)).toBe('m2');
  });

  it('B reinstalls from its secret with new static keys: IK fails once, XX takes over, m1 arrives', () => {
    const { a, b, clock } = pair('new-static');
    establish(a, b);
    const m1 = a.send(b, 'm1');
    b.reinstall(
      identityFromSecret(b.identity.secretKey, { crypto: b.manager.suite.backend, clock }),
    );
    deliver(b, a, m1);
    expect(a.resendRequested()).toEqual(['m1']);
    a.events = [];
    // The resend is an IK handshake to the static key B no longer has: B answers with a notice.
    const ik = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(decodeEnvelope(ik.envelope).pattern).toBe('IK');
    const r = deliver(b, a, ik.envelope);
    expect(r.results[0]).toMatchObject({ type: 'dropped', reason: 'handshake-failed' });
    expect(a.resendRequested()).toEqual(['m1']);
    expect(a.manager.contact(b.identity.peerId)?.staticKey).toBeUndefined();
    // The next resend runs XX, learns B's new static key, then carries m1.
    const xx = a.manager.send(b.identity.peerId, utf8('m1'), utf8('m1'));
    expect(decodeEnvelope(xx.envelope).pattern).toBe('XX');
    expect(deliver(b, a, xx.envelope).crossed).toBe(3);
    deliver(b, a, a.send(b, 'm1'));
    expect(b.inbox).toEqual(['hello', 'm1']);
  });

  it('messages deleted before delivery: no resend, but the dead session is left', () => {
    const { a, b } = pair('deleted');
    establish(a, b);
    const m1 = a.send(b, 'm1');
    const m2 = a.send(b, 'm2');
    a.deleteMessage(b, 'm1');
    b.reinstall();
    expect(deliver(b, a, m1).results[1]).toMatchObject({ type: 'notice', resend: false });
    expect(deliver(b, a, m2).results[1]).toMatchObject({ type: 'notice', resend: true });
    expect(a.resendRequested()).toEqual(['m2']);
    const m3 = a.send(b, 'm3');
    expect(decodeEnvelope(m3).kind).toBe(EnvelopeKind.HANDSHAKE);
    deliver(b, a, m3);
    expect(b.inbox).toEqual(['hello', 'm3']);
  });

  it('both reinstall and both write at once: two handshakes cross, both messages arrive', () => {
    const { a, b } = pair('both');
    establish(a, b);
    a.reinstall();
    b.reinstall();
    a.know(b);
    b.know(a);
    const fromA = a.send(b, 'from a');
    const fromB = b.send(a, 'from b');
    deliver(b, a, fromA);
    deliver(a, b, fromB);
    expect(b.inbox).toEqual(['hello', 'from a']);
    expect(a.inbox).toEqual(['hello back', 'from b']);
    deliver(b, a, a.send(b, 'next a'));
    deliver(a, b, b.send(a, 'next b'));
    expect(b.inbox.at(-1)).toBe('next a');
    expect(a.inbox.at(-1)).toBe('next b');
  });

  it('fuzzed variant: any side reinstalls at any step; every outbox message is delivered exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ t: fc.constant('send' as const), aToB: fc.boolean() }),
            fc.record({ t: fc.constant('reinstall' as const), a: fc.boolean() }),
            fc.record({ t: fc.constant('deliver' as const), pick: fc.nat() }),
          ),
          { minLength: 1, maxLength: 14 },
        ),
        (ops) => {
          const { a, b } = pair('fuzz');
          const flight: Array<{ to: Device; from: Device; env: Uint8Array }> = [];
          let n = 0;
          const flush = (): void => {
            while (flight.length > 0) {
              const f = flight.shift()!;
              const r = f.to.manager.receive(f.env);
              if (r.type === 'message') {
                f.to.inbox.push(new TextDecoder().decode(r.plaintext));
                // The receiver acknowledges: the sender's outbox lets go (acks ride the outbox).
                f.from.deleteMessage(f.to, new TextDecoder().decode(r.plaintext));
              }
              for (const reply of r.replies) flight.push({ to: f.from, from: f.to, env: reply });
              // The outbox resends what the peer could not read.
              for (const dev of [a, b]) {
                const other = dev === a ? b : a;
                for (const text of dev.resendRequested()) {
                  const res = dev.manager.send(other.identity.peerId, utf8(text), utf8(text));
                  flight.push({ to: other, from: dev, env: res.envelope });
                }
                dev.events = [];
              }
            }
          };
          const sentTo = { a: [] as string[], b: [] as string[] };
          for (const op of ops) {
            if (op.t === 'send') {
              const [from, to] = op.aToB ? [a, b] : [b, a];
              if (to.manager.contact(from.identity.peerId) === undefined) to.know(from);
              if (from.manager.contact(to.identity.peerId) === undefined) from.know(to);
              const text = `m${n++}`;
              (op.aToB ? sentTo.b : sentTo.a).push(text);
              flight.push({ to, from, env: from.send(to, text) });
            } else if (op.t === 'reinstall') {
              const dev = op.a ? a : b;
              // Its outbox is lost: what it sent and was not yet delivered may never arrive.
              const lost = [...dev.outbox.keys()].length;
              dev.reinstall();
              if (lost > 0) {
                const list = dev === a ? sentTo.b : sentTo.a;
                const inbox = (dev === a ? b : a).inbox;
                list.splice(0, list.length, ...list.filter((t) => inbox.includes(t)));
              }
            } else {
              if (flight.length > 0) {
                const i = op.pick % flight.length;
                flight.push(...flight.splice(i, 1));
              }
            }
          }
          flush();
          // Every message still in an outbox at the end was delivered; nothing twice.
          for (const dev of [a, b]) {
            expect(new Set(dev.inbox).size).toBe(dev.inbox.length);
          }
          for (const t of sentTo.b) expect(b.inbox).toContain(t);
          for (const t of sentTo.a) expect(a.inbox).toContain(t);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('nothing unauthenticated changes state', () => {
  it('an impostor handshake claiming a known peer id is refused; the contact and sessions stay', () => {
    const { a, b, w } = pair('impostor');
    establish(a, b);
    const mallory = new Device('mallory', w.identity('mallory'), w.clock);
    mallory.know(a);
    const env = decodeEnvelope(mallory.send(a, 'i am bob'));
    const forged = encodeEnvelope({ ...env, fromPeer: b.identity.peerId });
    const before = toHex(a.manager.exportState());
    const r = a.manager.receive(forged);
    expect(r.type).toBe('dropped');
    expect(toHex(a.manager.exportState())).toBe(before);
  });

  it('a forged or tampered notice is ignored', () => {
    const { a, b, w } = pair('forged-notice');
    establish(a, b);
    const m1 = a.send(b, 'm1');
    b.reinstall();
    const notice = b.manager.receive(m1).replies[0]!;
    a.events = [];
    const before = toHex(a.manager.exportState());
    const env = decodeEnvelope(notice);
    const body = env.body.slice();
    body[body.length - 1]! ^= 1; // signature bit
    expect(a.manager.receive(encodeEnvelope({ ...env, body }))).toMatchObject({
      reason: 'bad-signature',
    });
    // Mallory signs a notice in Bob's name with her own key.
    const mallory = new Device('mallory', w.identity('mallory'), w.clock);
    mallory.manager.addContact({ identityKey: a.identity.publicKey });
    const fake = decodeEnvelope(
      mallory.manager.receive(
        encodeEnvelope({
          ...decodeEnvelope(m1),
          toPeer: mallory.identity.peerId,
          fromPeer: a.identity.peerId,
        }),
      ).replies[0]!,
    );
    expect(
      a.manager.receive(encodeEnvelope({ ...fake, fromPeer: b.identity.peerId })),
    ).toMatchObject({
      type: 'dropped',
    });
    expect(toHex(a.manager.exportState())).toBe(before);
    expect(a.resendRequested()).toEqual([]);
  });

  it('a tampered ratchet message yields a notice but leaves the session as it was', () => {
    const { a, b } = pair('tamper');
    establish(a, b);
    const env = decodeEnvelope(a.send(b, 'm1'));
    const body = env.body.slice();
    body[body.length - 3]! ^= 0x40;
    const before = toHex(b.manager.exportState());
    const r = b.manager.receive(encodeEnvelope({ ...env, body }));
    expect(r).toMatchObject({ type: 'dropped', reason: 'cannot-decrypt' });
    expect(r.replies).toHaveLength(1);
    expect(toHex(b.manager.exportState())).toBe(before);
    // A ignores a notice about its own message? No: it was A's message on that session: resend.
    expect(a.manager.receive(r.replies[0]!)).toMatchObject({ type: 'notice', resend: true });
  });

  it('notices are rate-limited and a notice never answers a notice', () => {
    const { a, b } = pair('rate');
    establish(a, b);
    b.reinstall();
    let notices = 0;
    for (let i = 0; i < 20; i++) notices += b.manager.receive(a.send(b, `x${i}`)).replies.length;
    expect(notices).toBe(10);
  });

  it('random bytes: a typed error or a drop, never a state change', () => {
    const { a, b } = pair('random');
    establish(a, b);
    const before = toHex(b.manager.exportState());
    const valid = a.send(b, 'valid');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, at) => {
        for (const input of [bytes, flip(valid, at)]) {
          try {
            const r = b.manager.receive(input);
            expect(r.type).not.toBe('message');
          } catch (err) {
            expect(P2peError.is(err), String(err)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
    // Only the notice rate-limit window may have moved; sessions and contacts are untouched.
    expect(toHex(b.manager.exportState())).toBe(before);
  });

  it('a revoked identity cannot start a session, even after a reinstall', () => {
    const w = world('revoked');
    const revocations = new RevocationList();
    const a = new Device('alice', w.identity('alice'), w.clock, { revocations });
    const b = new Device('bob', w.identity('bob'), w.clock);
    b.know(a);
    revocations.add(b.identity.revocation, { crypto: a.manager.suite.backend });
    const r = a.manager.receive(b.send(a, 'hi'));
    expect(r).toMatchObject({ type: 'dropped', reason: 'identity-rejected' });
    expect(a.manager.contact(b.identity.peerId)).toBeUndefined();
    expect(a.inbox).toEqual([]);
  });

  it('with acceptNewPeers off, a stranger’s handshake is refused', () => {
    const w = world('closed');
    const a = new Device('alice', w.identity('alice'), w.clock, { acceptNewPeers: false });
    const b = new Device('bob', w.identity('bob'), w.clock);
    b.know(a);
    expect(a.manager.receive(b.send(a, 'hi'))).toMatchObject({ reason: 'identity-rejected' });
    expect(a.manager.exportState().length).toBeLessThan(8);
  });

  it('a successor identity is accepted with its succession; a stranger with the same name is not', () => {
    const { a, b, w } = pair('succession');
    establish(a, b);
    const next = succeedIdentity(b.identity, { crypto: b.manager.suite.backend, clock: w.clock });
    b.reinstall(next.identity);
    b.know(a);
    deliver(a, b, b.send(a, 'from my new key'));
    expect(a.inbox.at(-1)).toBe('from my new key');
    expect(a.events.some((e) => e.type === 'identity-succeeded')).toBe(true);
    expect(a.manager.contact(next.identity.peerId)).toBeDefined();
  });

  it('strangers beyond maxPeers are dropped; known peers keep working and nothing is evicted', () => {
    const w = world('max-peers');
    const a = new Device('alice', w.identity('alice'), w.clock, { maxPeers: 3 });
    const b = new Device('bob', w.identity('bob'), w.clock);
    a.know(b);
    b.know(a);
    establish(a, b);
    const strangers = ['s1', 's2', 's3'].map((n) => new Device(n, w.identity(n), w.clock));
    const results = strangers.map((s) => {
      s.know(a);
      return a.manager.receive(s.send(a, `hi from ${s.name}`));
    });
    // Bob and two strangers fill the three places; the third stranger is refused, untouched.
    expect(results[0]).toMatchObject({ type: 'message' });
    expect(results[1]).toMatchObject({ type: 'message' });
    expect(results[2]).toMatchObject({ type: 'dropped', reason: 'too-many-peers' });
    expect(a.manager.contact(strangers[2]!.identity.peerId)).toBeUndefined();
    expect(() => a.know(strangers[2]!)).toThrow(
      expect.objectContaining({ code: 'SESSION_TOO_MANY_PEERS' }),
    );
    deliver(a, b, b.send(a, 'still here'));
    expect(a.inbox.at(-1)).toBe('still here');
    expect(a.manager.contact(b.identity.peerId)).toBeDefined();
  });

  it('a clock giving fractional milliseconds is an INVALID_TIME error, not a silent drop', () => {
    const { a, b, clock } = pair('fractional-clock');
    const envelope = b.send(a, 'hello');
    const broken = new SessionManager({
      identity: a.identity,
      backend,
      clock: {
        now: () => clock.now() + 0.5,
        setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
        clearTimeout: (handle) => clock.clearTimeout(handle),
        sleep: (ms, options) => clock.sleep(ms, options),
      },
    });
    broken.addContact({ identityKey: b.identity.publicKey });
    for (const call of [
      () => broken.receive(envelope),
      () => broken.send(b.identity.peerId, utf8('id'), utf8('hi')),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_TIME' }));
    }
  });

  it('maxPeers must be an integer in [1, 100000]', () => {
    const w = world('max-peers-arg');
    for (const maxPeers of [0, 1.5, 100_001, Number.NaN]) {
      expect(() => new Device('x', w.identity('x'), w.clock, { maxPeers })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('an identity replaced by a succession cannot come back as a new peer, even after a restart', () => {
    const { a, b, w } = pair('retired');
    establish(a, b);
    const old = b.identity;
    const next = succeedIdentity(old, { crypto: b.manager.suite.backend, clock: w.clock });
    b.reinstall(next.identity);
    b.know(a);
    deliver(a, b, b.send(a, 'moved'));
    expect(a.manager.successorOf(old.peerId)).toEqual(next.identity.peerId);
    expect(a.manager.contact(old.peerId)).toBeUndefined();

    // Whoever kept (or stole) the old key tries again, as a stranger would.
    const thief = new Device('thief', old, w.clock);
    thief.know(a);
    a.restart(); // the refusal is stored state, not memory
    const before = toHex(a.manager.exportState());
    expect(a.manager.receive(thief.send(a, 'still me'))).toMatchObject({
      type: 'dropped',
      reason: 'identity-rejected',
    });
    expect(a.inbox).not.toContain('still me');
    expect(a.events.some((e) => e.type === 'peer-added')).toBe(false);
    expect(toHex(a.manager.exportState())).toBe(before);

    // Nor can the app bring it back by mistake (an old invite) or send to it.
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return P2peError.is(err) ? err.code : String(err);
      }
      return 'no error';
    };
    expect(code(() => a.know(thief))).toBe('SESSION_CONTACT_SUCCEEDED');
    expect(code(() => a.send(thief, 'hello?'))).toBe('SESSION_CONTACT_SUCCEEDED');
    // The successor still works after the restart.
    deliver(a, b, b.send(a, 'after restart'));
    expect(a.inbox.at(-1)).toBe('after restart');
  });

  it('a chain of two successions retires every identity it passes through', () => {
    const { a, b, w } = pair('retired-chain');
    establish(a, b);
    const first = b.identity;
    const second = succeedIdentity(first, { crypto: b.manager.suite.backend, clock: w.clock });
    const third = succeedIdentity(second.identity, {
      crypto: b.manager.suite.backend,
      clock: w.clock,
    });
    b.reinstall(third.identity);
    b.know(a);
    deliver(a, b, b.send(a, 'two keys later'));
    expect(a.inbox.at(-1)).toBe('two keys later');
    for (const id of [first.peerId, second.identity.peerId]) {
      expect(a.manager.successorOf(id)).toEqual(third.identity.peerId);
    }
    const middle = new Device('middle', second.identity, w.clock);
    middle.know(a);
    expect(a.manager.receive(middle.send(a, 'me too'))).toMatchObject({
      reason: 'identity-rejected',
    });
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at % out.length]! ^= 1 << (at % 8);
  return out;
}
