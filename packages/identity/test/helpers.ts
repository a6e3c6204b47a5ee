import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { ManualClock, P2peError } from '@p2pe/transport-interfaces';
import { expect } from 'vitest';
import { createIdentity, type Identity } from '../src/index';

/** 2023-11-14T22:13:20Z: a fixed "now" for every test. */
export const T0 = 1_700_000_000_000;

export const backends: readonly CryptoBackend[] = [nobleBackend, nodeBackend];

export function clockAt(ms = T0): ManualClock {
  return new ManualClock(ms);
}

const cache = new Map<string, Identity>();

/** A fixed identity per name (X25519 static key), made once per test file. */
export function fixture(name: string): Identity {
  let identity = cache.get(name);
  if (identity === undefined) {
    identity = createIdentity({
      random: deterministicRandomForTestsOnly(`identity-test/${name}`),
      clock: clockAt(),
      crypto: nodeBackend,
    });
    cache.set(name, identity);
  }
  return identity;
}

/** Runs `fn` and returns the P2peError it throws (fails the test when it does not throw one). */
export function errorOf(fn: () => unknown): P2peError {
  try {
    fn();
  } catch (e) {
    expect(P2peError.is(e), `expected a P2peError, got ${String(e)}`).toBe(true);
    return e as P2peError;
  }
  expect.fail('expected an error');
}

export async function asyncErrorOf(fn: () => Promise<unknown>): Promise<P2peError> {
  try {
    await fn();
  } catch (e) {
    expect(P2peError.is(e), `expected a P2peError, got ${String(e)}`).toBe(true);
    return e as P2peError;
  }
  expect.fail('expected an error');
}

/** `bytes` with bit `bit` (0 = least significant bit of byte 0) flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/**
 * A backend whose Ed25519 `verify` accepts exactly the (signature, message, key) triples its
 * `sign` produced: the ideal signature scheme. Exhaustive bit-flip tests run against it, so they
 * check our parsing and checks (every flip must be refused, or reach `verify` with a triple
 * never signed) in microseconds per case; sampled flips run against the real backends.
 */
export function idealSignatureBackend(base: CryptoBackend = nodeBackend): CryptoBackend {
  const signed = new Set<string>();
  const id = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) =>
    `${Buffer.from(sig).toString('hex')}:${Buffer.from(msg).toString('hex')}:${Buffer.from(pk).toString('hex')}`;
  const ed25519 = {
    ...base.ed25519,
    sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
      const sig = base.ed25519.sign(secretKey, message);
      signed.add(id(sig, message, base.ed25519.keyPairFromSecret(secretKey).publicKey));
      return sig;
    },
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      return signed.has(id(signature, message, publicKey));
    },
  };
  // Everything else as the base backend (whatever members it has), only Ed25519 replaced.
  return { ...base, ed25519 };
}
