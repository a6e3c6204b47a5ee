import { p256 } from '@noble/curves/nist.js';
import { equalBytes, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { P2peError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_LENGTH,
  createPacket,
  createReplyPacket,
  createSurb,
  decodeCommand,
  decodeSurbSecret,
  encodePayload,
  encodeSurbSecret,
  epochField,
  LABELS,
  lionessDecrypt,
  lionessEncrypt,
  MemoryReplayCache,
  onionProfile,
  openReply,
  peelPacket,
  wrapHeader,
} from '../src/index';
import { makeNet } from './helpers';

const profile = onionProfile();
const net = makeNet(profile, 2, 'onion bad input');
const node = net.nodes[0]!;

function packetFor(message = Uint8Array.of(1)) {
  return createPacket(profile, { path: [node.hop, net.nodes[1]!.hop], message, epoch: net.epoch })
    .packet;
}

/** A packet whose one hop finds `command` (valid MAC): only a buggy or hostile sender makes one. */
function packetWithCommand(command: Uint8Array): Uint8Array {
  const e = epochField(net.epoch);
  const session = profile.dh.generateKeyPair(net.random).secretKey;
  const { header, hops } = wrapHeader(
    profile.header,
    session,
    [node.hop.publicKey],
    [command],
    Uint8Array.of(1, e >>> 8, e & 0xff),
    new Uint8Array(0),
  );
  const payload = lionessEncrypt(
    profile.hash,
    hops[0]!.payloadKey,
    encodePayload(profile, Uint8Array.of(1)),
  );
  const out = new Uint8Array(profile.packetLength);
  out.set(header);
  out.set(payload, profile.headerLength);
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(P2peError.is(err)).toBe(true);
    return (err as P2peError).code;
  }
}

describe('every rejection is a typed error and leaves the replay cache untouched', () => {
  const cases: [string, () => Uint8Array, string][] = [
    [
      'truncated packet',
      () => packetFor().subarray(0, profile.packetLength - 1),
      'ONION_PACKET_SIZE',
    ],
    ['oversized packet', () => Uint8Array.of(...packetFor(), 0), 'ONION_PACKET_SIZE'],
    ['empty packet', () => new Uint8Array(0), 'ONION_PACKET_SIZE'],
    [
      'wrong version',
      () => {
        const p = packetFor();
        p[0] = 2;
        return p;
      },
      'ONION_PACKET_VERSION',
    ],
    [
      'bad header MAC',
      () => {
        const p = packetFor();
        p[profile.headerLength - 3]! ^= 0x80;
        return p;
      },
      'ONION_HEADER_MAC_INVALID',
    ],
    [
      'small-order group element (all-zero α)',
      () => {
        const p = packetFor();
        p.fill(0, 3, 35);
        return p;
      },
      'ONION_INVALID_ELEMENT',
    ],
    [
      'unknown routing command type',
      () => packetWithCommand(new Uint8Array(COMMAND_LENGTH)),
      'ONION_COMMAND_MALFORMED',
    ],
    [
      'deliver command with non-zero body',
      () => {
        const c = new Uint8Array(COMMAND_LENGTH);
        c[0] = 0x02;
        c[20] = 1;
        return packetWithCommand(c);
      },
      'ONION_COMMAND_MALFORMED',
    ],
  ];
  it.each(cases)('%s', async (_name, make, code) => {
    const before = node.cache.encode();
    expect(await codeOf(node.relay.process(make()))).toBe(code);
    expect(node.cache.encode()).toEqual(before);
  });

  it('random bytes of the right size with a valid prefix: MAC or element error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: profile.packetLength, maxLength: profile.packetLength }),
        async (bytes) => {
          const e = epochField(net.epoch);
          bytes.set([1, e >>> 8, e & 0xff]);
          const code = await codeOf(node.relay.process(bytes));
          expect(['ONION_HEADER_MAC_INVALID', 'ONION_INVALID_ELEMENT']).toContain(code);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('random byte strings of any size: a typed error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2 * profile.packetLength }), async (bytes) => {
        expect(await codeOf(node.relay.process(bytes))).toBeDefined();
      }),
      { numRuns: 30 },
    );
  });

  it('peelPacket refuses a key for another epoch than the header names', () => {
    expect(() =>
      peelPacket(profile, node.keys.keyPair(net.epoch)!.secretKey, packetFor(), net.epoch + 1),
    ).toThrow(expect.objectContaining({ code: 'ONION_EPOCH_MISMATCH' }));
  });

  it('error messages carry lengths and codes only (printed for review)', async () => {
    const messages: string[] = [];
    for (const [, make] of cases) {
      await node.relay
        .process(make())
        .catch((e: Error) => messages.push(`${(e as P2peError).code}: ${e.message}`));
    }
    console.log(messages.join('\n'));
    for (const m of messages) expect(m).not.toMatch(/[0-9a-f]{16,}/);
  });
});

