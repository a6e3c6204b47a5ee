/**
 * The noble backend's suites are thin wrappers: for random inputs they must agree with the noble
 * primitive called directly (so the wrapper adds checks and error mapping, never a change of result).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { blake2b, blake2s } from '@noble/hashes/blake2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { nobleBackend } from '@p2pe/crypto';
import { toHex } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deterministicRandomForTestsOnly } from '../src/index';
import { bytes } from './helpers';

const hashes = { SHA256: sha256, SHA512: sha512, BLAKE2b: blake2b, BLAKE2s: blake2s } as const;
const aeads = {
  ChaChaPoly: chacha20poly1305,
  XChaChaPoly: xchacha20poly1305,
  AESGCM: gcm,
} as const;

describe('noble backend wrappers agree with the noble primitives', () => {
  it('X25519 dh and public key = x25519.getSharedSecret / getPublicKey', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), (a, b) => {
        const suite = nobleBackend.dh('25519');
        const pb = x25519.getPublicKey(b);
        expect(toHex(suite.keyPairFromSecret(a).publicKey)).toBe(toHex(x25519.getPublicKey(a)));
        expect(toHex(suite.dh(a, pb))).toBe(toHex(x25519.getSharedSecret(a, pb)));
      }),
      { numRuns: 20 },
    );
  });

  it('X448 dh = x448.getSharedSecret', () => {
    fc.assert(
      fc.property(bytes(56), bytes(56), (a, b) => {
        const pb = x448.getPublicKey(b);
        expect(toHex(nobleBackend.dh('448').dh(a, pb))).toBe(toHex(x448.getSharedSecret(a, pb)));
      }),
      { numRuns: 5 },
    );
  });

  it('P-256 dh = x-coordinate of p256.getSharedSecret; public key = uncompressed getPublicKey', () => {
    fc.assert(
      fc.property(bytes(8), (seed) => {
        const random = deterministicRandomForTestsOnly(seed);
        const suite = nobleBackend.dh('P256');
        const a = suite.generateKeyPair(random);
        const b = suite.generateKeyPair(random);
        expect(toHex(a.publicKey)).toBe(toHex(p256.getPublicKey(a.secretKey, false)));
        const full = p256.getSharedSecret(a.secretKey, b.publicKey, false);
        expect(toHex(suite.dh(a.secretKey, b.publicKey))).toBe(toHex(full.subarray(1, 33)));
      }),
      { numRuns: 5 },
    );
  });

  for (const [name, cipher] of Object.entries(aeads)) {
    it(`${name} encrypt/decrypt = noble ${name}`, () => {
      const suite = nobleBackend.aead(name as keyof typeof aeads);
      fc.assert(
        fc.property(
          bytes(32),
          bytes(suite.nonceLength),
          bytes(0, 200),
          bytes(0, 30),
          (key, nonce, pt, ad) => {
            const expected = cipher(key, nonce, ad).encrypt(pt);
            expect(toHex(suite.encrypt(key, nonce, pt, ad))).toBe(toHex(expected));
            expect(toHex(suite.decrypt(key, nonce, expected, ad))).toBe(toHex(pt));
          },
        ),
        { numRuns: 50 },
      );
    });
  }

  for (const [name, h] of Object.entries(hashes)) {
    it(`${name} digest, HMAC and HKDF = noble ${name}, hmac, hkdf`, () => {
      const suite = nobleBackend.hash(name as keyof typeof hashes);
      fc.assert(
        fc.property(
          bytes(0, 200),
          bytes(0, 200),
          fc.option(bytes(0, 80), { nil: undefined }),
          fc.integer({ min: 1, max: 255 * h.outputLen }),
          (key, data, salt, length) => {
            expect(toHex(suite.digest(data))).toBe(toHex(h(data)));
            expect(toHex(suite.hmac(key, data))).toBe(toHex(hmac(h, key, data)));
            expect(toHex(suite.hkdf(data, salt, key, length))).toBe(
              toHex(hkdf(h, data, salt, key, length)),
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('Ed25519 sign/verify = ed25519.sign / ed25519.verify (strict)', () => {
    fc.assert(
      fc.property(bytes(32), bytes(0, 100), (sk, msg) => {
        const sig = nobleBackend.ed25519.sign(sk, msg);
        expect(toHex(sig)).toBe(toHex(ed25519.sign(msg, sk)));
        const pk = ed25519.getPublicKey(sk);
        expect(nobleBackend.ed25519.verify(sig, msg, pk)).toBe(
          ed25519.verify(sig, msg, pk, { zip215: false }),
        );
      }),
      { numRuns: 10 },
    );
  });
});
