import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { concatBytes, fromUtf8, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PREVIOUS_RECEIVE_KEYS, MAX_SKIP, MAX_SKIPPED_KEYS } from '../src/constants';
import { kdfChain } from '../src/kdf';
import { decodeRatchetMessage, encodeHeader, encodeRatchetMessage } from '../src/message';
import { DoubleRatchet } from '../src/ratchet';
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
  expect(P2peError.is(caught), String(caught)).toBe(true);
  if (code !== undefined) expect((caught as P2peError).code).toBe(code);
  expect(enc(r)).toBe(before);
  return caught as P2peError;
}

describe('Double Ratchet: review attacks', () => {
  it('header/extra-AD boundary: a zero `n` moved from the header into the extra AD is refused', () => {
    const { alice, bob } = makePair();
    // A 22-byte message id: 0x18 (the `n` tag) is 24 = 2 + 22, the length byte of the moved AD.
    const id = new Uint8Array(22).fill(7);
    const m = alice.encrypt(utf8('first of its chain'), id);
    const parts = decodeRatchetMessage(m);
    const h = parts.header;
    expect([...h.subarray(h.length - 2)]).toEqual([0x18, 0x00]); // n = 0, written last
    const stripped = encodeRatchetMessage(h.subarray(0, h.length - 2), parts.body);
    const movedId = concatBytes(Uint8Array.of(0x00, id.length), id);
    expectUnchanged(bob, () => bob.decrypt(stripped, movedId));
    expect(fromUtf8(bob.decrypt(m, id).plaintext)).toBe('first of its chain');
  });

  it('a forged counter far beyond MAX_SKIP (default limits) is refused before any key is derived', () => {
    const { alice, bob } = makePair();
    bob.decrypt(alice.encrypt(utf8('warm-up')));
    const real = decodeRatchetMessage(alice.encrypt(utf8('x')));
    const dh = alice.state.dhs.publicKey;
    for (const n of [MAX_SKIP + 2, 0xffff_fffe]) {
      const forged = encodeRatchetMessage(encodeHeader({ dh, pn: 0, n }), real.body);
      expectUnchanged(bob, () => bob.decrypt(forged), 'RATCHET_TOO_MANY_SKIPPED');
    }
  });

  for (const headerEncryption of [false, true]) {
    it(`a new chain that would skip too many keys (old chain via pn, new chain via n) changes nothing (HE=${headerEncryption})`, () => {
      // Old chain: 5 of alice's messages are lost, then she ratchets: pn - nr = 5 > 3.
      const viaPn = makePair({ headerEncryption, limits: { maxSkip: 3 } });
      viaPn.bob.decrypt(viaPn.alice.encrypt(utf8('a0')));
      viaPn.alice.decrypt(viaPn.bob.encrypt(utf8('b0')));
      for (let i = 0; i < 5; i++) viaPn.alice.encrypt(utf8(`lost ${i}`));
      viaPn.alice.decrypt(viaPn.bob.encrypt(utf8('b1'))); // alice ratchets at her next send: pn = 6
      const overPn = viaPn.alice.encrypt(utf8('after ratchet'));
      expectUnchanged(viaPn.bob, () => viaPn.bob.decrypt(overPn), 'RATCHET_TOO_MANY_SKIPPED');
      // New chain: n beyond maxSkip on the first message of a new chain.
      const viaN = makePair({ headerEncryption, limits: { maxSkip: 3 } });
      viaN.bob.decrypt(viaN.alice.encrypt(utf8('a0')));
      viaN.alice.decrypt(viaN.bob.encrypt(utf8('b0')));
      const burst = Array.from({ length: 5 }, (_, i) => viaN.alice.encrypt(utf8(`n${i}`)));
      const before = enc(viaN.bob);
      expectUnchanged(viaN.bob, () => viaN.bob.decrypt(burst[4]!), 'RATCHET_TOO_MANY_SKIPPED');
      expect(enc(viaN.bob)).toBe(before);
      expect(fromUtf8(viaN.bob.decrypt(burst[3]!).plaintext)).toBe('n3');
    });
  }

  it('header encryption: a header no key opens, and a body that fails after the header opened, change nothing', () => {
    const { alice, bob } = makePair({ headerEncryption: true });
    bob.decrypt(alice.encrypt(utf8('warm-up')));
    alice.decrypt(bob.encrypt(utf8('reply'))); // alice's next message starts a new chain (NHKr)
    const next = decodeRatchetMessage(alice.encrypt(utf8('new chain')));
    const h = next.header.slice();
    h[h.length - 1]! ^= 1;
    expectUnchanged(
      bob,
      () => bob.decrypt(encodeRatchetMessage(h, next.body)),
      'RATCHET_DECRYPT_FAILED',
    );
    const body = next.body.slice();
    body[0]! ^= 1;
    expectUnchanged(
      bob,
      () => bob.decrypt(encodeRatchetMessage(next.header, body)),
      'RATCHET_DECRYPT_FAILED',
    );
    expect(fromUtf8(bob.decrypt(encodeRatchetMessage(next.header, next.body)).plaintext)).toBe(
      'new chain',
    );
  });

  it('stored state: any corrupted byte or truncation of a real state is refused whole (property)', () => {
    const { alice, bob } = makePair({ headerEncryption: true });
    bob.decrypt(alice.encrypt(utf8('a')));
    alice.encrypt(utf8('skipped'));
    bob.decrypt(alice.encrypt(utf8('b')));
    const s = serializeRatchet(bob);
    expect(enc(restoreRatchet(s, nobleBackend))).toBe(toHex(s));
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, x, cut) => {
        const bad = cut ? s.subarray(0, at % s.length) : s.slice();
        if (!cut) bad[at % s.length]! ^= x;
        expect(() => restoreRatchet(bad, nodeBackend)).toThrow(P2peError);
      }),
      { numRuns: 300 },
    );
  });

  it('limits a stored state could not hold are refused up front (else save + restore would fail)', () => {
    for (const limits of [
      { maxSkippedKeys: MAX_SKIPPED_KEYS + 1 },
      { maxSkip: 0 },
      { maxSkip: 25_001 },
      { maxSkip: Number.NaN },
      { skippedKeyMaxAgeMs: -1 },
    ]) {
      expect(() => makePair({ limits })).toThrow(/"limits\.\w+" expected an integer/);
    }
    const { alice } = makePair({ limits: { maxSkippedKeys: MAX_SKIPPED_KEYS, maxSkip: 1 } });
    expect(alice.canSend).toBe(true);
  });

  it('header encryption: a forged header costs a bounded number of trials, however many chains had losses', () => {
    let trials = 0;
    const counting: CryptoBackend = {
      ...nodeBackend,
      aead: (name) => {
        const inner = nodeBackend.aead(name);
        return {
          ...inner,
          decrypt: (...args: Parameters<typeof inner.decrypt>) => {
            trials++;
            return inner.decrypt(...args);
          },
        };
      },
    };
    const { alice, bob } = makePair({ backend: counting, headerEncryption: true });
    const late: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      late.push(alice.encrypt(utf8(`late ${i}`))); // lost for now: one skipped key per chain
      bob.decrypt(alice.encrypt(utf8('x')));
      alice.decrypt(bob.encrypt(utf8('y')));
    }
    const forged = encodeRatchetMessage(new Uint8Array(60).fill(1), new Uint8Array(40));
    trials = 0;
    expectUnchanged(bob, () => bob.decrypt(forged), 'RATCHET_DECRYPT_FAILED');
    expect(trials).toBeLessThanOrEqual(2 + MAX_PREVIOUS_RECEIVE_KEYS);
    // Late messages of the recent chains still open; older ones no longer do.
    expect(fromUtf8(bob.decrypt(late[99]!).plaintext)).toBe('late 99');
    expect(fromUtf8(bob.decrypt(late[100 - MAX_PREVIOUS_RECEIVE_KEYS]!).plaintext)).toBe(
      `late ${100 - MAX_PREVIOUS_RECEIVE_KEYS}`,
    );
    expectUnchanged(bob, () => bob.decrypt(late[0]!), 'RATCHET_DECRYPT_FAILED');
  });

  it('no (key, nonce) pair is ever used twice to encrypt: message keys, header keys, the seeded chain, across restores (property)', () => {
    const used = new Set<string>();
    let encryptions = 0;
    const recording: CryptoBackend = {
      ...nodeBackend,
      aead: (name) => {
        const inner = nodeBackend.aead(name);
        return {
          ...inner,
          encrypt: (...args: Parameters<typeof inner.encrypt>) => {
            const [key, nonce] = args;
            const id = `${toHex(key)}/${toHex(nonce)}`;
            expect(used.has(id), 'a key and nonce encrypted twice').toBe(false);
            used.add(id);
            encryptions++;
            return inner.encrypt(...args);
          },
        };
      },
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'a', 'b', 'toA', 'toB', 'saveA', 'saveB'), {
          maxLength: 40,
        }),
        fc.boolean(),
        fc.boolean(),
        (ops, headerEncryption, seededBobChain) => {
          used.clear();
          const pair = makePair({ backend: recording, headerEncryption, seededBobChain });
          let { alice, bob } = pair;
          const options = { clock: pair.clock, random: pair.random };
          const toA: Uint8Array[] = [];
          const toB: Uint8Array[] = [];
          for (const op of ops) {
            if (op === 'a' && alice.canSend) toB.push(alice.encrypt(utf8(op)));
            if (op === 'b' && bob.canSend) toA.push(bob.encrypt(utf8(op)));
            if (op === 'toA' && toA.length > 0) alice.decrypt(toA.shift()!);
            if (op === 'toB' && toB.length > 0) bob.decrypt(toB.shift()!);
            // Save and restart: the restored session goes on from the saved state.
            if (op === 'saveA') alice = restoreRatchet(serializeRatchet(alice), recording, options);
            if (op === 'saveB') bob = restoreRatchet(serializeRatchet(bob), recording, options);
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(encryptions).toBeGreaterThan(100);
  });

  it('a message numbered 2^32 - 1 (never sent: senders stop before it) is refused, so every state restores', () => {
    const { alice, bob, suite, clock, random } = makePair({ backend: nodeBackend });
    bob.decrypt(alice.encrypt(utf8('start')));
    // Jump both ends to the end of the chain (same chain key, counters moved).
    const last = 0xffff_fffe;
    const options = { clock, random };
    const a = new DoubleRatchet(suite, { ...alice.state, ns: last }, options);
    const b = new DoubleRatchet(suite, { ...bob.state, nr: last }, options);
    expect(fromUtf8(b.decrypt(a.encrypt(utf8('the last one'))).plaintext)).toBe('the last one');
    expect(() => a.encrypt(utf8('one more'))).toThrow(/2\^32 - 1/);
    // A peer running other code authenticates one more message anyway.
    const s = a.state;
    const header = encodeHeader({ dh: s.dhs.publicKey, pn: s.pn, n: last + 1 });
    const ad = concatBytes(suite.hash.digest(s.ad), Uint8Array.of(1), header);
    const { messageKey } = kdfChain(suite, s.sendChainKey!);
    const body = suite.aead.encrypt(messageKey, suite.zeroNonce, utf8('beyond'), ad);
    expectUnchanged(
      b,
      () => b.decrypt(encodeRatchetMessage(header, body)),
      'RATCHET_COUNTER_RANGE',
    );
    expect(enc(restoreRatchet(serializeRatchet(b), nodeBackend))).toBe(enc(b));
  });
});
