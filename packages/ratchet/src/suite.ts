import type {
  AeadName,
  AeadSuite,
  CryptoBackend,
  DhName,
  DhSuite,
  HashName,
  HashSuite,
} from '@p2pe/crypto';
import { ValidationError } from '@p2pe/transport-interfaces';

/** The names of the three primitives a ratchet session uses. */
export interface RatchetSuiteNames {
  readonly dh: DhName;
  readonly aead: AeadName;
  readonly hash: HashName;
}

/** The default suite: X25519, ChaCha20-Poly1305, SHA-256 (Noise names). */
export const DEFAULT_RATCHET_SUITE: RatchetSuiteNames = Object.freeze({
  dh: '25519',
  aead: 'ChaChaPoly',
  hash: 'SHA256',
});

/** The primitives of one suite on one backend, resolved once. */
export interface RatchetSuite {
  readonly names: RatchetSuiteNames;
  readonly backend: CryptoBackend;
  readonly dh: DhSuite;
  readonly aead: AeadSuite;
  readonly hash: HashSuite;
  /** All-zero AEAD nonce: every message key encrypts exactly one message (see ratchet.ts). */
  readonly zeroNonce: Uint8Array;
}

const cache = new WeakMap<CryptoBackend, Map<string, RatchetSuite>>();

/**
 * Resolves a suite on a backend. Suites are cached per backend, so sessions share the resolved
 * primitives (and whatever key caches the backend keeps).
 */
export function ratchetSuite(
  backend: CryptoBackend,
  names: Partial<RatchetSuiteNames> = {},
): RatchetSuite {
  const full: RatchetSuiteNames = { ...DEFAULT_RATCHET_SUITE, ...names };
  const id = `${full.dh}_${full.aead}_${full.hash}`;
  let perBackend = cache.get(backend);
  if (perBackend === undefined) {
    perBackend = new Map();
    cache.set(backend, perBackend);
  }
  const hit = perBackend.get(id);
  if (hit !== undefined) return hit;
  const aead = backend.aead(full.aead);
  const hash = backend.hash(full.hash);
  if (aead.keyLength > hash.outputLength) {
    throw new ValidationError(
      'RATCHET_SUITE_UNSUPPORTED',
      `AEAD key of ${aead.keyLength} bytes is longer than the ${hash.outputLength}-byte hash`,
    );
  }
  const suite: RatchetSuite = Object.freeze({
    names: Object.freeze(full),
    backend,
    dh: backend.dh(full.dh),
    aead,
    hash,
    zeroNonce: new Uint8Array(aead.nonceLength),
  });
  perBackend.set(id, suite);
  return suite;
}

/** `25519_ChaChaPoly_SHA256`: the suite's name as stored and printed. */
export function suiteId(names: RatchetSuiteNames): string {
  return `${names.dh}_${names.aead}_${names.hash}`;
}
