/**
 * The strict DER reader for P-256 SubjectPublicKeyInfo: the shapes it takes, the shapes it
 * refuses, and that no input makes it throw anything but a DecodeError.
 */
import { DecodeError, fromHex, P2peError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_P256_SPKI_BYTES, p256PointFromSpki } from '../src/formats/spki';

// The P-256 generator as an uncompressed and a compressed SEC1 point (SEC 2 §2.4.2).
const GX = '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296';
const GY = '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5';
const HEADER = '301306072a8648ce3d020106082a8648ce3d030107';
const UNCOMPRESSED = fromHex(`3059${HEADER}034200${'04'}${GX}${GY}`);
const COMPRESSED = fromHex(`3039${HEADER}032200${'03'}${GX}`);

function code(der: Uint8Array): string {
  try {
    p256PointFromSpki(der);
    return 'ok';
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return err.code;
  }
}

describe('p256PointFromSpki', () => {
  it('takes the named-curve SPKI with an uncompressed or compressed point', () => {
    expect(p256PointFromSpki(UNCOMPRESSED)).toEqual(fromHex(`04${GX}${GY}`));
    expect(p256PointFromSpki(COMPRESSED)).toEqual(fromHex(`03${GX}`));
  });

  it('refuses every truncation of a valid SPKI', () => {
    for (let n = 0; n < UNCOMPRESSED.length; n++) {
      expect(code(UNCOMPRESSED.subarray(0, n)), `length ${n}`).not.toBe('ok');
    }
  });

  it('refuses trailing bytes after the outer SEQUENCE', () => {
    expect(code(Uint8Array.of(...UNCOMPRESSED, 0))).toBe('SPKI_TRAILING_BYTES');
  });

  it('refuses a long-form length where the short form fits (BER, not DER)', () => {
    const ber = fromHex(`308159${HEADER}034200${'04'}${GX}${GY}`);
    expect(code(ber)).toBe('SPKI_BAD_LENGTH');
  });

  it('refuses indefinite length', () => {
    expect(code(fromHex(`3080${HEADER}034200${'04'}${GX}${GY}0000`))).toBe('SPKI_BAD_LENGTH');
  });

  it('refuses another named curve (secp256k1) and unused bits in the BIT STRING', () => {
    const k1 = fromHex(`3056301006072a8648ce3d020106052b8104000a034200${'04'}${GX}${GY}`);
    expect(code(k1)).toBe('SPKI_WRONG_CURVE');
    expect(code(fromHex(`3059${HEADER}034201${'04'}${GX}${GY}`))).toBe('SPKI_UNUSED_BITS');
  });

  it('refuses points of the wrong size or prefix (hybrid 06, infinity 00)', () => {
    expect(code(fromHex(`3059${HEADER}034200${'06'}${GX}${GY}`))).toBe('SPKI_BAD_POINT');
    expect(code(fromHex(`3019${HEADER}03020000`))).toBe('SPKI_BAD_POINT');
  });

  it('refuses oversized input before parsing it', () => {
    expect(code(new Uint8Array(MAX_P256_SPKI_BYTES + 1))).toBe('SPKI_TOO_LARGE');
  });

  it('throws only DecodeError, for random bytes and for bit-flipped valid SPKIs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), (bytes) => {
        const c = code(bytes);
        expect(c === 'ok' || c.startsWith('SPKI_')).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat({ max: UNCOMPRESSED.length * 8 - 1 }), (bit) => {
        const der = UNCOMPRESSED.slice();
        der[bit >> 3]! ^= 1 << (bit & 7);
        const c = code(der);
        // A flip inside the point's coordinates still parses (the DH suite checks the point);
        // a flip anywhere in the DER structure must be refused.
        const inCoordinates = bit >> 3 >= UNCOMPRESSED.length - 64;
        if (!inCoordinates) expect(c).not.toBe('ok');
        expect(c === 'ok' || P2peError.is(new DecodeError(c, ''))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
