/**
 * The node backend keeps imported private keys per caller array (a WeakMap). A caller that
 * changes or wipes its secret-key bytes must never get results for the old bytes.
 */
import { nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('node backend: imported private keys follow the caller bytes', () => {
  it('a DH after the secret array was changed in place uses the new bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (first, second) => {
          const dh = nodeBackend.dh('25519');
          const peer = dh.generateKeyPair();
          const secret = first.slice();
          expect(dh.dh(secret, peer.publicKey)).toEqual(
            nobleBackend.dh('25519').dh(first, peer.publicKey),
          );
          secret.set(second); // same array object, new bytes
          expect(dh.dh(secret, peer.publicKey)).toEqual(
            nobleBackend.dh('25519').dh(second, peer.publicKey),
          );
        },
      ),
      { numRuns: 20 },
    );
  });

  it('a signature after the secret array was changed in place uses the new bytes', () => {
    const sig = nodeBackend.ed25519;
    const secret = new Uint8Array(32).fill(1);
    const message = new Uint8Array([1, 2, 3]);
    const before = sig.sign(secret, message);
    secret.fill(2);
    const after = sig.sign(secret, message);
    expect(after).toEqual(nobleBackend.ed25519.sign(new Uint8Array(32).fill(2), message));
    expect(after).not.toEqual(before);
  });

  it('the same array used for X25519 and Ed25519 gives each curve its own key', () => {
    const secret = new Uint8Array(32).fill(3);
    const peer = nobleBackend.dh('25519').keyPairFromSecret(new Uint8Array(32).fill(4));
    const shared = nodeBackend.dh('25519').dh(secret, peer.publicKey);
    const signature = nodeBackend.ed25519.sign(secret, new Uint8Array(1));
    expect(shared).toEqual(nobleBackend.dh('25519').dh(secret, peer.publicKey));
    expect(signature).toEqual(nobleBackend.ed25519.sign(secret, new Uint8Array(1)));
  });
});
