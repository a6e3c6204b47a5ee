/**
 * A corpus of wrong inputs fed to every export of both backends: each call either succeeds or
 * throws a P2peError (never a TypeError or another crash), both backends end the same way, and no
 * message carries the bytes it was given.
 */
import {
  AEAD_NAMES,
  type CryptoBackend,
  DH_NAMES,
  deterministicRandomForTestsOnly,
  HASH_NAMES,
  nobleBackend,
} from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { P2peError } from '@p2pe/transport-interfaces';
import { describe, expect, it } from 'vitest';
import { outcome } from './helpers';

const marker = new Uint8Array(40).fill(0xab); // recognisable bytes: "abab…" must not leak
const wrong: readonly unknown[] = [
  undefined,
  null,
  'abc',
  42,
  10n,
  [1, 2, 3],
  {},
  new Uint16Array(16),
  new ArrayBuffer(32),
  new Uint8Array(0),
  new Uint8Array(1),
  marker,
  new Uint8Array(200),
];

type Call = (b: CryptoBackend, x: unknown) => Uint8Array | boolean | object;

function calls(): [string, Call][] {
  const out: [string, Call][] = [];
  const u = (x: unknown) => x as never;
  for (const n of DH_NAMES) {
    const ok = nobleBackend.dh(n).generateKeyPair(deterministicRandomForTestsOnly(n));
    out.push([`dh(${n}).dh(x, pk)`, (b, x) => b.dh(n).dh(u(x), ok.publicKey)]);
    out.push([`dh(${n}).dh(sk, x)`, (b, x) => b.dh(n).dh(ok.secretKey, u(x))]);
    out.push([
      `dh(${n}).keyPairFromSecret(x)`,
      (b, x) => b.dh(n).keyPairFromSecret(u(x)).publicKey,
    ]);
    out.push([`dh(${n}).generateKeyPair(x)`, (b, x) => ({ pair: b.dh(n).generateKeyPair(u(x)) })]);
    out.push([
      `dh(${n}).generateKeyPair(() => x)`,
      (b, x) => b.dh(n).generateKeyPair(() => u(x)).publicKey,
    ]);
  }
  for (const n of AEAD_NAMES) {
    const s = nobleBackend.aead(n);
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(s.nonceLength);
    const sealed = s.encrypt(key, nonce, new Uint8Array(3));
    for (const op of ['encrypt', 'decrypt'] as const) {
      const data = op === 'encrypt' ? new Uint8Array(3) : sealed;
      out.push([`aead(${n}).${op}(x, …)`, (b, x) => b.aead(n)[op](u(x), nonce, data)]);
      out.push([`aead(${n}).${op}(k, x, …)`, (b, x) => b.aead(n)[op](key, u(x), data)]);
      out.push([`aead(${n}).${op}(k, n, x)`, (b, x) => b.aead(n)[op](key, nonce, u(x))]);
      out.push([`aead(${n}).${op}(k, n, d, x)`, (b, x) => b.aead(n)[op](key, nonce, data, u(x))]);
    }
  }
  for (const n of HASH_NAMES) {
    const prk = new Uint8Array(64);
    const e = new Uint8Array(0);
    out.push([`hash(${n}).digest(x)`, (b, x) => b.hash(n).digest(u(x))]);
    out.push([`hash(${n}).hmac(x, d)`, (b, x) => b.hash(n).hmac(u(x), e)]);
    out.push([`hash(${n}).hmac(k, x)`, (b, x) => b.hash(n).hmac(e, u(x))]);
    out.push([`hash(${n}).hkdfExtract(x)`, (b, x) => b.hash(n).hkdfExtract(u(x))]);
    out.push([`hash(${n}).hkdfExtract(i, x)`, (b, x) => b.hash(n).hkdfExtract(e, u(x))]);
    out.push([`hash(${n}).hkdfExpand(x, i, 8)`, (b, x) => b.hash(n).hkdfExpand(u(x), e, 8)]);
    out.push([`hash(${n}).hkdfExpand(p, x, 8)`, (b, x) => b.hash(n).hkdfExpand(prk, u(x), 8)]);
    out.push([`hash(${n}).hkdfExpand(p, i, x)`, (b, x) => b.hash(n).hkdfExpand(prk, e, u(x))]);
    out.push([`hash(${n}).hkdf(i, x, i, 8)`, (b, x) => b.hash(n).hkdf(e, u(x), e, 8)]);
    out.push([`hash(${n}).hkdf(i, s, i, x)`, (b, x) => b.hash(n).hkdf(e, e, e, u(x))]);
  }
  const ed = nobleBackend.ed25519.generateKeyPair(deterministicRandomForTestsOnly('ed'));
  const sig = nobleBackend.ed25519.sign(ed.secretKey, marker);
  out.push(['ed25519.sign(x, m)', (b, x) => b.ed25519.sign(u(x), marker)]);
  out.push(['ed25519.sign(sk, x)', (b, x) => b.ed25519.sign(ed.secretKey, u(x))]);
  out.push(['ed25519.verify(x, m, pk)', (b, x) => b.ed25519.verify(u(x), marker, ed.publicKey)]);
  out.push(['ed25519.verify(s, m, x)', (b, x) => b.ed25519.verify(sig, marker, u(x))]);
  out.push(['ed25519.keyPairFromSecret(x)', (b, x) => b.ed25519.keyPairFromSecret(u(x)).publicKey]);
  out.push(['ed25519.generateKeyPair(x)', (b, x) => ({ pair: b.ed25519.generateKeyPair(u(x)) })]);
  out.push(['dh(x)', (b, x) => b.dh(u(x))]);
  out.push(['aead(x)', (b, x) => b.aead(u(x))]);
  out.push(['hash(x)', (b, x) => b.hash(u(x))]);
  return out;
}

describe('every export, fed wrong inputs', () => {
  it.each(calls())(
    '%s: a P2peError or a result, the same on both backends, no bytes in the message',
    (_, call) => {
      for (const x of wrong) {
        const run = (b: CryptoBackend) => {
          try {
            const r = call(b, x);
            return r instanceof Uint8Array || typeof r === 'boolean'
              ? outcome(() => r)
              : { ok: 'suite' };
          } catch (err) {
            if (!P2peError.is(err)) throw new Error(`${b.name}: non-P2PE error ${String(err)}`);
            expect(err.message).not.toMatch(/abab/);
            expect(err.message.length).toBeLessThan(200);
            return { error: err.constructor.name, code: err.code };
          }
        };
        expect(run(nodeBackend)).toEqual(run(nobleBackend));
      }
    },
  );
});
