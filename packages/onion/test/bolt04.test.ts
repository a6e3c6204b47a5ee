import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import {
  BOLT04_PACKET_LENGTH,
  createBolt04Error,
  createBolt04Onion,
  decodeBolt04Error,
  peelBolt04Onion,
  wrapBolt04Error,
} from '../src/index';

// Structural checks of the BOLT 4 profile; the byte-for-byte check against the published
// vectors is in test-vectors/test/bolt04.test.ts.
const secrets = [1, 2, 3].map((i) => new Uint8Array(32).fill(0x10 + i));
const hops = secrets.map((s, i) => ({
  publicKey: secp256k1.getPublicKey(s, true),
  payload: Uint8Array.of(4 + i, ...new Uint8Array(4 + i).fill(i)),
}));
const ad = new Uint8Array(32).fill(9);
const session = new Uint8Array(32).fill(0x55);

describe('BOLT 4 profile', () => {
  it('each hop reads its own variable-length payload; the last sees a zero HMAC', () => {
    let onion: Uint8Array | undefined = createBolt04Onion(session, hops, ad).onion;
    expect(onion.length).toBe(BOLT04_PACKET_LENGTH);
    secrets.forEach((s, i) => {
      const peeled = peelBolt04Onion(s, onion!, ad);
      expect(peeled.payload).toEqual(hops[i]!.payload);
      expect(peeled.nextOnion === undefined).toBe(i === secrets.length - 1);
      onion = peeled.nextOnion;
    });
  });

  it('a changed associated data or a flipped bit fails the HMAC', () => {
    const { onion } = createBolt04Onion(session, hops, ad);
    expect(() => peelBolt04Onion(secrets[0]!, onion, new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'ONION_HEADER_MAC_INVALID' }),
    );
    const flipped = onion.slice();
    flipped[500]! ^= 1;
    expect(() => peelBolt04Onion(secrets[0]!, flipped, ad)).toThrow(
      expect.objectContaining({ code: 'ONION_HEADER_MAC_INVALID' }),
    );
    expect(() => peelBolt04Onion(secrets[0]!, onion.subarray(1), ad)).toThrow(
      expect.objectContaining({ code: 'BOLT04_PACKET_SIZE' }),
    );
  });

  it('an error from the middle hop is attributed to it; a tampered error to no hop', () => {
    const { sharedSecrets } = createBolt04Onion(session, hops, ad);
    let packet = createBolt04Error(sharedSecrets[1]!, Uint8Array.of(0x40, 0x0f)).packet;
    packet = wrapBolt04Error(sharedSecrets[0]!, packet);
    expect(decodeBolt04Error(sharedSecrets, packet)).toEqual({
      hop: 1,
      failureMessage: Uint8Array.of(0x40, 0x0f),
    });
    packet[40]! ^= 1;
    expect(decodeBolt04Error(sharedSecrets, packet)).toBeUndefined();
  });
});
