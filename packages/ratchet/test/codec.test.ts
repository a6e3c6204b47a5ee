import { P2peError, ProtoMessage, ProtoWriter } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  decodeHandshakePayload,
  decodeNotice,
  decodeSignedNotice,
  EnvelopeKind,
  encodeEnvelope,
} from '../src/envelope';
import {
  decodeHeader,
  decodeRatchetMessage,
  encodeHeader,
  encodeRatchetMessage,
} from '../src/message';

describe('wire codecs', () => {
  it('the fast header/message path writes exactly what ProtoWriter writes, and reads it back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat({ max: 0xffff_ffff }),
        fc.nat({ max: 0xffff_ffff }),
        fc.uint8Array({ maxLength: 300 }),
        (dh, pn, n, body) => {
          const h = encodeHeader({ dh, pn, n });
          expect(h).toEqual(new ProtoWriter().bytes(1, dh).uint(2, pn).uint(3, n).finish());
          expect(decodeHeader(h, 32)).toEqual({ dh, pn, n });
          const m = encodeRatchetMessage(h, body);
          expect(m).toEqual(new ProtoWriter().uint(1, 1).bytes(2, h).bytes(3, body).finish());
          const parts = decodeRatchetMessage(m);
          expect(parts.header).toEqual(h);
          expect(parts.body).toEqual(body);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('non-canonical but valid protobuf goes through the strict decoder to the same result', () => {
    const dh = new Uint8Array(32).fill(9);
    // Fields out of order, and a zero counter omitted (proto3 default).
    const h = new ProtoWriter().uint(3, 7).bytes(1, dh).finish();
    expect(decodeHeader(h, 32)).toEqual({ dh, pn: 0, n: 7 });
    const dup = new ProtoWriter().bytes(1, dh).uint(2, 1).uint(3, 2).uint(3, 3).finish();
    expect(() => decodeHeader(dup, 32)).toThrow(/more than once/);
    expect(() =>
      decodeHeader(
        new ProtoWriter()
          .bytes(1, dh)
          .uint(3, 2 ** 32)
          .finish(),
        32,
      ),
    ).toThrow(/2\^32/);
    expect(() => decodeHeader(new ProtoWriter().bytes(1, dh).uint(9, 1).finish(), 32)).toThrow(
      /unknown field 9/,
    );
  });

  it('every decoder refuses truncated, oversized and random input with a typed error', () => {
    const envelope = encodeEnvelope({
      fromPeer: new Uint8Array(32).fill(1),
      toPeer: new Uint8Array(32).fill(2),
      sessionId: new Uint8Array(32).fill(3),
      messageId: new Uint8Array(8).fill(4),
      kind: EnvelopeKind.RATCHET,
      body: new Uint8Array(40),
    });
    expect(decodeEnvelope(envelope).kind).toBe(EnvelopeKind.RATCHET);
    for (let i = 0; i < envelope.length; i++) {
      try {
        decodeEnvelope(envelope.subarray(0, i));
      } catch (err) {
        expect(P2peError.is(err)).toBe(true);
      }
    }
    expect(() => decodeEnvelope(new Uint8Array(200_000))).toThrow(/exceeds/);
    const decoders = [
      decodeEnvelope,
      decodeHandshakePayload,
      decodeNotice,
      decodeSignedNotice,
      decodeRatchetMessage,
      (b: Uint8Array) => decodeHeader(b, 32),
      (b: Uint8Array) => ProtoMessage.decode(b, 10),
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        for (const d of decoders) {
          try {
            d(bytes);
          } catch (err) {
            expect(P2peError.is(err), String(err)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('prints every error message of the decoders for review (no bytes in them)', () => {
    const messages = new Set<string>();
    for (const bytes of [
      new Uint8Array([0x08, 0x02]),
      new Uint8Array([0x08, 0x01, 0x12, 0x05]),
      new Uint8Array([0xff]),
      new Uint8Array(70_000),
    ]) {
      try {
        decodeRatchetMessage(bytes);
      } catch (err) {
        messages.add(`${(err as P2peError).code}: ${(err as Error).message}`);
      }
    }
    for (const m of messages) expect(m).not.toMatch(/[0-9a-f]{16}/);
    console.log([...messages].join('\n'));
    expect(messages.size).toBe(4);
  });
});
