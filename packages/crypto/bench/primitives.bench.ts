/**
 * One case per primitive per backend: the floors that later layers (ratchet, onion, dht) compare
 * their hot paths with. Each node case is compared with its noble case (ratio node / noble).
 * Inputs are fixed, from the test DRBG, so runs are comparable.
 */
import { type BenchCase, defineSuites } from '../../../bench/harness';
import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '../src/index';
import { nodeBackend } from '../src/node';

const random = deterministicRandomForTestsOnly('p2pe/crypto/bench');
const key = random(32);
const nonce12 = random(12);
const nonce24 = random(24);
const msg100 = random(100);
const msg16k = random(16 * 1024);
const ad = random(16);
const ikm32 = random(32);
const info = random(16);

// Key pairs made once with noble; both backends use the same bytes.
const x25519A = nobleBackend.dh('25519').generateKeyPair(random);
const x25519B = nobleBackend.dh('25519').generateKeyPair(random);
const x448A = nobleBackend.dh('448').generateKeyPair(random);
const x448B = nobleBackend.dh('448').generateKeyPair(random);
const p256A = nobleBackend.dh('P256').generateKeyPair(random);
const p256B = nobleBackend.dh('P256').generateKeyPair(random);
const edPair = nobleBackend.ed25519.generateKeyPair(random);
const edSig = nobleBackend.ed25519.sign(edPair.secretKey, msg100);

function casesFor(b: CryptoBackend): [string, () => unknown][] {
  const chacha = b.aead('ChaChaPoly');
  const xchacha = b.aead('XChaChaPoly');
  const gcm = b.aead('AESGCM');
  const sha256 = b.hash('SHA256');
  return [
    ['x25519-keygen', () => b.dh('25519').generateKeyPair()],
    ['x25519-dh', () => b.dh('25519').dh(x25519A.secretKey, x25519B.publicKey)],
    ['x448-dh', () => b.dh('448').dh(x448A.secretKey, x448B.publicKey)],
    ['p256-dh', () => b.dh('P256').dh(p256A.secretKey, p256B.publicKey)],
    ['ed25519-sign', () => b.ed25519.sign(edPair.secretKey, msg100)],
    ['ed25519-verify', () => b.ed25519.verify(edSig, msg100, edPair.publicKey)],
    ['chachapoly-100B', () => chacha.encrypt(key, nonce12, msg100, ad)],
    ['chachapoly-16KiB', () => chacha.encrypt(key, nonce12, msg16k, ad)],
    ['xchachapoly-100B', () => xchacha.encrypt(key, nonce24, msg100, ad)],
    ['xchachapoly-16KiB', () => xchacha.encrypt(key, nonce24, msg16k, ad)],
    ['aesgcm-100B', () => gcm.encrypt(key, nonce12, msg100, ad)],
    ['aesgcm-16KiB', () => gcm.encrypt(key, nonce12, msg16k, ad)],
    ['sha256-100B', () => sha256.digest(msg100)],
    ['sha512-100B', () => b.hash('SHA512').digest(msg100)],
    ['blake2b-100B', () => b.hash('BLAKE2b').digest(msg100)],
    ['blake2s-100B', () => b.hash('BLAKE2s').digest(msg100)],
    ['hmac-sha256-32B', () => sha256.hmac(key, ikm32)],
    ['hkdf-sha256-32to64', () => sha256.hkdf(ikm32, undefined, info, 64)],
  ];
}

const cases: BenchCase[] = [];
for (const [what, fn] of casesFor(nobleBackend)) {
  cases.push({ id: `crypto/${what}/noble`, fn });
}
for (const [what, fn] of casesFor(nodeBackend)) {
  cases.push({ id: `crypto/${what}/node`, fn, compare: `crypto/${what}/noble` });
}

export default defineSuites({ name: 'crypto: primitives, noble and node:crypto', cases });
