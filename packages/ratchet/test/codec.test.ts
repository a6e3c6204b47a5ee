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
    // Fields out of order (and a non-minimal varint) go through the strict decoder.
    const h = new ProtoWriter().uint(3, 7).uint(2, 0).bytes(1, dh).finish();
    expect(decodeHeader(h, 32)).toEqual({ dh, pn: 0, n: 7 });
    const nonMinimal = Uint8Array.from([0x0a, 32, ...dh, 0x10, 0x80, 0x00, 0x18, 0x07]);
    expect(decodeHeader(nonMinimal, 32)).toEqual({ dh, pn: 0, n: 7 });
    // A zero counter may not be omitted: the header must be prefix-free inside the message AD.
    expect(() => decodeHeader(new ProtoWriter().uint(3, 7).bytes(1, dh).finish(), 32)).toThrow(
      /field 2 is missing/,
    );
    expect(() => decodeHeader(new ProtoWriter().bytes(1, dh).uint(2, 0).finish(), 32)).toThrow(
      /field 3 is missing/,
    );
    const dup = new ProtoWriter().bytes(1, dh).uint(2, 1).uint(3, 2).uint(3, 3).finish();
    expect(() => decodeHeader(dup, 32)).toThrow(/more than once/);
    expect(() =>
      decodeHeader(
        new ProtoWriter()
          .bytes(1, dh)
          .uint(2, 0)
          .uint(3, 2 ** 32)
          .finish(),
        32,
      ),
    ).toThrow(/2\^32/);
    expect(() => decodeHeader(new ProtoWriter().bytes(1, dh).uint(9, 1).finish(), 32)).toThrow(
      /unknown field 9/,
    );
  });

  it('the fast paths accept exactly what the strict decoder accepts, with the same result (property)', () => {
    // The strict decoders, written here from the schema alone.
    const strictHeader = (b: Uint8Array) => {
      const m = ProtoMessage.decode(b, 512, 8);
      m.assertKnown([1, 2, 3]);
      const out = {
        dh: m.requiredBytes(1, { length: 32 }),
        pn: m.requiredUint(2),
        n: m.requiredUint(3),
      };
      if (out.pn > 0xffff_ffff || out.n > 0xffff_ffff) throw new Error('range');
      return out;
    };
    const strictMessage = (b: Uint8Array) => {
      const m = ProtoMessage.decode(b, 64 * 1024 + 512, 8);
      if (m.requiredUint(1) !== 1) throw new Error('version');
      m.assertKnown([1, 2, 3]);
      return { header: m.requiredBytes(2, { maxLength: 512 }), body: m.requiredBytes(3) };
    };
    const outcome = <T>(f: () => T): { ok: true; value: T } | { ok: false } => {
      try {
        return { ok: true, value: f() };
      } catch {
        return { ok: false };
      }
    };
    const mutate = fc.tuple(
      fc.constantFrom('flip', 'cut', 'insert', 'none'),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(fc.nat({ max: 300 }), fc.nat({ max: 0xffff_ffff })),
        fc.oneof(fc.nat({ max: 300 }), fc.nat({ max: 0xffff_ffff })),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(mutate, { maxLength: 2 }),
        (dh, pn, n, body, mutations) => {
          let h = encodeHeader({ dh, pn, n });
          let m = encodeRatchetMessage(h, body);
          for (const [kind, at, x] of mutations) {
            const apply = (b: Uint8Array): Uint8Array => {
              const i = at % (b.length + 1);
              if (kind === 'flip' && i < b.length) {
                const o = b.slice();
                o[i] = x;
                return o;
              }
              if (kind === 'cut') return b.slice(0, i);
              if (kind === 'insert')
                return Uint8Array.from([...b.subarray(0, i), x, ...b.subarray(i)]);
              return b;
            };
            h = apply(h);
            m = apply(m);
          }
          const fastH = outcome(() => decodeHeader(h, 32));
          const slowH = outcome(() => strictHeader(h));
          expect(fastH.ok).toBe(slowH.ok);
          if (fastH.ok && slowH.ok) expect(fastH.value).toEqual(slowH.value);
          const fastM = outcome(() => decodeRatchetMessage(m));
          const slowM = outcome(() => strictMessage(m));
          expect(fastM.ok).toBe(slowM.ok);
          if (fastM.ok && slowM.ok) {
            expect(fastM.value.header).toEqual(slowM.value.header);
            expect(fastM.value.body).toEqual(slowM.value.body);
          }
        },
      ),
      { numRuns: 2000 },
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
