import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { ProtoWriter } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { signedMessage } from '../src/common';
import { decodeEnvelope, encodeEnvelope } from '../src/envelope';
import {
  createIdentity,
  createRecord,
  isNewerRecord,
  MAX_RECORD_BYTES,
  MAX_RECORD_TTL_MS,
  MAX_STATIC_KEY_LIFETIME_MS,
  pickStaticKey,
  RevocationList,
  rotateStaticKeys,
  verifyRecord,
} from '../src/index';
import { backends, clockAt, errorOf, fixture, flipBit, idealSignatureBackend, T0 } from './helpers';

const addressArb = fc.string({ maxLength: 40 });
const contentArb = fc.record({
  addresses: fc.array(addressArb, { maxLength: 4 }),
  relays: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
  suites: fc.array(
    fc.constantFrom('Noise_IK_25519_ChaChaPoly_SHA256', 'Noise_XX_448_AESGCM_SHA512'),
    {
      maxLength: 2,
    },
  ),
  ttlMs: fc.integer({ min: 1, max: MAX_RECORD_TTL_MS }),
});

describe.each(backends)('records ($name backend)', (crypto) => {
  test('round-trip: what is signed is what verifies', () => {
    const alice = fixture('alice');
    fc.assert(
      fc.property(contentArb, (content) => {
        const clock = clockAt();
        const { identity, record } = createRecord(alice, content, { clock, crypto });
        const v = verifyRecord(record, { clock, crypto, identityKey: alice.publicKey });
        expect(v.identityKey).toEqual(alice.publicKey);
        expect(v.peerId).toEqual(alice.peerId);
        expect(v.addresses).toEqual(content.addresses);
        expect(v.relays).toEqual(content.relays);
        expect(v.suites).toEqual(content.suites);
        expect(v.expiresAt).toBe(T0 + content.ttlMs);
        expect(v.sequence).toBe(identity.recordSequence);
        expect(v.staticKeys.map((k) => k.publicKey)).toEqual(
          alice.staticKeys.map((k) => k.publicKey),
        );
        expect(v.bytes).toEqual(record);
      }),
      { numRuns: crypto === nobleBackend ? 15 : 60 },
    );
  });

  test('any flipped bit fails verification (sampled)', () => {
    const clock = clockAt();
    const { record } = createRecord(
      fixture('alice'),
      { addresses: ['/ip4/10.0.0.1/tcp/4001'] },
      {
        clock,
        crypto,
      },
    );
    fc.assert(
      fc.property(fc.nat(record.length * 8 - 1), (bit) => {
        expect(() => verifyRecord(flipBit(record, bit), { clock, crypto })).toThrow();
      }),
      { numRuns: crypto === nobleBackend ? 30 : 200 },
    );
  });
});

