import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  createIdentity,
  createInvite,
  createRecord,
  followSuccessions,
  RevocationList,
  succeedIdentity,
  successionPath,
  verifyRecord,
  verifyRevocation,
  verifyStaticKeyCertificate,
  verifySuccession,
} from '../src/index';
import { verifyInvite } from '../src/invite';
import { backends, clockAt, errorOf, fixture, flipBit, idealSignatureBackend, T0 } from './helpers';

describe.each(backends)('succession ($name backend)', (crypto) => {
  test('contacts follow a chain of successions without verifying again', () => {
    const random = deterministicRandomForTestsOnly('chain');
    const clock = clockAt();
    const first = createIdentity({ random, clock, crypto });
    let current = first;
    for (let i = 0; i < 3; i++)
      current = succeedIdentity(current, { random, clock, crypto }).identity;
    expect(current.successions).toHaveLength(3);
    expect(followSuccessions(first.publicKey, current.successions, { crypto })).toEqual(
      current.publicKey,
    );
    // A contact who already followed the first step continues from there.
    const second = verifySuccession(current.successions[0]!, { crypto }).newKey;
    expect(followSuccessions(second, current.successions.slice(1), { crypto })).toEqual(
      current.publicKey,
    );
    // The whole path: the trusted key, each step's new key, the current key last.
    const path = successionPath(first.publicKey, current.successions, { crypto });
    expect(path).toHaveLength(4);
    expect(path[0]).toEqual(first.publicKey);
    expect(path[1]).toEqual(second);
    expect(path.at(-1)).toEqual(current.publicKey);
    expect(successionPath(first.publicKey, [], { crypto })).toEqual([first.publicKey]);
    // The successor keeps suites and sequence; its static keys are fresh and certified by it.
    expect(current.recordSequence).toBe(first.recordSequence);
    expect(current.staticKeys[0]!.publicKey).not.toEqual(first.staticKeys[0]!.publicKey);
    verifyStaticKeyCertificate(current.staticKeys[0]!.certificate, {
      crypto,
      clock,
      identityKey: current.publicKey,
    });
  });

  test('any flipped bit fails verification (sampled)', () => {
    const { succession } = succeedIdentity(fixture('alice'), { clock: clockAt(), crypto });
    fc.assert(
      fc.property(fc.nat(succession.length * 8 - 1), (bit) => {
        expect(() => verifySuccession(flipBit(succession, bit), { crypto })).toThrow();
      }),
      { numRuns: crypto === nobleBackend ? 20 : 100 },
    );
  });
});

describe('succession', () => {
  test('every flipped bit fails verification (exhaustive, ideal signatures)', () => {
    const crypto = idealSignatureBackend();
    const { succession } = succeedIdentity(fixture('alice'), { clock: clockAt(), crypto });
    verifySuccession(succession, { crypto });
    for (let bit = 0; bit < succession.length * 8; bit++) {
      expect(() => verifySuccession(flipBit(succession, bit), { crypto })).toThrow();
    }
  });

  test('a broken, reordered or looping chain is refused', () => {
    const crypto = nodeBackend;
    const random = deterministicRandomForTestsOnly('broken');
    const clock = clockAt();
    const a = createIdentity({ random, clock, crypto });
    const b = succeedIdentity(a, { random, clock, crypto });
    const c = succeedIdentity(b.identity, { random, clock, crypto });
    expect(errorOf(() => followSuccessions(a.publicKey, [c.succession], { crypto })).code).toBe(
      'SUCCESSION_CHAIN_BROKEN',
    );
    expect(
      errorOf(() => followSuccessions(a.publicKey, [c.succession, b.succession], { crypto })).code,
    ).toBe('SUCCESSION_CHAIN_BROKEN');
    expect(
      errorOf(() => followSuccessions(fixture('bob').publicKey, [b.succession], { crypto })).code,
    ).toBe('SUCCESSION_CHAIN_BROKEN');
    expect(
      errorOf(() => verifySuccession(b.succession, { crypto, oldKey: fixture('bob').publicKey }))
        .code,
    ).toBe('IDENTITY_MISMATCH');
    expect(
      errorOf(() => followSuccessions(a.publicKey, new Array(33).fill(b.succession), { crypto }))
        .code,
    ).toBe('SUCCESSION_CHAIN_TOO_LONG');
  });

  test('a succession with a swapped signature (someone claiming another key) fails', () => {
    const crypto = nodeBackend;
    const { succession } = succeedIdentity(fixture('alice'), { clock: clockAt(), crypto });
    // Keep Alice's old-key signature, replace the new-key signature by a copy of it.
    const forged = succession.slice();
    forged.set(
      succession.subarray(succession.length - 130, succession.length - 66),
      succession.length - 64,
    );
    expect(errorOf(() => verifySuccession(forged, { crypto })).code).toBe('SIGNATURE_INVALID');
  });
});

