/**
 * Unit tests per suite, run over both backends: known answers from the specs, round trips,
 * agreement, and the suite parameters Noise relies on.
 * KAT provenance: RFC 7748 §6.1 (X25519), RFC 8032 §7.1 TEST 1 (Ed25519), RFC 7693 App. A/B
 * (BLAKE2), FIPS 180-4 examples (SHA-2 of "abc"); the rest are single cases copied from Project
 * Wycheproof `testvectors_v1` (file and tcId named at each).
 */
import { type CryptoBackend, type DhName, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { fromHex, P2peError, toHex, utf8 } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AEAD_NAMES, DH_NAMES, deterministicRandomForTestsOnly, HASH_NAMES } from '../src/index';
import { bytes } from './helpers';

const backends: [string, CryptoBackend][] = [
  ['noble', nobleBackend],
  ['node', nodeBackend],
];

/** Slow noble curves (~7 ms per op for X448 and P-256) get fewer runs. */
const runsFor = (name: DhName): number => (name === '25519' ? 20 : 8);

describe.each(backends)('%s backend', (backendName, backend) => {
  it('names itself and exposes every suite with Noise parameters', () => {
    expect(backend.name).toBe(backendName);
    const dh = DH_NAMES.map((n) => {
      const s = backend.dh(n);
      return [s.name, s.publicKeyLength, s.secretKeyLength, s.sharedSecretLength];
    });
    expect(dh).toEqual([
      ['25519', 32, 32, 32],
      ['448', 56, 56, 56],
      ['P256', 65, 32, 32],
    ]);
    const aead = AEAD_NAMES.map((n) => {
      const s = backend.aead(n);
      return [s.name, s.keyLength, s.nonceLength, s.tagLength];
    });
    expect(aead).toEqual([
      ['ChaChaPoly', 32, 12, 16],
      ['XChaChaPoly', 32, 24, 16],
      ['AESGCM', 32, 12, 16],
    ]);
    const hash = HASH_NAMES.map((n) => {
      const s = backend.hash(n);
      return [s.name, s.outputLength, s.blockLength];
    });
    expect(hash).toEqual([
      ['SHA256', 32, 64],
      ['SHA512', 64, 128],
      ['BLAKE2b', 64, 128],
      ['BLAKE2s', 32, 64],
    ]);
    expect(backend.ed25519.name).toBe('Ed25519');
  });

  it('rejects an unknown suite name with UNKNOWN_SUITE', () => {
    const bad = (f: () => unknown) =>
      expect(f).toThrow(expect.objectContaining({ code: 'UNKNOWN_SUITE' }));
    bad(() => backend.dh('X25519' as DhName));
    bad(() => backend.aead('ChaCha20Poly1305' as never));
    bad(() => backend.hash('sha256' as never));
  });

  it('uses a working system random source', () => {
    const a = backend.randomBytes(32);
    const b = backend.randomBytes(32);
    expect(a).toHaveLength(32);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  describe('DH', () => {
    it('X25519 matches RFC 7748 §6.1 (Alice and Bob)', () => {
      const x = backend.dh('25519');
      const alice = x.keyPairFromSecret(
        fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
      );
      const bob = x.keyPairFromSecret(
        fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
      );
      expect(toHex(alice.publicKey)).toBe(
        '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
      );
      expect(toHex(bob.publicKey)).toBe(
        'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
      );
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(toHex(x.dh(alice.secretKey, bob.publicKey))).toBe(shared);
      expect(toHex(x.dh(bob.secretKey, alice.publicKey))).toBe(shared);
    });

    it('X448 matches Wycheproof x448_test tcId 1', () => {
      const shared = backend
        .dh('448')
        .dh(
          fromHex(
            'e41c63d5159c89de12163fde9d04cf1f430f346b8b2c1f2a4b1f5aee63d17aec29d4b1debf8b6457e7809d2b15ff9779c97becb04b824efa',
          ),
          fromHex(
            'f8073fc01c8358362c08740c914b419847ef1e409f4e40d9440febc26f00551adb1c37c6c2a87d8283b8cb453e928a0d42793f72894e0f81',
          ),
        );
      expect(toHex(shared)).toBe(
        'acd496ceb5f68bf9c267196b405f59701a40ec88744b7e5e60bf8f81e8b13df448efe402001750edb0b695a0512f08c572a2e356493d170b',
      );
    });

    it('P-256 matches Wycheproof ecdh_secp256r1_ecpoint_test tcId 1, uncompressed and compressed', () => {
      const p = backend.dh('P256');
      const sk = fromHex('0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346');
      const pk = fromHex(
        '0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30cf',
      );
      const shared = '53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285';
      expect(toHex(p.dh(sk, pk))).toBe(shared);
      // SEC 1 §2.3.3 compressed form: 0x02 | (y & 1), then X.
      const compressed = new Uint8Array(33);
      compressed[0] = 0x02 | (pk[64]! & 1);
      compressed.set(pk.subarray(1, 33), 1);
      expect(toHex(p.dh(sk, compressed))).toBe(shared);
    });

    for (const name of DH_NAMES) {
      it(`${name}: both sides of a random exchange derive the same secret`, () => {
        const suite = backend.dh(name);
        fc.assert(
          fc.property(bytes(16), (seed) => {
            const random = deterministicRandomForTestsOnly(seed);
            const a = suite.generateKeyPair(random);
            const b = suite.generateKeyPair(random);
            expect(a.publicKey).toHaveLength(suite.publicKeyLength);
            expect(a.secretKey).toHaveLength(suite.secretKeyLength);
            const ab = suite.dh(a.secretKey, b.publicKey);
            expect(ab).toHaveLength(suite.sharedSecretLength);
            expect(toHex(ab)).toBe(toHex(suite.dh(b.secretKey, a.publicKey)));
          }),
          { numRuns: runsFor(name) },
        );
      });

      it(`${name}: keyPairFromSecret restores the generated pair and copies its input`, () => {
        const suite = backend.dh(name);
        const pair = suite.generateKeyPair(deterministicRandomForTestsOnly(`restore ${name}`));
        const input = pair.secretKey.slice();
        const restored = suite.keyPairFromSecret(input);
        expect(toHex(restored.publicKey)).toBe(toHex(pair.publicKey));
        input.fill(1);
        expect(toHex(restored.secretKey)).toBe(toHex(pair.secretKey));
      });

      it(`${name}: generateKeyPair keeps its own copy of the drawn bytes (a reused buffer cannot change the key)`, () => {
        const suite = backend.dh(name);
        // A source that hands out views of one buffer it refills, as a pooled source might.
        const pool = new Uint8Array(64);
        const random = (n: number) => pool.subarray(0, n).fill(0x11);
        const pair = suite.generateKeyPair(random);
        const secret = toHex(pair.secretKey);
        pool.fill(0x22);
        expect(toHex(pair.secretKey)).toBe(secret);
        expect(toHex(suite.keyPairFromSecret(pair.secretKey).publicKey)).toBe(
          toHex(pair.publicKey),
        );
      });

      it(`${name}: generateKeyPair defaults to the system random source`, () => {
        const suite = backend.dh(name);
        expect(toHex(suite.generateKeyPair().secretKey)).not.toBe(
          toHex(suite.generateKeyPair().secretKey),
        );
      });
    }

    it('P-256 key generation rejection-samples out-of-range draws (FIPS 186-5 A.2.2)', () => {
      // A source that first yields n-1+1 = n (invalid) and all-zero (invalid), then a valid scalar.
      const draws = [
        fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
        new Uint8Array(32),
        fromHex('0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346'),
      ];
      const random = (n: number) => draws.shift() ?? new Uint8Array(n);
      const pair = backend.dh('P256').generateKeyPair(random);
      expect(toHex(pair.secretKey)).toBe(
        '0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346',
      );
      expect(pair.publicKey[0]).toBe(0x04);
    });

    it('P-256 key generation gives up on a broken random source', () => {
      const broken = (n: number) => new Uint8Array(n).fill(0xff);
      expect(() => backend.dh('P256').generateKeyPair(broken)).toThrow(
        expect.objectContaining({ code: 'RANDOM_SOURCE_FAILED' }),
      );
    });
  });

  describe('AEAD', () => {
    const kats = {
      // Wycheproof chacha20_poly1305_test tcId 1 (= RFC 8439 §2.8.2).
      ChaChaPoly: {
        key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
        nonce: '070000004041424344454647',
        ad: '50515253c0c1c2c3c4c5c6c7',
        ct: 'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116',
        tag: '1ae10b594f09e26a7e902ecbd0600691',
      },
      // Wycheproof xchacha20_poly1305_test tcId 1 (= draft-irtf-cfrg-xchacha A.3.1).
      XChaChaPoly: {
        key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
        nonce: '404142434445464748494a4b4c4d4e4f5051525354555657',
        ad: '50515253c0c1c2c3c4c5c6c7',
        ct: 'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e',
        tag: 'c0875924c1c7987947deafd8780acf49',
      },
    } as const;
    const sunscreen = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    for (const [name, v] of Object.entries(kats)) {
      it(`${name} matches its published vector both ways`, () => {
        const suite = backend.aead(name as keyof typeof kats);
        const sealed = suite.encrypt(fromHex(v.key), fromHex(v.nonce), sunscreen, fromHex(v.ad));
        expect(toHex(sealed)).toBe(v.ct + v.tag);
        const opened = suite.decrypt(fromHex(v.key), fromHex(v.nonce), sealed, fromHex(v.ad));
        expect(toHex(opened)).toBe(toHex(sunscreen));
      });
    }

    it('AESGCM matches Wycheproof aes_gcm_test tcId 100 (256-bit key, 96-bit IV)', () => {
      const sealed = backend
        .aead('AESGCM')
        .encrypt(
          fromHex('b279f57e19c8f53f2f963f5f2519fdb7c1779be2ca2b3ae8e1128b7d6c627fc4'),
          fromHex('98bc2c7438d5cd7665d76f6e'),
          fromHex('fcc515b294408c8645c9183e3f4ecee5127846d1'),
          fromHex('c0'),
        );
      expect(toHex(sealed)).toBe(
        'eb5500e3825952866d911253f8de860c00831c81' + 'ecb660e1fb0541ec41e8d68a64141b3a',
      );
    });

    for (const name of AEAD_NAMES) {
      it(`${name}: decrypt(encrypt(m)) = m for random keys, nonces, messages and ad`, () => {
        const suite = backend.aead(name);
        fc.assert(
          fc.property(
            bytes(32),
            bytes(suite.nonceLength),
            bytes(0, 300),
            bytes(0, 40),
            (key, nonce, pt, ad) => {
              const sealed = suite.encrypt(key, nonce, pt, ad);
              expect(sealed).toHaveLength(pt.length + suite.tagLength);
              expect(toHex(suite.decrypt(key, nonce, sealed, ad))).toBe(toHex(pt));
            },
          ),
          { numRuns: 50 },
        );
      });

      it(`${name}: an omitted ad is the empty ad, and the output is a plain Uint8Array`, () => {
        const suite = backend.aead(name);
        const key = new Uint8Array(32).fill(7);
        const nonce = new Uint8Array(suite.nonceLength).fill(9);
        const pt = utf8('hello');
        const a = suite.encrypt(key, nonce, pt);
        expect(toHex(a)).toBe(toHex(suite.encrypt(key, nonce, pt, new Uint8Array(0))));
        expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
        expect(toHex(suite.decrypt(key, nonce, a))).toBe(toHex(pt));
        expect(
          suite.decrypt(key, nonce, suite.encrypt(key, nonce, new Uint8Array(0))),
        ).toHaveLength(0);
      });
    }
  });

  describe('hash, HMAC, HKDF', () => {
    const abc = utf8('abc');
    it('digests "abc" as FIPS 180-4 and RFC 7693 give', () => {
      const d = (n: (typeof HASH_NAMES)[number]) => toHex(backend.hash(n).digest(abc));
      expect(d('SHA256')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(d('SHA512')).toBe(
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      );
      expect(d('BLAKE2b')).toBe(
        'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
      );
      expect(d('BLAKE2s')).toBe('508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982');
    });

    it('HMAC-SHA512 matches Wycheproof hmac_sha512_test tcId 1', () => {
      const tag = backend
        .hash('SHA512')
        .hmac(
          fromHex(
            '5365244bb43f23f18dfc86c09d62db4741138bec1fbddc282d295e0a098eb5c3e37bd6f4cc16d5ce7d77b1d474a1eb4db313cc0c24e48992ac125196549df9a8',
          ),
          new Uint8Array(0),
        );
      expect(toHex(tag)).toBe(
        'd0a556bd1afa8df1ebf9e3ee683a8a2450a7c83eba2daf2e2ff2f953f0cd64da216e67134cf55578b205c8a1e241ba1369516a5ef4298b9c1d31e9d59fc04fe4',
      );
    });

    it('HKDF-SHA256 matches RFC 5869 A.1 (Wycheproof hkdf_sha256_test tcId 1)', () => {
      const h = backend.hash('SHA256');
      const ikm = fromHex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b');
      const salt = fromHex('000102030405060708090a0b0c');
      const info = fromHex('f0f1f2f3f4f5f6f7f8f9');
      const okm =
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';
      expect(toHex(h.hkdf(ikm, salt, info, 42))).toBe(okm);
      expect(toHex(h.hkdfExpand(h.hkdfExtract(ikm, salt), info, 42))).toBe(okm);
    });

    for (const name of HASH_NAMES) {
      it(`${name}: HKDF is Expand(Extract), and a missing salt is HashLen zeros (RFC 5869 §2.2)`, () => {
        const h = backend.hash(name);
        fc.assert(
          fc.property(
            bytes(0, 80),
            fc.option(bytes(0, 150), { nil: undefined }),
            bytes(0, 40),
            fc.oneof(
              fc.integer({ min: 0, max: 200 }),
              fc.integer({ min: 0, max: 255 * h.outputLength }),
            ),
            (ikm, salt, info, length) => {
              const okm = h.hkdf(ikm, salt, info, length);
              expect(okm).toHaveLength(length);
              const prk = h.hkdfExtract(ikm, salt);
              expect(prk).toHaveLength(h.outputLength);
              expect(toHex(h.hkdfExpand(prk, info, length))).toBe(toHex(okm));
              const zeros = new Uint8Array(h.outputLength);
              if (salt === undefined) expect(toHex(h.hkdfExtract(ikm, zeros))).toBe(toHex(prk));
            },
          ),
          { numRuns: 25 },
        );
      });

      it(`${name}: digest and HMAC lengths, and HMAC keys longer than a block are hashed first`, () => {
        const h = backend.hash(name);
        expect(h.digest(new Uint8Array(0))).toHaveLength(h.outputLength);
        const longKey = new Uint8Array(h.blockLength + 1).fill(0x42);
        const msg = utf8('m');
        // RFC 2104 §2: K = H(K) when K is longer than B.
        expect(toHex(h.hmac(longKey, msg))).toBe(toHex(h.hmac(h.digest(longKey), msg)));
        expect(h.hmac(new Uint8Array(0), msg)).toHaveLength(h.outputLength);
      });
    }
  });

  describe('Ed25519', () => {
    const ed = backend.ed25519;
    it('matches RFC 8032 §7.1 TEST 1', () => {
      const pair = ed.keyPairFromSecret(
        fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
      );
      expect(toHex(pair.publicKey)).toBe(
        'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      );
      const sig = ed.sign(pair.secretKey, new Uint8Array(0));
      expect(toHex(sig)).toBe(
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      );
      expect(ed.verify(sig, new Uint8Array(0), pair.publicKey)).toBe(true);
    });

    it('verifies Wycheproof ed25519_test tcId 2', () => {
      expect(
        ed.verify(
          fromHex(
            'd80737358ede548acb173ef7e0399f83392fe8125b2ce877de7975d8b726ef5b1e76632280ee38afad12125ea44b961bf92f1178c9fa819d020869975bcbe109',
          ),
          fromHex('78'),
          fromHex('7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa'),
        ),
      ).toBe(true);
    });

    it('a signature verifies for its message and key only', () => {
      fc.assert(
        fc.property(bytes(32), bytes(0, 100), bytes(1, 8), (sk, msg, extra) => {
          const { publicKey } = ed.keyPairFromSecret(sk);
          const sig = ed.sign(sk, msg);
          expect(sig).toHaveLength(64);
          expect(ed.verify(sig, msg, publicKey)).toBe(true);
          expect(ed.verify(sig, new Uint8Array([...msg, ...extra]), publicKey)).toBe(false);
        }),
        { numRuns: 10 },
      );
    });

    it('generateKeyPair keeps its own copy of the drawn seed (a reused buffer cannot change it)', () => {
      const pool = new Uint8Array(32);
      const pair = ed.generateKeyPair((n) => pool.subarray(0, n).fill(0x33));
      const secret = toHex(pair.secretKey);
      pool.fill(0x44);
      expect(toHex(pair.secretKey)).toBe(secret);
      expect(toHex(ed.keyPairFromSecret(pair.secretKey).publicKey)).toBe(toHex(pair.publicKey));
    });

    it('verify answers false, never throws, for wrong-length signatures and keys', () => {
      const pair = ed.generateKeyPair(deterministicRandomForTestsOnly('ed lengths'));
      const msg = utf8('m');
      const sig = ed.sign(pair.secretKey, msg);
      expect(ed.verify(sig.subarray(0, 63), msg, pair.publicKey)).toBe(false);
      expect(ed.verify(new Uint8Array([...sig, 0]), msg, pair.publicKey)).toBe(false);
      expect(ed.verify(sig, msg, pair.publicKey.subarray(0, 31))).toBe(false);
      expect(ed.verify(new Uint8Array(64), msg, new Uint8Array(32))).toBe(false);
    });

    it('verify throws ValidationError for a non-bytes argument (a caller bug, not outside input)', () => {
      expect(() => ed.verify('sig' as never, new Uint8Array(0), new Uint8Array(32))).toThrow(
        P2peError,
      );
    });
  });
});