describe('records', () => {
  test('every flipped bit of one record fails verification (exhaustive)', () => {
    const clock = clockAt();
    const crypto = idealSignatureBackend();
    const { record } = createRecord(
      fixture('alice'),
      { addresses: ['/ip4/10.0.0.1/tcp/4001'], relays: [new Uint8Array(8)], suites: ['x'] },
      { clock, crypto },
    );
    expect(verifyRecord(record, { clock, crypto }).sequence).toBe(T0);
    for (let bit = 0; bit < record.length * 8; bit++) {
      expect(() => verifyRecord(flipBit(record, bit), { clock, crypto })).toThrow();
    }
  });

  test('a newer record never loses to an older one', () => {
    const clock = clockAt();
    let alice = fixture('alice');
    const first = createRecord(alice, {}, { clock, crypto: nodeBackend });
    alice = first.identity;
    const second = createRecord(alice, { addresses: ['b'] }, { clock, crypto: nodeBackend });
    const v1 = verifyRecord(first.record, { clock, crypto: nodeBackend });
    const v2 = verifyRecord(second.record, { clock, crypto: nodeBackend, previous: v1 });
    expect(v2.sequence).toBeGreaterThan(v1.sequence);
    expect(isNewerRecord(v2, v1)).toBe(true);
    expect(isNewerRecord(v1, v2)).toBe(false);
    const stale = errorOf(() =>
      verifyRecord(first.record, { clock, crypto: nodeBackend, previous: v2 }),
    );
    expect(stale.code).toBe('RECORD_STALE');
    // The same bytes again are fine (idempotent gossip).
    expect(verifyRecord(second.record, { clock, crypto: nodeBackend, previous: v2 }).sequence).toBe(
      v2.sequence,
    );
  });

  test('a record with a reused sequence number and other content is refused', () => {
    const clock = clockAt();
    const alice = fixture('alice');
    const a = createRecord(alice, { addresses: ['a'] }, { clock, crypto: nodeBackend });
    const b = createRecord(alice, { addresses: ['b'] }, { clock, crypto: nodeBackend });
    const va = verifyRecord(a.record, { clock, crypto: nodeBackend });
    const e = errorOf(() => verifyRecord(b.record, { clock, crypto: nodeBackend, previous: va }));
    expect(e.code).toBe('RECORD_SEQUENCE_REUSED');
  });

  test('sequence numbers stay ahead after a restore from an older state (time-based)', () => {
    const alice = fixture('alice');
    const early = createRecord(alice, {}, { clock: clockAt(T0), crypto: nodeBackend });
    const later = createRecord(
      early.identity,
      {},
      { clock: clockAt(T0 + 5000), crypto: nodeBackend },
    );
    // Restored from before `later`: the record made now still wins.
    const restored = createRecord(
      early.identity,
      {},
      { clock: clockAt(T0 + 9000), crypto: nodeBackend },
    );
    const clock = clockAt(T0 + 9000);
    const vLater = verifyRecord(later.record, { clock, crypto: nodeBackend });
    const vRestored = verifyRecord(restored.record, {
      clock,
      crypto: nodeBackend,
      previous: vLater,
    });
    expect(isNewerRecord(vRestored, vLater)).toBe(true);
  });

  test('an expired record, or one that claims too long a life, is refused', () => {
    const alice = fixture('alice');
    const { record } = createRecord(
      alice,
      { ttlMs: 1000 },
      { clock: clockAt(), crypto: nodeBackend },
    );
    expect(verifyRecord(record, { clock: clockAt(T0 + 999), crypto: nodeBackend }).expiresAt).toBe(
      T0 + 1000,
    );
    expect(
      errorOf(() => verifyRecord(record, { clock: clockAt(T0 + 1000), crypto: nodeBackend })).code,
    ).toBe('RECORD_EXPIRED');
    // Signed "now" with the longest TTL, verified by a clock 1 day behind: too far ahead.
    const long = createRecord(
      alice,
      { ttlMs: MAX_RECORD_TTL_MS },
      { clock: clockAt(), crypto: nodeBackend },
    );
    expect(
      errorOf(() =>
        verifyRecord(long.record, { clock: clockAt(T0 - 86_400_000), crypto: nodeBackend }),
      ).code,
    ).toBe('RECORD_TTL_TOO_LONG');
    expect(errorOf(() => createRecord(alice, { ttlMs: MAX_RECORD_TTL_MS + 1 })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  test('a record of a revoked identity fails, and so does one of someone else', () => {
    const clock = clockAt();
    const alice = fixture('alice');
    const { record } = createRecord(alice, {}, { clock, crypto: nodeBackend });
    const revocations = new RevocationList();
    revocations.add(alice.revocation, { crypto: nodeBackend });
    expect(
      errorOf(() => verifyRecord(record, { clock, crypto: nodeBackend, revocations })).code,
    ).toBe('IDENTITY_REVOKED');
    expect(
      errorOf(() =>
        verifyRecord(record, { clock, crypto: nodeBackend, identityKey: fixture('bob').publicKey }),
      ).code,
    ).toBe('IDENTITY_MISMATCH');
  });

  test('a record signed over other bytes than received fails (re-encoded body)', () => {
    const clock = clockAt();
    const { record } = createRecord(fixture('alice'), {}, { clock, crypto: nodeBackend });
    // Same fields, with a padded (non-minimal) varint for the version: a re-encoder would
    // produce the original bytes; we verify what was received and reject.
    const body = record.subarray(2, 2 + record[1]!);
    const padded = new Uint8Array([0x08, 0x81, 0x00, ...body.subarray(2)]);
    const forged = new ProtoWriter()
      .bytes(1, padded)
      .bytes(2, record.subarray(record.length - 64))
      .finish();
    expect(errorOf(() => verifyRecord(forged, { clock, crypto: nodeBackend })).code).toBe(
      'SIGNATURE_INVALID',
    );
  });

  test('truncated, oversized and random inputs are refused with typed errors', () => {
    const clock = clockAt();
    const { record } = createRecord(fixture('alice'), {}, { clock, crypto: nodeBackend });
    for (let n = 0; n < record.length; n++) {
      expect(() => verifyRecord(record.subarray(0, n), { clock, crypto: nodeBackend })).toThrow();
    }
    expect(errorOf(() => verifyRecord(new Uint8Array(MAX_RECORD_BYTES + 1), { clock })).code).toBe(
      'DECODE_TOO_LARGE',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(() => verifyRecord(bytes, { clock, crypto: nodeBackend })).toThrow();
      }),
      { numRuns: 500 },
    );
  });

  test('a record too large to publish is refused when made', () => {
    const alice = fixture('alice');
    const addresses = Array.from({ length: 16 }, () => 'x'.repeat(1000));
    expect(errorOf(() => createRecord(alice, { addresses }, { clock: clockAt() })).code).toBe(
      'RECORD_TOO_LARGE',
    );
  });

  test('pickStaticKey gives the newest valid key of a suite', () => {
    const random = deterministicRandomForTestsOnly('pick');
    const start = createIdentity({
      random,
      clock: clockAt(),
      crypto: nodeBackend,
      suites: ['25519', '448'],
    });
    const rotated = rotateStaticKeys(start, {
      random,
      clock: clockAt(T0 + 1000),
      crypto: nodeBackend,
      suites: ['25519'],
    });
    expect(rotated.staticKeys).toHaveLength(3);
    const clock = clockAt(T0 + 2000);
    const { record } = createRecord(rotated, {}, { clock, crypto: nodeBackend });
    const v = verifyRecord(record, { clock, crypto: nodeBackend });
    const picked = pickStaticKey(v, '25519', { clock });
    expect(picked?.publicKey).toEqual(rotated.staticKey('25519', { clock })?.publicKey);
    expect(picked?.notBefore).toBe(T0 + 1000);
    expect(pickStaticKey(v, 'P256', { clock })).toBeUndefined();
    expect(pickStaticKey(v, '448', { clock })?.identityKey).toEqual(rotated.publicKey);
  });
});

describe('records (audit)', () => {
  test('a relayed record whose unsigned envelope was re-encoded is the same record, not a reused sequence', () => {
    const clock = clockAt();
    const { record } = createRecord(fixture('alice'), { addresses: ['a'] }, { clock });
    const original = verifyRecord(record, { clock, crypto: nodeBackend });
    const { body, signatures } = decodeEnvelope(record, MAX_RECORD_BYTES, 1);
    // Same body and signature; the body's length varint padded to 3 bytes by a relay.
    const length = body.length;
    const reencoded = new Uint8Array([
      0x0a,
      (length & 0x7f) | 0x80,
      ((length >> 7) & 0x7f) | 0x80,
      0x00,
      ...body,
      0x12,
      64,
      ...signatures[0]!,
    ]);
    expect(reencoded).not.toEqual(record);
    const again = verifyRecord(reencoded, { clock, crypto: nodeBackend, previous: original });
    expect(again.sequence).toBe(original.sequence);
    // A different body under the same sequence is still refused.
    const other = createRecord(fixture('alice'), { addresses: ['b'] }, { clock });
    expect(
      errorOf(() => verifyRecord(other.record, { clock, crypto: nodeBackend, previous: again }))
        .code,
    ).toBe('RECORD_SEQUENCE_REUSED');
  });

  test('a record listing a static key certified for longer than allowed is refused', () => {
    const clock = clockAt();
    const alice = fixture('alice');
    const k = alice.staticKeys[0]!;
    const body = new ProtoWriter()
      .uint(1, 1)
      .bytes(2, alice.publicKey)
      .uint(3, T0)
      .uint(4, T0 + 1000)
      .message(
        5,
        new ProtoWriter()
          .string(1, '25519')
          .bytes(2, k.publicKey)
          .uint(3, T0)
          .uint(4, T0 + MAX_STATIC_KEY_LIFETIME_MS + 1)
          .finish(),
      )
      .finish();
    const signed = (b: Uint8Array) =>
      encodeEnvelope(b, [
        nodeBackend.ed25519.sign(alice.secretKey, signedMessage('p2pe/identity/v1/record', b)),
      ]);
    expect(errorOf(() => verifyRecord(signed(body), { clock, crypto: nodeBackend })).code).toBe(
      'STATIC_KEY_LIFETIME_TOO_LONG',
    );
  });

  test('a record verified before its revocation was learned gives no static key afterwards', () => {
    const clock = clockAt();
    const alice = fixture('alice');
    const { record } = createRecord(alice, {}, { clock, crypto: nodeBackend });
    const cached = verifyRecord(record, { clock, crypto: nodeBackend });
    const revocations = new RevocationList();
    expect(pickStaticKey(cached, '25519', { clock, revocations })).toBeDefined();
    revocations.add(alice.revocation);
    expect(errorOf(() => pickStaticKey(cached, '25519', { clock, revocations })).code).toBe(
      'IDENTITY_REVOKED',
    );
  });
});

test('a record stored under another peer id is refused when the expected peer id is given', () => {
  const clock = clockAt();
  const { record } = createRecord(fixture('alice'), {}, { clock, crypto: nodeBackend });
  const opts = { clock, crypto: nodeBackend };
  expect(verifyRecord(record, { ...opts, peerId: fixture('alice').peerId }).peerId).toEqual(
    fixture('alice').peerId,
  );
  expect(errorOf(() => verifyRecord(record, { ...opts, peerId: fixture('bob').peerId })).code).toBe(
    'IDENTITY_MISMATCH',
  );
});
