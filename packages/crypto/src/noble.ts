/**
 * The default backend: pure JavaScript over @noble/curves, @noble/ciphers and @noble/hashes, so
 * it runs unchanged in browsers and Node. Checks and error codes come from the shared engine.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { blake2b, blake2s } from '@noble/hashes/blake2.js';
import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { systemRandomBytes } from '@p2pe/transport-interfaces';
import {
  type AeadPrimitive,
  createBackend,
  type DhPrimitive,
  type HashPrimitive,
  type Primitives,
} from './engine';
import type { CryptoBackend } from './types';

type NobleHash = typeof sha256 | typeof sha512 | typeof blake2b | typeof blake2s;
type NobleAead = typeof chacha20poly1305 | typeof gcm;

function nobleHash(h: NobleHash): HashPrimitive {
  return {
    digest: (data) => h(data),
    hmac: (key, data) => hmac(h, key, data),
    // RFC 5869 §2.2; noble takes an undefined salt as HashLen zero bytes.
    hkdfExtract: (ikm, salt) => extract(h, ikm, salt),
    hkdfExpand: (prk, info, length) => expand(h, prk, info, length),
    hkdf: (ikm, salt, info, length) => hkdf(h, ikm, salt, info, length),
  };
}

function nobleAead(cipher: NobleAead): AeadPrimitive {
  return {
    seal(key, nonce, plaintext, ad, output) {
      const c = cipher(key, nonce, ad);
      if (output === undefined) return c.encrypt(plaintext);
      // noble's ChaCha ciphers write into an output array; its GCM does not take one.
      if (cipher !== gcm)
        return (c as ReturnType<typeof chacha20poly1305>).encrypt(plaintext, output);
      output.set(c.encrypt(plaintext));
      return output;
    },
    open: (key, nonce, sealed, ad) => cipher(key, nonce, ad).decrypt(sealed),
  };
}

const montgomery = (curve: typeof x25519 | typeof x448): DhPrimitive => ({
  publicKey: (secretKey) => curve.getPublicKey(secretKey),
  // noble refuses the small-order u-coordinates before running the ladder (RFC 7748 §6.1).
  dh: (secretKey, publicKey) => curve.getSharedSecret(secretKey, publicKey),
});

const primitives: Primitives = {
  dh: {
    '25519': montgomery(x25519),
    '448': montgomery(x448),
    P256: {
      publicKey: (secretKey) => p256.getPublicKey(secretKey, false),
      // SEC 1 §3.3.1: the shared secret is the x-coordinate of d·Q; noble returns it as a
      // compressed point, so drop the prefix byte. Point decoding checks Q is on the curve.
      dh: (secretKey, publicKey) => p256.getSharedSecret(secretKey, publicKey, true).slice(1),
    },
  },
  aead: {
    ChaChaPoly: nobleAead(chacha20poly1305),
    XChaChaPoly: nobleAead(xchacha20poly1305),
    AESGCM: nobleAead(gcm),
  },
  // noble's gcm takes 16/24/32-byte keys and IVs of 8+ bytes (non-96-bit IVs via GHASH).
  gcm: nobleAead(gcm),
  hash: {
    SHA256: nobleHash(sha256),
    SHA512: nobleHash(sha512),
    // RFC 7693, unkeyed, as Noise rev. 34 §12.8 (BLAKE2b, 64-byte output) and §12.7 (BLAKE2s,
    // 32-byte output) use them.
    BLAKE2b: nobleHash(blake2b),
    BLAKE2s: nobleHash(blake2s),
  },
  ed25519: {
    publicKey: (secretKey) => ed25519.getPublicKey(secretKey),
    sign: (secretKey, message) => ed25519.sign(message, secretKey),
    // RFC 8032 §5.1.7 strict decoding (no ZIP-215), cofactored equation, small-order keys refused.
    verify: (signature, message, publicKey) =>
      ed25519.verify(signature, message, publicKey, { zip215: false }),
  },
};

/**
 * The default backend, pure JavaScript (@noble/*), for browsers and Node alike.
 * Its random source is `systemRandomBytes` (the host's `crypto.getRandomValues`).
 */
export const nobleBackend: CryptoBackend = createBackend('noble', primitives, systemRandomBytes);
