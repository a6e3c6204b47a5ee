/**
 * aesGcm (SP 800-38D with any AES key size and IV length): both backends agree byte for byte and
 * error for error, agree with noble's gcm directly, and refuse what is documented as refused.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { fromHex, P2peError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flipBit, outcome } from './helpers';

const KEY_LENGTHS = [16, 24, 32] as const;

describe('aesGcm', () => {
  it('matches the SP 800-38D / McGrew-Viega test case 6 (AES-128, 60-byte IV)', () => {
    // The GCM specification's Test Case 6: a non-96-bit IV, so J0 comes from GHASH.
    const key = fromHex('feffe9928665731c6d6a8f9467308308');
    const iv = fromHex(
      '9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b',
    );
    const pt = fromHex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const ad = fromHex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const expected =
      '8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5' +
      '619cc5aefffe0bfa462af43c1699d050';
    for (const backend of [nobleBackend, nodeBackend]) {
      const sealed = backend.aesGcm(16).encrypt(key, iv, pt, ad);
      expect(Buffer.from(sealed).toString('hex')).toBe(expected);
      expect(backend.aesGcm(16).decrypt(key, iv, sealed, ad)).toEqual(pt);
    }
  });

  it('agrees across backends and with noble gcm for every key size and IV length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KEY_LENGTHS),
        fc.integer({ min: 8, max: 300 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ minLength: 300, maxLength: 300 }),
        (keyLength, ivLength, keyBytes, plaintext, ad, ivBytes) => {
          const key = keyBytes.subarray(0, keyLength);
          const iv = ivBytes.subarray(0, ivLength);
          const a = nobleBackend.aesGcm(keyLength).encrypt(key, iv, plaintext, ad);
          const b = nodeBackend.aesGcm(keyLength).encrypt(key, iv, plaintext, ad);
          expect(b).toEqual(a);
          expect(a).toEqual(gcm(key, iv, ad).encrypt(plaintext));
          expect(nodeBackend.aesGcm(keyLength).decrypt(key, iv, a, ad)).toEqual(plaintext);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects any flipped bit with AEAD_AUTH_FAILED on both backends', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEY_LENGTHS), fc.nat(), (keyLength, bit) => {
        const key = new Uint8Array(keyLength).fill(7);
        const iv = new Uint8Array(16).fill(1);
        const sealed = nobleBackend
          .aesGcm(keyLength)
          .encrypt(key, iv, new Uint8Array(20), new Uint8Array(3));
        const tampered = flipBit(sealed, bit);
        for (const backend of [nobleBackend, nodeBackend]) {
          const result = outcome(() =>
            backend.aesGcm(keyLength).decrypt(key, iv, tampered, new Uint8Array(3)),
          );
          expect(result).toEqual({ error: 'VerificationError', code: 'AEAD_AUTH_FAILED' });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses IVs shorter than 64 bits or longer than 1024 bytes, and other key sizes, alike on both backends', () => {
    for (const backend of [nobleBackend, nodeBackend]) {
      const cipher = backend.aesGcm(16);
      for (const ivLength of [0, 1, 7, 1025]) {
        expect(() =>
          cipher.encrypt(new Uint8Array(16), new Uint8Array(ivLength), new Uint8Array(1)),
        ).toThrow(expect.objectContaining({ code: 'INVALID_LENGTH' }));
      }
      expect(() =>
        cipher.encrypt(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1)),
      ).toThrow(expect.objectContaining({ code: 'INVALID_LENGTH' }));
      try {
        backend.aesGcm(20 as 16);
        expect.unreachable();
      } catch (e) {
        expect(P2peError.is(e, 'INVALID_LENGTH')).toBe(true);
      }
    }
  });
});
