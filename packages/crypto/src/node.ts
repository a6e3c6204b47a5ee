/**
 * The node:crypto backend (OpenSSL), several times faster than noble for asymmetric operations.
 * Import it from `@p2pe/crypto/node` only, so browser bundles never see `node:crypto`.
 *
 * It gives byte-identical results and identical error codes to `nobleBackend`: argument checks,
 * key generation and error mapping come from the same engine, and the differential tests compare
 * both on random and hostile inputs. Where OpenSSL alone would decide differently, noble decides
 * (see Ed25519 `verify` below).
 *
 * What is cached: imported private OKP keys, per caller array (see `importedPrivateKeys`); raw
 * keys are imported as JWK, the cheapest path. Public keys are built per call and dropped.
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { hchacha } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { systemRandomBytes, utf8 } from '@p2pe/transport-interfaces';
import { equalBytes } from './bytes';
import { NODE_GCM_MAX_NONCE_LENGTH, NODE_HKDF_MAX_INFO_LENGTH } from './constants';
import {
  type AeadPrimitive,
  createBackend,
  type DhPrimitive,
  type HashPrimitive,
  type Primitives,
  type SignaturePrimitive,
} from './engine';
import type { CryptoBackend } from './types';

/** A plain Uint8Array copy of a node Buffer (no Buffer in our APIs); the Buffer is wiped. */
function own(buf: Uint8Array): Uint8Array {
  const out = new Uint8Array(buf);
  buf.fill(0);
  return out;
}

const b64u = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');

type OkpCurve = 'X25519' | 'X448' | 'Ed25519';

/**
 * A private OKP key from its raw bytes, as JWK. Node requires `x` in a private JWK but derives the
 * public key from `d` itself, so a zero placeholder of the right length is given.
 */
function okpPrivate(crv: OkpCurve, secretKey: Uint8Array): KeyObject {
  const cached = importedPrivateKeys.get(secretKey);
  // The caller may have changed the bytes since (e.g. wiped them): use the cached key only if
  // they are still the bytes it was made from.
  if (cached !== undefined && cached.crv === crv && equalBytes(cached.bytes, secretKey)) {
    return cached.key;
  }
  const x = b64u(new Uint8Array(secretKey.length));
  const key = createPrivateKey({ key: { kty: 'OKP', crv, d: b64u(secretKey), x }, format: 'jwk' });
  importedPrivateKeys.set(secretKey, { crv, bytes: secretKey.slice(), key });
  return key;
}

/**
 * Private keys already imported, by the caller's secret-key array. Importing a raw private key
 * costs more than the DH itself (~70 µs), and a ratchet or relay uses each key pair several
 * times. Entries live exactly as long as the caller's array (a WeakMap), so nothing secret
 * outlives what the caller already holds.
 */
const importedPrivateKeys = new WeakMap<
  Uint8Array,
  { readonly crv: OkpCurve; readonly bytes: Uint8Array; readonly key: KeyObject }
>();

function okpPublic(crv: OkpCurve, publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: b64u(publicKey) }, format: 'jwk' });
}

function okpPublicBytes(key: KeyObject): Uint8Array {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return own(Buffer.from(jwk.x!, 'base64url'));
}

function montgomery(crv: 'X25519' | 'X448'): DhPrimitive {
  return {
    publicKey: (secretKey) => okpPublicBytes(okpPrivate(crv, secretKey)),
    // OpenSSL runs RFC 7748 §5 and fails on an all-zero output (§6.1); the engine maps the
    // failure to DH_ZERO_SHARED_SECRET, the same code noble's up-front small-order check gives.
    dh: (secretKey, publicKey) =>
      own(
        diffieHellman({
          privateKey: okpPrivate(crv, secretKey),
          publicKey: okpPublic(crv, publicKey),
        }),
      ),
  };
}

const p256: DhPrimitive = {
  publicKey(secretKey) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(secretKey);
    return own(ecdh.getPublicKey(null, 'uncompressed'));
  },
  // SEC 1 §3.3.1: OpenSSL checks the point is on the curve and returns the x-coordinate.
  dh(secretKey, publicKey) {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(secretKey);
    return own(ecdh.computeSecret(publicKey));
  },
};

type NodeAead = 'chacha20-poly1305' | 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
const TAG = 16;