describe('revocation', () => {
  test('after revocation, every use of the key fails verification', () => {
    const crypto = nodeBackend;
    const random = deterministicRandomForTestsOnly('revoke');
    const clock = clockAt();
    const alice = createIdentity({ random, clock, crypto });
    const { record } = createRecord(alice, {}, { clock, crypto });
    const invite = createInvite(alice, { clock, crypto });
    const next = succeedIdentity(alice, { random, clock, crypto });
    const cert = alice.staticKeys[0]!.certificate;
    // Before: all verify.
    verifyRecord(record, { clock, crypto });
    verifyInvite(invite.bytes, { clock, crypto });
    verifySuccession(next.succession, { crypto });
    verifyStaticKeyCertificate(cert, { clock, crypto });
    // The verifier learns the revocation certificate (kept offline, published when needed).
    const revocations = new RevocationList();
    expect(revocations.add(alice.revocation, { crypto })).toEqual(alice.publicKey);
    const options = { clock, crypto, revocations };
    expect(errorOf(() => verifyRecord(record, options)).code).toBe('IDENTITY_REVOKED');
    expect(errorOf(() => verifyInvite(invite.bytes, options)).code).toBe('IDENTITY_REVOKED');
    expect(errorOf(() => verifySuccession(next.succession, options)).code).toBe('IDENTITY_REVOKED');
    expect(errorOf(() => verifyStaticKeyCertificate(cert, options)).code).toBe('IDENTITY_REVOKED');
    expect(errorOf(() => followSuccessions(alice.publicKey, [next.succession], options)).code).toBe(
      'IDENTITY_REVOKED',
    );
    // A revoked successor cannot be followed either.
    const revokedNext = new RevocationList();
    revokedNext.add(next.identity.revocation, { crypto });
    expect(
      errorOf(() =>
        followSuccessions(alice.publicKey, [next.succession], { crypto, revocations: revokedNext }),
      ).code,
    ).toBe('IDENTITY_REVOKED');
  });

  test('a revocation list survives a restart', () => {
    const list = new RevocationList();
    list.add(fixture('alice').revocation);
    list.add(fixture('bob').revocation);
    list.add(fixture('alice').revocation); // idempotent
    expect(list.size).toBe(2);
    const back = RevocationList.decode(list.encode());
    expect(back.isRevoked(fixture('alice').publicKey)).toBe(true);
    expect(back.isRevoked(fixture('carol').publicKey)).toBe(false);
    expect(back.certificates()).toEqual(list.certificates());
    const bad = flipBit(list.encode(), 8 * 10);
    expect(() => RevocationList.decode(bad)).toThrow();
  });

  test('every flipped bit of a revocation fails verification (exhaustive, ideal signatures)', () => {
    const crypto = idealSignatureBackend();
    const alice = createIdentity({ clock: clockAt(), crypto });
    expect(verifyRevocation(alice.revocation, { crypto })).toEqual(alice.publicKey);
    for (let bit = 0; bit < alice.revocation.length * 8; bit++) {
      expect(() => verifyRevocation(flipBit(alice.revocation, bit), { crypto })).toThrow();
    }
  });

  test('a revocation is not a record, invite or certificate (domain separation)', () => {
    const crypto = nodeBackend;
    const alice = fixture('alice');
    const clock = clockAt(T0);
    for (const verify of [
      () => verifyRecord(alice.revocation, { clock, crypto }),
      () => verifyInvite(alice.revocation, { clock, crypto }),
      () => verifyStaticKeyCertificate(alice.revocation, { clock, crypto }),
    ]) {
      expect(verify).toThrow();
    }
    expect(() => verifyRevocation(alice.staticKeys[0]!.certificate, { crypto })).toThrow();
  });
});