/** The smallest x with no P-256 point (so no lift exists, whatever the sign). */
function offCurveX(): Uint8Array {
  for (let i = 1; ; i++) {
    const x = new Uint8Array(32);
    x[31] = i;
    try {
      p256.Point.fromBytes(Uint8Array.of(2, ...x));
    } catch {
      return x;
    }
  }
}

describe('group elements of the other suites', () => {
  it.each([
    ['X448', 'all-zero α (small order)', (p: Uint8Array) => p.fill(0, 3, 3 + 56)],
    [
      'P-256',
      'an x-coordinate with no point on the curve',
      (p: Uint8Array) => p.set(offCurveX(), 3),
    ],
  ] as const)('%s: %s is ONION_INVALID_ELEMENT', async (suite, _what, spoil) => {
    const p = onionProfile({ suite });
    const n = makeNet(p, 1, `bad element ${suite}`);
    const { packet } = createPacket(p, {
      path: [n.nodes[0]!.hop],
      message: Uint8Array.of(1),
      epoch: n.epoch,
    });
    spoil(packet);
    await expect(n.nodes[0]!.relay.process(packet)).rejects.toMatchObject({
      code: 'ONION_INVALID_ELEMENT',
    });
    expect(n.nodes[0]!.cache.size).toBe(0);
  });
});

describe('routing commands', () => {
  it('decodeCommand refuses wrong lengths and unknown types', () => {
    expect(() => decodeCommand(new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'ONION_COMMAND_MALFORMED' }),
    );
    const reply = new Uint8Array(COMMAND_LENGTH);
    reply[0] = 0x04;
    reply[32] = 1;
    expect(() => decodeCommand(reply)).toThrow(
      expect.objectContaining({ code: 'ONION_COMMAND_MALFORMED' }),
    );
  });
});

describe('LIONESS (property)', () => {
  it('decrypts what it encrypts, and any flipped bit changes the zero block', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 33, maxLength: 600 }),
        fc.nat(),
        (key, block, at) => {
          const c = lionessEncrypt(profile.hash, key, block);
          expect(lionessDecrypt(profile.hash, key, c)).toEqual(block);
          const flipped = c.slice();
          flipped[at % c.length]! ^= 1;
          expect(lionessDecrypt(profile.hash, key, flipped).subarray(0, 32)).not.toEqual(
            block.subarray(0, 32),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a block that is not wider than one half', () => {
    expect(() => lionessEncrypt(profile.hash, new Uint8Array(32), new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH' }),
    );
  });
});

describe('key derivation', () => {
  it('the one-block HKDF-Expand shortcut equals RFC 5869 HKDF-Expand (hop keys match hkdfExpand)', () => {
    const shared = net.random(32);
    const alpha = net.random(32);
    const keys = profile.header.deriveHopKeys(shared, alpha);
    const prk = profile.hash.hkdfExtract(shared, alpha);
    const expand = (label: string, n: number) =>
      profile.hash.hkdfExpand(prk, new TextEncoder().encode(label), n);
    expect(keys.streamKey).toEqual(expand(LABELS.headerStream, 32));
    expect(keys.macKey).toEqual(expand(LABELS.headerMac, 32));
    expect(keys.payloadKey).toEqual(expand(LABELS.payload, 32));
    expect(keys.replayTag).toEqual(expand(LABELS.replayTag, 16));
    expect(keys.blinding).toEqual(expand(LABELS.blinding, 32));
  });
});

