import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, LimitError, ProtoMessage, ProtoWriter, readProtoFields } from '../src/index';

describe('protobuf wire codec', () => {
  it('round-trips unsigned ints, bools, bytes and strings', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.boolean(),
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 50 }),
        (n, big, flag, bytes, text) => {
          const encoded = new ProtoWriter()
            .uint(1, n)
            .uint(2, big)
            .bool(3, flag)
            .bytes(4, bytes)
            .string(5, text)
            .finish();
          const m = ProtoMessage.decode(encoded, 1024);
          expect(m.requiredUint(1)).toBe(n);
          expect(m.requiredUint64(2)).toBe(big);
          expect(m.bool(3)).toBe(flag);
          expect(m.requiredBytes(4)).toEqual(bytes);
          expect(m.requiredString(5)).toBe(text);
        },
      ),
    );
  });

  it('matches the protobuf encoding of a known message', () => {
    // field 1 varint 150 → 08 96 01 (protobuf.dev "Encoding", "A Simple Message")
    expect(new ProtoWriter().uint(1, 150).finish()).toEqual(new Uint8Array([0x08, 0x96, 0x01]));
    // field 2 string "testing" → 12 07 74 65 73 74 69 6e 67
    expect(new ProtoWriter().string(2, 'testing').finish()).toEqual(
      new Uint8Array([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]),
    );
  });

  it('checks the size limit before parsing', () => {
    expect(() => readProtoFields(new Uint8Array(11), 10)).toThrow(LimitError);
  });

  it('rejects truncated input with a typed error', () => {
    const encoded = new ProtoWriter().uint(1, 300).bytes(2, new Uint8Array(20)).finish();
    for (let cut = 1; cut < encoded.length; cut++) {
      const partial = encoded.subarray(0, cut);
      try {
        readProtoFields(partial, 100);
        // Cutting exactly between fields leaves a valid shorter message: only fields before it.
        expect(cut).toBe(3);
      } catch (e) {
        expect(DecodeError.is(e, 'DECODE_TRUNCATED')).toBe(true);
      }
    }
  });

  it('rejects duplicates, wrong wire types, missing and unknown fields', () => {
    const dup = new ProtoWriter().uint(1, 1).uint(1, 2).finish();
    expect(() => ProtoMessage.decode(dup, 100).uint(1)).toThrow(/more than once/);
    const wrong = new ProtoWriter().bytes(1, new Uint8Array(1)).finish();
    try {
      ProtoMessage.decode(wrong, 100).uint(1);
      expect.unreachable();
    } catch (e) {
      expect(DecodeError.is(e, 'DECODE_WIRE_TYPE')).toBe(true);
    }
    const m = ProtoMessage.decode(new ProtoWriter().uint(7, 1).finish(), 100);
    expect(() => m.requiredUint(1)).toThrow(
      expect.objectContaining({ code: 'DECODE_MISSING_FIELD' }),
    );
    expect(() => m.assertKnown([1, 2])).toThrow(
      expect.objectContaining({ code: 'DECODE_UNKNOWN_FIELD' }),
    );
  });

  it('enforces field length and repeated-count limits', () => {
    const encoded = new ProtoWriter()
      .bytes(1, new Uint8Array(5))
      .bytes(1, new Uint8Array(5))
      .finish();
    const m = ProtoMessage.decode(encoded, 100);
    expect(() => m.repeatedBytes(1, 1)).toThrow(
      expect.objectContaining({ code: 'DECODE_TOO_MANY_VALUES' }),
    );
    expect(() => m.repeatedBytes(1, 2, { maxLength: 4 })).toThrow(
      expect.objectContaining({ code: 'DECODE_FIELD_LENGTH' }),
    );
    expect(m.repeatedBytes(1, 2, { length: 5 })).toHaveLength(2);
  });

  it('rejects varints longer than 64 bits and group wire types', () => {
    const long = new Uint8Array([0x08, ...new Array(10).fill(0xff), 0x01]);
    expect(() => readProtoFields(long, 100)).toThrow(
      expect.objectContaining({ code: 'DECODE_VARINT_OVERFLOW' }),
    );
    expect(() => readProtoFields(new Uint8Array([0x0b]), 100)).toThrow(
      expect.objectContaining({ code: 'DECODE_WIRE_TYPE' }),
    );
  });

  it('never throws anything but a typed error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          const m = ProtoMessage.decode(bytes, 256);
          m.uint(1);
          m.bytes(2);
        } catch (e) {
          expect(DecodeError.is(e) || LimitError.is(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
