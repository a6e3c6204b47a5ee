import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { fromHex, fromUtf8, ManualClock, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRatchetMessage, encodeRatchetMessage } from '../src/message';
import type { DoubleRatchet } from '../src/ratchet';
import { restoreRatchet, serializeRatchet } from '../src/state-codec';
import { makePair } from './helpers';

const enc = (r: DoubleRatchet): string => toHex(serializeRatchet(r));

function expectUnchanged(r: DoubleRatchet, fn: () => unknown, code?: string): P2peError {
  const before = enc(r);
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(P2peError.is(caught)).toBe(true);
  if (code !== undefined) expect((caught as P2peError).code).toBe(code);
  expect(enc(r)).toBe(before);
  return caught as P2peError;
}

const SUITES = [
  { dh: '25519', aead: 'ChaChaPoly', hash: 'SHA256' },
  { dh: '448', aead: 'AESGCM', hash: 'SHA512' },
  { dh: 'P256', aead: 'XChaChaPoly', hash: 'BLAKE2b' },
] as const;

describe('Double Ratchet: conversations', () => {
  for (const names of SUITES) {
    for (const headerEncryption of [false, true]) {
      it(`ping-pong, bursts and late messages (${names.dh}/${names.aead}/${names.hash}, HE=${headerEncryption})`, () => {
        const { alice, bob } = makePair({
          backend: nodeBackend,
          names,
          headerEncryption,
          seededBobChain: true,
        });
        const early = bob.encrypt(utf8('bob before hearing from alice'));
        const late: Array<[DoubleRatchet, Uint8Array, string]> = [
          [alice, early, 'bob before hearing from alice'],
        ];
        for (let round = 0; round < 4; round++) {
          const burst = [0, 1, 2].map((i) => alice.encrypt(utf8(`a${round}.${i}`)));
          expect(fromUtf8(bob.decrypt(burst[2]!).plaintext)).toBe(`a${round}.2`);
          late.push([bob, burst[0]!, `a${round}.0`]);
          expect(fromUtf8(bob.decrypt(burst[1]!).plaintext)).toBe(`a${round}.1`);
          const reply = bob.encrypt(utf8(`b${round}`));
          expect(fromUtf8(alice.decrypt(reply).plaintext)).toBe(`b${round}`);
        }
        for (const [who, msg, text] of late) {
          const d = who.decrypt(msg);
          expect(fromUtf8(d.plaintext)).toBe(text);
          expect(d.fromSkipped).toBe(true);
        }
        expect(alice.skippedKeyCount).toBe(0);
        expect(bob.skippedKeyCount).toBe(0);
      });
    }
  }

  it('the receiver cannot send before the first message when no chain was seeded', () => {
    const { bob } = makePair();
    expectUnchanged(bob, () => bob.encrypt(utf8('x')), 'RATCHET_CANNOT_SEND');
  });

  it('a restored state continues the session in both directions', () => {
    const { alice, bob, clock } = makePair({ headerEncryption: true });
    const m1 = alice.encrypt(utf8('one'));
    const m2 = alice.encrypt(utf8('two'));
    bob.decrypt(m2);
    const bob2 = restoreRatchet(serializeRatchet(bob), nobleBackend, { clock });
    expect(enc(bob2)).toBe(enc(bob));
    expect(fromUtf8(bob2.decrypt(m1).plaintext)).toBe('one');
    expect(fromUtf8(alice.decrypt(bob2.encrypt(utf8('three'))).plaintext)).toBe('three');
  });

  it('prints counters, never keys', () => {
    const { alice } = makePair();
    expect(String(alice)).toMatch(/^DoubleRatchet\(25519, ns=0/);
    expect(JSON.stringify({ alice })).toBe('{"alice":"[redacted]"}');
  });
});

describe('Double Ratchet: attacks and bad input leave the state unchanged', () => {
  it('replayed message: rejected as duplicate, in the current and in a past chain', () => {
    const { alice, bob } = makePair();
    const m = alice.encrypt(utf8('hi'));
    bob.decrypt(m);
    expectUnchanged(bob, () => bob.decrypt(m), 'RATCHET_DUPLICATE');
    alice.decrypt(bob.encrypt(utf8('r')));
    bob.decrypt(alice.encrypt(utf8('new chain')));
    expectUnchanged(bob, () => bob.decrypt(m), 'RATCHET_DUPLICATE');
  });

  it('replayed message with header encryption: rejected as duplicate', () => {
    const { alice, bob } = makePair({ headerEncryption: true });
    const m = alice.encrypt(utf8('hi'));
    bob.decrypt(m);
    expectUnchanged(bob, () => bob.decrypt(m), 'RATCHET_DUPLICATE');
    alice.decrypt(bob.encrypt(utf8('r')));
    bob.decrypt(alice.encrypt(utf8('new chain')));
    expectUnchanged(bob, () => bob.decrypt(m), 'RATCHET_DUPLICATE');
  });

  it('chain jump over MAX_SKIP: LimitError, no keys derived', () => {
    const { alice, bob } = makePair({ limits: { maxSkip: 5 } });
    const msgs = Array.from({ length: 7 }, (_, i) => alice.encrypt(utf8(`${i}`)));
    expectUnchanged(bob, () => bob.decrypt(msgs[6]!), 'RATCHET_TOO_MANY_SKIPPED');
    expect(fromUtf8(bob.decrypt(msgs[5]!).plaintext)).toBe('5');
    expect(bob.skippedKeyCount).toBe(5);
  });

  it('total skipped keys are bounded: the oldest are dropped', () => {
    const { alice, bob } = makePair({ limits: { maxSkip: 10, maxSkippedKeys: 12 } });
    const all: Uint8Array[] = [];
    for (let round = 0; round < 3; round++) {
      const msgs = Array.from({ length: 9 }, (_, i) => alice.encrypt(utf8(`${round}.${i}`)));
      all.push(...msgs);
      bob.decrypt(msgs[8]!);
      alice.decrypt(bob.encrypt(utf8('ack')));
    }
    expect(bob.skippedKeyCount).toBe(12);
    // The first round's keys were the oldest: gone.
    expectUnchanged(bob, () => bob.decrypt(all[0]!), 'RATCHET_DUPLICATE');
    expect(fromUtf8(bob.decrypt(all[25]!).plaintext)).toBe('2.7');
  });

  it('skipped keys expire', () => {
    const { alice, bob, clock } = makePair({ limits: { skippedKeyMaxAgeMs: 1000 } });
    const m0 = alice.encrypt(utf8('late'));
    const m1 = alice.encrypt(utf8('first'));
    const m2 = alice.encrypt(utf8('second'));
    bob.decrypt(m1);
    clock.advance(1000);
    expectUnchanged(bob, () => bob.decrypt(m0), 'RATCHET_KEY_EXPIRED');
    bob.decrypt(m2); // a successful decrypt prunes
    expect(bob.skippedKeyCount).toBe(0);
    expectUnchanged(bob, () => bob.decrypt(m0), 'RATCHET_DUPLICATE');
  });

  it('a message of another session (different AD) does not decrypt', () => {
    const a = makePair({ seed: 'one' });
    const b = makePair({ seed: 'one' });
    // Same keys, different AD: rebuild b's bob with another AD by restoring with a patched state.
    const m = a.alice.encrypt(utf8('x'));
    expect(fromUtf8(b.bob.decrypt(m).plaintext)).toBe('x'); // same seed, same AD: sanity
    const other = makePair({ seed: 'two' });
    expectUnchanged(other.bob, () => other.bob.decrypt(m));
  });

  for (const headerEncryption of [false, true]) {
    it(`every flipped bit is rejected with a typed error and no state change (HE=${headerEncryption})`, () => {
      const { alice, bob } = makePair({ backend: nodeBackend, headerEncryption });
      bob.decrypt(alice.encrypt(utf8('warm-up')));
      alice.decrypt(bob.encrypt(utf8('warm-up reply')));
      const m = alice.encrypt(utf8('a 100-byte message'.padEnd(100, '.')));
      const before = enc(bob);
      for (let bit = 0; bit < m.length * 8; bit++) {
        const bad = m.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        let err: unknown;
        try {
          bob.decrypt(bad);
        } catch (e) {
          err = e;
        }
        expect(P2peError.is(err), `bit ${bit}`).toBe(true);
      }
      expect(enc(bob)).toBe(before);
      expect(fromUtf8(bob.decrypt(m).plaintext)).toMatch(/^a 100-byte/);
    });
  }

  it('truncated, oversized and random messages: DecodeError/LimitError/VerificationError, no change', () => {
    const { alice, bob } = makePair({ backend: nodeBackend });
    const m = alice.encrypt(utf8('hello'));
    for (let len = 0; len < m.length; len++)
      expectUnchanged(bob, () => bob.decrypt(m.subarray(0, len)));
    expectUnchanged(bob, () => bob.decrypt(new Uint8Array(70_000)), 'DECODE_TOO_LARGE');
    const parts = decodeRatchetMessage(m);
    const wrongVersion = m.slice();
    wrongVersion[1] = 9;
    expectUnchanged(bob, () => bob.decrypt(wrongVersion), 'RATCHET_VERSION');
    expectUnchanged(bob, () => bob.decrypt(encodeRatchetMessage(parts.header, new Uint8Array(3))));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectUnchanged(bob, () => bob.decrypt(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('stored state: truncated, oversized, wrong version and random bytes are refused', () => {
    const { alice } = makePair();
    const s = serializeRatchet(alice);
    for (let len = 0; len < s.length; len += 7) {
      expect(() => restoreRatchet(s.subarray(0, len), nobleBackend)).toThrow(P2peError);
    }
    expect(() => restoreRatchet(new Uint8Array(10_000_000), nobleBackend)).toThrow(/exceeds/);
    const v = s.slice();
    v[1] = 2;
    expect(() => restoreRatchet(v, nobleBackend)).toThrow(/version 2/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => restoreRatchet(bytes, nobleBackend)).toThrow(P2peError);
      }),
      { numRuns: 200 },
    );
  });

  it('a bad argument reads like noble', () => {
    const { alice } = makePair();
    expect(() => alice.encrypt('x' as unknown as Uint8Array)).toThrow(
      '"plaintext" expected Uint8Array, got string',
    );
    expect(() => alice.encrypt(new Uint8Array(64 * 1024 + 1))).toThrow(/exceeds/);
  });
});

/** A network model: per-direction in-flight queues with reorder, drop and duplicate. */
type Op =
  | { t: 'send'; fromAlice: boolean }
  | { t: 'deliver'; toBob: boolean; pick: number; keep: boolean }
  | { t: 'drop'; toBob: boolean; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('send' as const), fromAlice: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('deliver' as const),
      toBob: fc.boolean(),
      pick: fc.nat(),
      keep: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('drop' as const), toBob: fc.boolean(), pick: fc.nat() }),
  },
);

