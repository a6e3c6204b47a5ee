import { P2peError, ProtoWriter } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AppKind,
  decodeAppMessage,
  decodeFrame,
  encodeAppMessage,
  encodeFrame,
  MAX_FRAME_ENVELOPES,
} from '../src/demo/app-message';

const bytes = fc.uint8Array({ maxLength: 200 });
const kind = fc.constantFrom(AppKind.DELIVERY, AppKind.ACK, AppKind.RECONCILE, AppKind.HISTORY);

/** Decoding outside bytes either succeeds or throws a typed decode/limit error: never anything else. */
function rejectsCleanly(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    expect(P2peError.is(err)).toBe(true);
    expect(['decode', 'limit']).toContain((err as P2peError).category);
  }
}

describe('demo app messages (app.proto)', () => {
  it('frames and app messages round-trip', () => {
    fc.assert(
      fc.property(fc.array(bytes, { minLength: 1, maxLength: MAX_FRAME_ENVELOPES }), (envs) => {
        expect(decodeFrame(encodeFrame(envs))).toEqual(envs);
      }),
    );
    fc.assert(
      fc.property(kind, bytes, (k, body) => {
        expect(decodeAppMessage(encodeAppMessage(k, body))).toEqual({ kind: k, body });
      }),
    );
  });

  it('truncated, bit-flipped and random input is refused with a typed error or decodes', () => {
    fc.assert(
      fc.property(kind, bytes, fc.nat(), fc.nat(7), (k, body, at, bit) => {
        const good = encodeAppMessage(k, body);
        rejectsCleanly(() => decodeAppMessage(good.subarray(0, at % good.length)));
        const flipped = good.slice();
        flipped[at % good.length]! ^= 1 << bit;
        rejectsCleanly(() => decodeAppMessage(flipped));
        rejectsCleanly(() => decodeFrame(flipped));
      }),
    );
    fc.assert(
      fc.property(bytes, (random) => {
        rejectsCleanly(() => decodeAppMessage(random));
        rejectsCleanly(() => decodeFrame(random));
      }),
    );
  });

  it('refuses another version, an unknown kind and too many envelopes', () => {
    const v2 = new ProtoWriter().uint(1, 2).uint(2, 1).bytes(3, new Uint8Array(1)).finish();
    expect(() => decodeAppMessage(v2)).toThrow(
      expect.objectContaining({ code: 'APP_MESSAGE_VERSION' }),
    );
    const k9 = new ProtoWriter().uint(1, 1).uint(2, 9).bytes(3, new Uint8Array(1)).finish();
    expect(() => decodeAppMessage(k9)).toThrow(
      expect.objectContaining({ code: 'APP_MESSAGE_KIND' }),
    );
    const many = encodeFrame(
      Array.from({ length: MAX_FRAME_ENVELOPES + 1 }, () => new Uint8Array(1)),
    );
    expect(() => decodeFrame(many)).toThrow(P2peError);
  });
});
