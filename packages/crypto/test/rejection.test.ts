/**
 * Attacks and bad input, on both backends: small-order and off-curve peer keys, tampered
 * ciphertexts, wrong lengths and types. Each rejection has a typed error with a stable code, and
 * no error message carries key bytes or plaintext.
 */
import { type CryptoBackend, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import {
  P2peError,
  toHex,
  utf8,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import { AEAD_NAMES, DH_NAMES, deterministicRandomForTestsOnly, HASH_NAMES } from '../src/index';
import { x448SmallOrderEncodings, x25519SmallOrderEncodings } from './helpers';

const backends: [string, CryptoBackend][] = [
  ['noble', nobleBackend],
  ['node', nodeBackend],
];

function thrown(fn: () => unknown): P2peError {
  try {
    fn();
  } catch (err) {
    if (P2peError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

describe.each(backends)('%s backend', (_name, backend) => {
  it('X25519: a small-order peer key is refused with DH_ZERO_SHARED_SECRET, key bytes not in the message', () => {
    const me = backend.dh('25519').generateKeyPair(deterministicRandomForTestsOnly('x'));
    for (const u of x25519SmallOrderEncodings()) {
      const err = thrown(() => backend.dh('25519').dh(me.secretKey, u));
      expect(err).toBeInstanceOf(VerificationError);
      expect(err.code).toBe('DH_ZERO_SHARED_SECRET');
      expect(err.message).not.toContain(toHex(me.secretKey));
      expect(err.message).not.toContain(toHex(u));
    }
  });

  it('X448: a small-order peer key is refused with DH_ZERO_SHARED_SECRET', () => {
    const me = backend.dh('448').generateKeyPair(deterministicRandomForTestsOnly('x448'));
    for (const u of x448SmallOrderEncodings()) {
      const err = thrown(() => backend.dh('448').dh(me.secretKey, u));
      expect(err).toBeInstanceOf(VerificationError);
      expect(err.code).toBe('DH_ZERO_SHARED_SECRET');
    }
  });

  it('P-256: an off-curve peer point (invalid-curve attack) is refused with DH_INVALID_PUBLIC_KEY', () => {
    const p = backend.dh('P256');
    const me = p.generateKeyPair(deterministicRandomForTestsOnly('p'));
    const peer = p.generateKeyPair(deterministicRandomForTestsOnly('q')).publicKey.slice();
    peer[40]! ^= 0x10;
    const err = thrown(() => p.dh(me.secretKey, peer));
    expect(err).toBeInstanceOf(VerificationError);
    expect(err.code).toBe('DH_INVALID_PUBLIC_KEY');
    expect(err.message).not.toContain(toHex(me.secretKey));
  });

  it('DH: wrong key lengths and non-bytes are ValidationErrors with noble-style messages', () => {
    for (const name of DH_NAMES) {
      const suite = backend.dh(name);
      const err = thrown(() =>
        suite.dh(new Uint8Array(suite.secretKeyLength - 1), new Uint8Array(suite.publicKeyLength)),
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.code).toBe('INVALID_LENGTH');
      expect(err.message).toBe(
        `"secretKey" expected Uint8Array of length ${suite.secretKeyLength}, got length=${suite.secretKeyLength - 1}`,
      );
      expect(thrown(() => suite.keyPairFromSecret([1, 2, 3] as never)).code).toBe(
        'INVALID_ARGUMENT',
      );
      const short = (n: number) => suite.generateKeyPair(() => new Uint8Array(n));
      expect(thrown(() => short(suite.secretKeyLength - 1)).code).toBe('INVALID_LENGTH');
    }
  });

  for (const name of AEAD_NAMES) {
    it(`${name}: a tampered tag, ciphertext byte or ad is AEAD_AUTH_FAILED, no plaintext in the message`, () => {
      const suite = backend.aead(name);
      const key = deterministicRandomForTestsOnly('k')(32);
      const nonce = deterministicRandomForTestsOnly('n')(suite.nonceLength);
      const secret = utf8('attack at dawn, attack at dawn');
      const sealed = suite.encrypt(key, nonce, secret, utf8('hdr'));
      const tamper = (i: number) => {
        const c = sealed.slice();
        c[i]! ^= 0x01;
        return c;
      };
      for (const [c, ad] of [
        [tamper(sealed.length - 1), utf8('hdr')],
        [tamper(0), utf8('hdr')],
        [sealed, utf8('hdR')],
        [sealed, undefined],
        [sealed.subarray(0, 15), utf8('hdr')],
        [new Uint8Array(0), utf8('hdr')],
      ] as const) {
        const err = thrown(() => suite.decrypt(key, nonce, c, ad));
        expect(err).toBeInstanceOf(VerificationError);
        expect(err.code).toBe('AEAD_AUTH_FAILED');
        expect(err.message).not.toContain('attack');
        expect(err.message).not.toContain(toHex(key));
      }
    });
  }

  it('AEAD: wrong key and nonce lengths are INVALID_LENGTH', () => {
    for (const name of AEAD_NAMES) {
      const suite = backend.aead(name);
      const err = thrown(() =>
        suite.encrypt(new Uint8Array(32), new Uint8Array(suite.nonceLength + 1), new Uint8Array(1)),
      );
      expect(err.code).toBe('INVALID_LENGTH');
      expect(err.message).toContain(`"nonce" expected Uint8Array of length ${suite.nonceLength}`);
      expect(
        thrown(() =>
          suite.encrypt(new Uint8Array(16), new Uint8Array(suite.nonceLength), new Uint8Array(1)),
        ).code,
      ).toBe('INVALID_LENGTH');
    }
  });

  it('HKDF: output longer than 255 × HashLen and a PRK shorter than HashLen are refused', () => {
    for (const name of HASH_NAMES) {
      const h = backend.hash(name);
      expect(
        thrown(() =>
          h.hkdf(new Uint8Array(1), undefined, new Uint8Array(0), 255 * h.outputLength + 1),
        ).code,
      ).toBe('INVALID_LENGTH');
      expect(
        h.hkdf(new Uint8Array(1), undefined, new Uint8Array(0), 255 * h.outputLength),
      ).toHaveLength(255 * h.outputLength);
      expect(
        thrown(() => h.hkdfExpand(new Uint8Array(h.outputLength - 1), new Uint8Array(0), 1)).code,
      ).toBe('INVALID_LENGTH');
      expect(thrown(() => h.digest('abc' as never)).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('Ed25519: sign refuses a wrong-length secret key', () => {
    expect(thrown(() => backend.ed25519.sign(new Uint8Array(64), new Uint8Array(0))).code).toBe(
      'INVALID_LENGTH',
    );
  });
});