/** Little-endian u-coordinate bytes (RFC 7748 §5), `length` bytes. */
function uBytes(u: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

describe('small-order and non-canonical group elements (RFC 7748 §6)', () => {
  const p25519 = 2n ** 255n - 19n;
  const p448 = 2n ** 448n - 2n ** 224n - 1n;
  // u = 0 and 1 (orders 4 and 1), the two points of order 8, p − 1 (order 2), and the
  // non-canonical p and p + 1 (≡ 0 and 1); each also with the ignored top bit set.
  const x25519Small = [
    0n,
    1n,
    325606250916557431795983626356110631294008115727848805560023387167927233504n,
    39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    p25519 - 1n,
    p25519,
    p25519 + 1n,
  ].flatMap((u) => {
    const b = uBytes(u, 32);
    const top = b.slice();
    top[31]! |= 0x80;
    return [b, top];
  });
  const x448Small = [0n, 1n, p448 - 1n, p448, p448 + 1n].map((u) => uBytes(u, 56));

  it.each([
    ['X25519', 'noble', x25519Small],
    ['X448', 'noble', x448Small],
    ['X25519', 'node', x25519Small],
    ['X448', 'node', x448Small],
  ] as const)(
    '%s (%s backend): every small-order α is ONION_INVALID_ELEMENT; the cache is untouched',
    async (suite, backend, elements) => {
      const p = onionProfile({ suite, backend: backend === 'node' ? nodeBackend : nobleBackend });
      const n = makeNet(p, 1, `small order ${suite} ${backend}`);
      const { packet } = createPacket(p, {
        path: [n.nodes[0]!.hop],
        message: Uint8Array.of(1),
        epoch: n.epoch,
      });
      for (const alpha of elements) {
        const spoiled = packet.slice();
        spoiled.set(alpha, 3);
        expect(await codeOf(n.nodes[0]!.relay.process(spoiled))).toBe('ONION_INVALID_ELEMENT');
      }
      expect(n.nodes[0]!.cache.size).toBe(0);
    },
  );

  it('X25519: α with its ignored top bit set gives the same DH output, yet fails the MAC (keys and γ are bound to the α bytes)', async () => {
    const { packet } = createPacket(profile, {
      path: [node.hop],
      message: Uint8Array.of(1),
      epoch: net.epoch,
    });
    const alpha = packet.slice(3, 35);
    const twin = alpha.slice();
    twin[31]! ^= 0x80;
    const secret = node.keys.keyPair(net.epoch)!.secretKey;
    expect(profile.dh.dh(secret, twin)).toEqual(profile.dh.dh(secret, alpha));
    const spoiled = packet.slice();
    spoiled.set(twin, 3);
    const before = node.cache.encode();
    expect(await codeOf(node.relay.process(spoiled))).toBe('ONION_HEADER_MAC_INVALID');
    expect(node.cache.encode()).toEqual(before);
    // The derived keys differ although the DH output is the same.
    const s = profile.dh.dh(secret, alpha);
    const a = profile.header.deriveHopKeys(s, alpha);
    const b = profile.header.deriveHopKeys(s, twin);
    expect(a.macKey).not.toEqual(b.macKey);
    expect(a.replayTag).not.toEqual(b.replayTag);
  });
});

/** Runs `decode`; anything thrown must be a typed P2peError. */
function typedOrValue(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    expect(P2peError.is(err)).toBe(true);
  }
}

/** Truncated, oversized, bit-flipped and random variants of `valid`. */
const mutations = (valid: Uint8Array) =>
  fc.oneof(
    fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((extra) => Uint8Array.of(...valid, ...extra)),
    fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
      const c = valid.slice();
      c[at]! ^= 1 << bit;
      return c;
    }),
    fc.uint8Array({ maxLength: 2 * valid.length }),
  );

describe('every decoder of stored or received bytes (fuzz)', () => {
  const path = [node.hop, net.nodes[1]!.hop];

  it('decodeSurb and createReplyPacket: a typed error or a packet of the full size', () => {
    const { surb } = createSurb(profile, { path, epoch: net.epoch, random: net.random });
    fc.assert(
      fc.property(mutations(surb), (bytes) => {
        typedOrValue(() => {
          const reply = createReplyPacket(profile, bytes, Uint8Array.of(1));
          expect(reply.packet.length).toBe(profile.packetLength);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('decodeSurbSecret and openReply: a typed error, never a crash or a wrong plaintext', () => {
    const { surb, secret } = createSurb(profile, { path, epoch: net.epoch, random: net.random });
    const reply = createReplyPacket(profile, surb, Uint8Array.of(4, 2));
    const bytes = encodeSurbSecret(secret);
    fc.assert(
      fc.property(mutations(bytes), (mutated) => {
        typedOrValue(() => {
          const decoded = decodeSurbSecret(mutated);
          // Changed keys never open the reply (only the creator's own keys do).
          const sameKeys =
            equalBytes(decoded.replyKey, secret.replyKey) &&
            decoded.payloadKeys.length === secret.payloadKeys.length &&
            decoded.payloadKeys.every((k, i) => equalBytes(k, secret.payloadKeys[i]!));
          if (!sameKeys) {
            expect(() =>
              openReply(profile, decoded, reply.packet.subarray(profile.headerLength)),
            ).toThrow();
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('MemoryReplayCache.decode: a typed error, or a cache that encodes back to the same bytes', async () => {
    const cache = new MemoryReplayCache();
    for (let i = 0; i < 5; i++) await cache.insert(net.epoch - (i % 2), net.random(16));
    const bytes = cache.encode();
    fc.assert(
      fc.property(mutations(bytes), (mutated) => {
        typedOrValue(() => {
          expect(MemoryReplayCache.decode(mutated).encode()).toEqual(mutated);
        });
      }),
      { numRuns: 300 },
    );
  });
});