describe('Double Ratchet: properties', () => {
  it('any schedule of sends, drops, reorders and duplicates: each delivered message opens exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        (ops, headerEncryption, seededBobChain) => {
          const { alice, bob } = makePair({
            backend: nodeBackend,
            headerEncryption,
            seededBobChain,
          });
          const flight = {
            toBob: [] as Array<{ m: Uint8Array; text: string; opened: boolean }>,
            toAlice: [] as Array<{ m: Uint8Array; text: string; opened: boolean }>,
          };
          let counter = 0;
          for (const op of ops) {
            if (op.t === 'send') {
              const sender = op.fromAlice ? alice : bob;
              if (!sender.canSend) continue;
              const text = `m${counter++}`;
              (op.fromAlice ? flight.toBob : flight.toAlice).push({
                m: sender.encrypt(utf8(text)),
                text,
                opened: false,
              });
            } else {
              const q = op.toBob ? flight.toBob : flight.toAlice;
              if (q.length === 0) continue;
              const i = op.pick % q.length;
              const item = q[i]!;
              if (op.t === 'drop') {
                q.splice(i, 1);
                continue;
              }
              if (!op.keep) q.splice(i, 1);
              const receiver = op.toBob ? bob : alice;
              if (item.opened) {
                expectUnchanged(receiver, () => receiver.decrypt(item.m), 'RATCHET_DUPLICATE');
              } else {
                expect(fromUtf8(receiver.decrypt(item.m).plaintext)).toBe(item.text);
                item.opened = true;
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a decrypted message's key is gone from the state afterwards (forward secrecy)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(), fc.boolean(), (count, pick, he) => {
        const { alice, bob, clock } = makePair({ backend: nodeBackend, headerEncryption: he });
        const msgs = Array.from({ length: count }, (_, i) => alice.encrypt(utf8(`${i}`)));
        bob.decrypt(msgs[count - 1]!);
        const target = msgs[pick % count]!;
        if (pick % count !== count - 1) bob.decrypt(target);
        // A thief who copies the state now cannot open the message again.
        const stolen = restoreRatchet(serializeRatchet(bob), nodeBackend, { clock });
        expect(() => stolen.decrypt(target)).toThrow(P2peError);
      }),
      { numRuns: 30 },
    );
  });

  it('a state stolen earlier cannot decrypt messages sent after the next DH round trip (PCS)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        (warm, he, stealBob) => {
          const { alice, bob, clock } = makePair({ backend: nodeBackend, headerEncryption: he });
          bob.decrypt(alice.encrypt(utf8('first')));
          for (let i = 0; i < warm; i++) {
            bob.decrypt(alice.encrypt(utf8('a')));
            alice.decrypt(bob.encrypt(utf8('b')));
          }
          const victim = stealBob ? bob : alice;
          const peer = stealBob ? alice : bob;
          const snapshot = serializeRatchet(victim);
          // Before the round trip the thief can read what the peer sends on the current chain ...
          const m = peer.encrypt(utf8('still readable'));
          const early = restoreRatchet(snapshot, nodeBackend, { clock });
          expect(fromUtf8(early.decrypt(m).plaintext)).toBe('still readable');
          victim.decrypt(m);
          // ... then one DH round trip: the victim sends (fresh key), the peer answers (fresh key).
          peer.decrypt(victim.encrypt(utf8('victim speaks')));
          const after = [peer.encrypt(utf8('after 1')), peer.encrypt(utf8('after 2'))];
          for (const m of after) victim.decrypt(m);
          const thief = restoreRatchet(snapshot, nodeBackend, { clock });
          for (const m of after) expect(() => thief.decrypt(m)).toThrow(P2peError);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('same seed, same transcript (deterministic under injected randomness)', () => {
    const run = (): string => {
      const { alice, bob } = makePair({ seed: 'det' });
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = alice.encrypt(utf8(`${i}`));
        bob.decrypt(m);
        const r = bob.encrypt(utf8(`r${i}`));
        alice.decrypt(r);
        out.push(toHex(m), toHex(r));
      }
      return out.join();
    };
    expect(run()).toBe(run());
    expect(deterministicRandomForTestsOnly('x')(4)).toHaveLength(4);
  });
});

describe('stored state from earlier versions', () => {
  it('a v1 state (test/fixtures/ratchet-state-v1.json) restores and continues', async () => {
    const { readFileSync } = await import('node:fs');
    const fixture = JSON.parse(
      readFileSync(new URL('./fixtures/ratchet-state-v1.json', import.meta.url), 'utf8'),
    ) as Record<string, { state: string; late: string; next: string }>;
    for (const key of ['plain', 'headerEncryption']) {
      const f = fixture[key]!;
      const bob = restoreRatchet(fromHex(f.state), nobleBackend, {
        clock: new ManualClock(1_700_000_000_000),
      });
      expect(fromUtf8(bob.decrypt(fromHex(f.next)).plaintext)).toBe('after restore');
      expect(fromUtf8(bob.decrypt(fromHex(f.late)).plaintext)).toBe('late');
    }
  });
});