function seal(
  alg: NodeAead,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
  output?: Uint8Array,
): Uint8Array {
  // Both modes take the same options and give the same methods; the cast only picks one of node's
  // per-algorithm overloads for TypeScript (the call is identical for either).
  const cipher = createCipheriv(alg as 'aes-256-gcm', key, nonce, { authTagLength: TAG });
  if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const head = cipher.update(plaintext); // read all of plaintext before writing: output may overlap
  const out = output ?? new Uint8Array(plaintext.length + TAG);
  out.set(head);
  const tail = cipher.final();
  out.set(tail, head.length);
  out.set(cipher.getAuthTag(), plaintext.length);
  return out;
}

function open(
  alg: NodeAead,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  const n = sealed.length - TAG;
  const decipher = createDecipheriv(alg as 'aes-256-gcm', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(n));
  if (ad.length > 0) decipher.setAAD(ad, { plaintextLength: n });
  const head = decipher.update(sealed.subarray(0, n));
  let tail: Uint8Array;
  try {
    tail = decipher.final(); // throws on a bad tag
  } catch (err) {
    head.fill(0); // unauthenticated plaintext never leaves
    throw err;
  }
  const out = new Uint8Array(n);
  out.set(head);
  out.set(tail, head.length);
  head.fill(0);
  return out;
}

function gcmMode(key: Uint8Array): NodeAead {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

function nodeAead(alg: NodeAead): AeadPrimitive {
  return {
    seal: (key, nonce, plaintext, ad, output) => seal(alg, key, nonce, plaintext, ad, output),
    open: (key, nonce, sealed, ad) => open(alg, key, nonce, sealed, ad),
  };
}

/**
 * "expand 32-byte k" (RFC 8439 §2.3) as noble's `hchacha` wants its inputs: 32-bit words laid over
 * the bytes in host order (a view of the bytes, not the numeric little-endian words), exactly like
 * the key and nonce views below. noble swaps all three on big-endian hosts; numeric words such as
 * 0x61707865 would be swapped into the wrong constant there.
 */
const SIGMA = new Uint32Array(utf8('expand 32-byte k').slice().buffer);

/** HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2) via noble: 32-byte subkey of key and 16-byte nonce. */
function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  // Copies give word-aligned buffers over the bytes; noble byte-swaps on big-endian hosts itself.
  const k = new Uint32Array(key.slice().buffer);
  const i = new Uint32Array(nonce16.slice().buffer);
  const out = new Uint32Array(8);
  hchacha(SIGMA, k, i, out);
  k.fill(0);
  return new Uint8Array(out.buffer);
}

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2.3): subkey = HChaCha20(key, nonce[0..16]),
 * then ChaCha20-Poly1305 (node) under the subkey with nonce 0x00000000 || nonce[16..24]. The
 * subkey is wiped afterwards, also when `open` throws on a bad tag.
 */
function xchachaRun(
  run: (
    alg: NodeAead,
    key: Uint8Array,
    n: Uint8Array,
    data: Uint8Array,
    ad: Uint8Array,
  ) => Uint8Array,
  key: Uint8Array,
  nonce: Uint8Array,
  data: Uint8Array,
  ad: Uint8Array,
): Uint8Array {
  const subkey = hchacha20(key, nonce.subarray(0, 16));
  const n = new Uint8Array(12);
  n.set(nonce.subarray(16, 24), 4);
  try {
    return run('chacha20-poly1305', subkey, n, data, ad);
  } finally {
    subkey.fill(0);
  }
}

const xchacha: AeadPrimitive = {
  seal: (key, nonce, plaintext, ad, output) =>
    xchachaRun((...args) => seal(...args, output), key, nonce, plaintext, ad),
  open: (key, nonce, sealed, ad) => xchachaRun(open, key, nonce, sealed, ad),
};

