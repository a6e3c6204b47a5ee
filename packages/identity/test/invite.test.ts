import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  createInvite,
  DEFAULT_INVITE_TTL_MS,
  inviteUri,
  MAX_INVITE_BYTES,
  MAX_INVITE_TTL_MS,
  parseInviteUri,
  RevocationList,
  verifyInvite,
} from '../src/index';
import { backends, clockAt, errorOf, fixture, flipBit, idealSignatureBackend, T0 } from './helpers';

describe.each(backends)('invites ($name backend)', (crypto) => {
  test('round-trip through bytes, link and QR text', () => {
    const alice = fixture('alice');
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }),
        fc.boolean(),
        (addresses, oneTimeSecret) => {
          const random = deterministicRandomForTestsOnly('invite');
          const clock = clockAt();
          const invite = createInvite(alice, { clock, random, crypto, addresses, oneTimeSecret });
          expect(invite.uri.startsWith('p2pe:inv1')).toBe(true);
          expect(invite.qrText).toMatch(/^[0-9A-Z:]+$/); // QR alphanumeric mode
          for (const form of [invite.bytes, invite.uri, invite.qrText]) {
            const v = verifyInvite(form, { clock, crypto, identityKey: alice.publicKey });
            expect(v.identityKey).toEqual(alice.publicKey);
            expect(v.peerId).toEqual(alice.peerId);
            expect(v.addresses).toEqual(addresses);
            expect(v.expiresAt).toBe(T0 + DEFAULT_INVITE_TTL_MS);
            expect(v.secret).toEqual(invite.secret);
          }
          expect(invite.secret === undefined).toBe(!oneTimeSecret);
        },
      ),
      { numRuns: crypto === nobleBackend ? 5 : 30 },
    );
  });

  test('any flipped bit fails verification (sampled)', () => {
    const clock = clockAt();
    const invite = createInvite(fixture('alice'), { clock, crypto, oneTimeSecret: true });
    fc.assert(
      fc.property(fc.nat(invite.bytes.length * 8 - 1), (bit) => {
        expect(() => verifyInvite(flipBit(invite.bytes, bit), { clock, crypto })).toThrow();
      }),
      { numRuns: crypto === nobleBackend ? 20 : 100 },
    );
  });
});

describe('invites', () => {
  test('every flipped bit fails verification (exhaustive, ideal signatures)', () => {
    const clock = clockAt();
    const crypto = idealSignatureBackend();
    const invite = createInvite(fixture('alice'), {
      clock,
      crypto,
      oneTimeSecret: true,
      addresses: ['/dns/example.org/tcp/443'],
    });
    for (let bit = 0; bit < invite.bytes.length * 8; bit++) {
      expect(() => verifyInvite(flipBit(invite.bytes, bit), { clock, crypto })).toThrow();
    }
  });

  test('a mistyped link is caught by its checksum', () => {
    const invite = createInvite(fixture('alice'), { clock: clockAt() });
    const i = 30;
    const c = invite.uri[i] === 'q' ? 'p' : 'q';
    const bad = invite.uri.slice(0, i) + c + invite.uri.slice(i + 1);
    expect(errorOf(() => parseInviteUri(bad)).code).toBe('INVITE_CHECKSUM');
    expect(errorOf(() => parseInviteUri('https://example.org')).code).toBe('INVITE_URI');
    expect(errorOf(() => parseInviteUri(`p2pe:inv1${'q'.repeat(5000)}`)).code).toBe('INVITE_URI');
    expect(parseInviteUri(` ${invite.uri.toUpperCase()}\n`)).toEqual(invite.bytes);
    expect(inviteUri(invite.bytes)).toBe(invite.uri);
  });

  test('an expired invite or one from a revoked identity is refused', () => {
    const alice = fixture('alice');
    const invite = createInvite(alice, { clock: clockAt(), ttlMs: 1000 });
    expect(errorOf(() => verifyInvite(invite.uri, { clock: clockAt(T0 + 1000) })).code).toBe(
      'INVITE_EXPIRED',
    );
    // Made with the longest TTL, read by a clock a day behind: it claims too long a life.
    const long = createInvite(alice, { clock: clockAt(), ttlMs: MAX_INVITE_TTL_MS });
    expect(errorOf(() => verifyInvite(long.bytes, { clock: clockAt(T0 - 86_400_000) })).code).toBe(
      'INVITE_TTL_TOO_LONG',
    );
    const revocations = new RevocationList();
    revocations.add(alice.revocation);
    expect(errorOf(() => verifyInvite(invite.uri, { clock: clockAt(), revocations })).code).toBe(
      'IDENTITY_REVOKED',
    );
  });

  test('oversized invites are refused when made and when read', () => {
    const addresses = Array.from({ length: 4 }, () => 'a'.repeat(300));
    expect(errorOf(() => createInvite(fixture('alice'), { addresses })).code).toBe(
      'INVITE_TOO_LARGE',
    );
    expect(errorOf(() => verifyInvite(new Uint8Array(MAX_INVITE_BYTES + 1))).code).toBe(
      'DECODE_TOO_LARGE',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(() => verifyInvite(bytes, { clock: clockAt() })).toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