function nodeHash(
  alg: 'sha256' | 'sha512' | 'blake2b512' | 'blake2s256',
  len: number,
): HashPrimitive {
  const hmac = (key: Uint8Array, data: Uint8Array): Uint8Array =>
    own(createHmac(alg, key).update(data).digest());
  const zeros = new Uint8Array(len);
  // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), salt defaulting to HashLen zeros.
  const extract = (ikm: Uint8Array, salt: Uint8Array | undefined): Uint8Array =>
    hmac(salt ?? zeros, ikm);
  // RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) || info || i), OKM = first L bytes of T(1)…
  const expand = (prk: Uint8Array, info: Uint8Array, length: number): Uint8Array => {
    const blocks = Math.ceil(length / len);
    const okm = new Uint8Array(blocks * len);
    let t: Uint8Array = new Uint8Array(0);
    for (let i = 1; i <= blocks; i++) {
      const h = createHmac(alg, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
      t.fill(0);
      t = own(h);
      okm.set(t, (i - 1) * len);
    }
    t.fill(0);
    const out = okm.slice(0, length);
    okm.fill(0);
    return out;
  };
  return {
    digest: (data) => own(createHash(alg).update(data).digest()),
    hmac,
    hkdfExtract: extract,
    hkdfExpand: expand,
    hkdf(ikm, salt, info, length) {
      // hkdfSync refuses info above 1024 bytes: compute RFC 5869 over our HMAC instead. An empty
      // salt is the same HMAC key as HashLen zeros (RFC 2104 pads keys with zeros).
      if (info.length > NODE_HKDF_MAX_INFO_LENGTH) {
        const prk = extract(ikm, salt);
        const okm = expand(prk, info, length);
        prk.fill(0);
        return okm;
      }
      return new Uint8Array(hkdfSync(alg, ikm, salt ?? zeros, info, length));
    },
  };
}

const ed25519Prim: SignaturePrimitive = {
  publicKey: (secretKey) => okpPublicBytes(okpPrivate('Ed25519', secretKey)),
  sign: (secretKey, message) => own(nodeSign(null, message, okpPrivate('Ed25519', secretKey))),
  verify(signature, message, publicKey) {
    // OpenSSL checks the cofactorless equation [S]B = R + [k]A; noble (strict RFC 8032) checks the
    // cofactored one. They differ only on signatures crafted with a small-order component, which
    // OpenSSL rejects and noble accepts. So an OpenSSL "yes" is final (the engine has already
    // refused non-canonical and small-order keys, where OpenSSL would be laxer), and an OpenSSL
    // "no" is re-checked with noble so both backends always agree. The cost: a signature that
    // does not verify costs noble's time (~1.3 ms, see the README's benchmark) on this backend too.
    let ok = false;
    try {
      ok = nodeVerify(null, message, okpPublic('Ed25519', publicKey), signature);
    } catch {
      ok = false;
    }
    return ok || ed25519.verify(signature, message, publicKey, { zip215: false });
  },
};

const primitives: Primitives = {
  dh: { '25519': montgomery('X25519'), '448': montgomery('X448'), P256: p256 },
  aead: {
    ChaChaPoly: nodeAead('chacha20-poly1305'),
    XChaChaPoly: xchacha,
    AESGCM: nodeAead('aes-256-gcm'),
  },
  // OpenSSL's AES-GCM by key size. Node refuses IVs over NODE_GCM_MAX_NONCE_LENGTH bytes;
  // those (no protocol uses them) go to noble, which gives the same result.
  gcm: {
    seal: (key, nonce, plaintext, ad) =>
      nonce.length > NODE_GCM_MAX_NONCE_LENGTH
        ? gcm(key, nonce, ad).encrypt(plaintext)
        : seal(gcmMode(key), key, nonce, plaintext, ad),
    open: (key, nonce, sealed, ad) =>
      nonce.length > NODE_GCM_MAX_NONCE_LENGTH
        ? gcm(key, nonce, ad).decrypt(sealed)
        : open(gcmMode(key), key, nonce, sealed, ad),
  },
  hash: {
    SHA256: nodeHash('sha256', 32),
    SHA512: nodeHash('sha512', 64),
    BLAKE2b: nodeHash('blake2b512', 64),
    BLAKE2s: nodeHash('blake2s256', 32),
  },
  ed25519: ed25519Prim,
};

/**
 * The node:crypto backend (Node only): same results and error codes as `nobleBackend`, faster.
 * `import { nodeBackend } from '@p2pe/crypto/node'`. Random source: `systemRandomBytes`.
 */
export const nodeBackend: CryptoBackend = createBackend('node', primitives, systemRandomBytes);
