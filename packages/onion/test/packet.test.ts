import { nobleBackend } from '@p2pe/crypto';
import { P2peError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_LENGTH,
  createPacket,
  HEADER_MAC_LENGTH,
  ONION_SUITES,
  type OnionHop,
  onionProfile,
  peelHeader,
} from '../src/index';
import { makeNet, route } from './helpers';

const profile = onionProfile();
const net = makeNet(profile, 8, 'onion packet properties');

/** A path of distinct nodes chosen by index. */
const pathArb = fc.uniqueArray(fc.integer({ min: 0, max: net.nodes.length - 1 }), {
  minLength: 1,
  maxLength: profile.maxHops,
});

function pathOf(indices: number[]): OnionHop[] {
  return indices.map((i) => net.nodes[i]!.hop);
}

describe('sizes', () => {
  it('the default X25519 profile has a 296-byte header for 5 hops (target: at most 300)', () => {
    expect(profile.maxHops).toBe(5);
    expect(profile.headerLength).toBe(1 + 2 + 32 + 5 * (33 + 16) + 16);
    expect(profile.headerLength).toBeLessThanOrEqual(300);
    expect(profile.packetLength).toBe(profile.headerLength + 1024);
  });

  it('header sizes per suite follow the formula', () => {
    const sizes = ONION_SUITES.map((suite) => onionProfile({ suite }).headerLength);
    expect(sizes).toEqual([296, 320, 296]);
  });

  it('the README size table: SURB = 1 + 32 + header + 32, messages B − 35 and B − 35 − SURB', () => {
    const rows = ONION_SUITES.map((suite) => {
      const p = onionProfile({ suite });
      expect(p.surbLength).toBe(1 + 32 + p.headerLength + 32);
      expect(p.maxMessageLength).toBe(p.payloadLength - 35);
      expect(p.maxMessageLengthWithSurb).toBe(p.payloadLength - 35 - p.surbLength);
      return [p.packetLength, p.surbLength, p.maxMessageLength, p.maxMessageLengthWithSurb];
    });
    expect(rows).toEqual([
      [1320, 361, 989, 628],
      [1344, 385, 989, 604],
      [1320, 361, 989, 628],
    ]);
  });
});

describe('delivery (property)', () => {
  it('for any path of 1..5 hops and any message up to the limit, the recipient gets it exactly; every hop sees the same packet size and only its next hop', async () => {
    await fc.assert(
      fc.asyncProperty(
        pathArb,
        fc.uint8Array({ maxLength: profile.maxMessageLength }),
        async (indices, message) => {
          const path = pathOf(indices);
          const { packet, firstHop } = createPacket(profile, {
            path,
            message,
            epoch: net.epoch,
            random: net.random,
          });
          expect(firstHop.peerId).toEqual(path[0]!.peerId);
          const { results, packets, nodes } = await route(net, firstHop.peerId, packet);
          expect(nodes.map((n) => n.hop)).toEqual(path);
          for (const p of packets) expect(p.length).toBe(profile.packetLength);
          results.slice(0, -1).forEach((r, i) => {
            expect(Object.keys(r).sort()).toEqual(['nextHop', 'packet', 'type']);
            if (r.type !== 'forward') throw new Error('expected forward');
            expect(r.nextHop).toEqual({ peerId: path[i + 1]!.peerId, hint: path[i + 1]!.hint });
          });
          const last = results.at(-1)!;
          expect(last).toEqual({ type: 'deliver', message });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('the longest message fits, one byte more is refused', () => {
    const path = pathOf([0]);
    const ok = new Uint8Array(profile.maxMessageLength);
    expect(() => createPacket(profile, { path, message: ok, epoch: net.epoch })).not.toThrow();
    const tooLong = new Uint8Array(profile.maxMessageLength + 1);
    expect(() => createPacket(profile, { path, message: tooLong, epoch: net.epoch })).toThrow(
      expect.objectContaining({ code: 'ONION_MESSAGE_TOO_LONG' }),
    );
  });

  it('a path longer than maxHops, or empty, is refused', () => {
    const message = new Uint8Array(1);
    for (const indices of [[], [0, 1, 2, 3, 4, 5]]) {
      expect(() =>
        createPacket(profile, { path: pathOf(indices), message, epoch: net.epoch }),
      ).toThrow(expect.objectContaining({ code: 'ONION_PATH_LENGTH' }));
    }
  });

  it('mailbox delivery reaches the last hop with the mailbox id', async () => {
    const mailboxId = net.random(32);
    const message = Uint8Array.of(1, 2, 3);
    const { packet, firstHop } = createPacket(profile, {
      path: pathOf([3, 4, 5]),
      message,
      destination: { type: 'mailbox', mailboxId },
      epoch: net.epoch,
    });
    const { results } = await route(net, firstHop.peerId, packet);
    expect(results.at(-1)).toEqual({ type: 'mailbox', mailboxId, message });
  });
});

describe('tampering (property)', () => {
  it('a single flipped bit anywhere is caught: in the header by the first hop, in the payload at the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        pathArb,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (indices, at, bit) => {
          const path = pathOf(indices);
          const { packet, firstHop } = createPacket(profile, {
            path,
            message: Uint8Array.of(7, 7, 7),
            epoch: net.epoch,
            random: net.random,
          });
          const index = at % packet.length;
          packet[index]! ^= 1 << bit;
          const first = net.byPeerId(firstHop.peerId);
          const before = first.cache.size;
          if (index < profile.headerLength) {
            const err = await first.relay.process(packet).catch((e: unknown) => e);
            expect(P2peError.is(err)).toBe(true);
            expect([
              'ONION_PACKET_VERSION',
              'ONION_EPOCH_EXPIRED',
              'ONION_EPOCH_UNKNOWN',
              'ONION_INVALID_ELEMENT',
              'ONION_HEADER_MAC_INVALID',
            ]).toContain((err as P2peError).code);
            expect(first.cache.size).toBe(before);
          } else {
            const err = await route(net, firstHop.peerId, packet).catch((e: unknown) => e);
            expect(P2peError.is(err, 'ONION_PAYLOAD_TAMPERED')).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('replay (property)', () => {
  it('for any path, replaying the packet a hop already processed is refused at that hop, with no state change', async () => {
    await fc.assert(
      fc.asyncProperty(pathArb, async (indices) => {
        const path = pathOf(indices);
        const { packet, firstHop } = createPacket(profile, {
          path,
          message: Uint8Array.of(1),
          epoch: net.epoch,
          random: net.random,
        });
        const { packets, nodes } = await route(net, firstHop.peerId, packet);
        for (let i = 0; i < nodes.length; i++) {
          const before = nodes[i]!.cache.encode();
          await expect(nodes[i]!.relay.process(packets[i]!)).rejects.toMatchObject({
            code: 'ONION_REPLAYED',
          });
          expect(nodes[i]!.cache.encode()).toEqual(before);
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe.each(['X448', 'P-256'] as const)('suite %s', (suite) => {
  it('a 3-hop packet arrives, and the header keeps its size at every hop', async () => {
    const p = onionProfile({ suite, backend: nobleBackend });
    const n = makeNet(p, 3, `suite ${suite}`);
    const message = n.random(100);
    const { packet, firstHop } = createPacket(p, {
      path: n.nodes.map((x) => x.hop),
      message,
      epoch: n.epoch,
      random: n.random,
    });
    const { results, packets } = await route(n, firstHop.peerId, packet);
    expect(results.at(-1)).toEqual({ type: 'deliver', message });
    for (const q of packets) expect(q.length).toBe(p.packetLength);
  });
});

describe('path length (Kuhn, Beck, Strufe: zero padding leaks it to the last hop)', () => {
  it('for every path length, the last hop finds pseudorandom bytes after its command and MAC', async () => {
    const L = profile.header.routingInfoLength;
    const start = profile.header.prefixLength + profile.header.group.elementLength;
    for (let hops = 1; hops <= profile.maxHops; hops++) {
      const path = pathOf(Array.from({ length: hops }, (_, i) => i));
      const { packet, firstHop } = createPacket(profile, {
        path,
        message: Uint8Array.of(1),
        epoch: net.epoch,
        random: net.random,
      });
      const { packets, nodes } = await route(net, firstHop.peerId, packet);
      const header = packets.at(-1)!.subarray(0, profile.headerLength);
      const secret = nodes.at(-1)!.keys.keyPair(net.epoch)!.secretKey;
      const { keys } = peelHeader(profile.header, secret, header, new Uint8Array(0), () => false);
      const stream = profile.header.stream(keys.streamKey, L);
      const routing = header.slice(start, start + L).map((b, i) => b ^ stream[i]!);
      const tail = routing.subarray(COMMAND_LENGTH + HEADER_MAC_LENGTH);
      expect(tail.length).toBe(L - COMMAND_LENGTH - HEADER_MAC_LENGTH);
      // Uniform bytes hold about tail.length / 256 zeros; zero padding would hold dozens.
      expect(tail.filter((b) => b === 0).length).toBeLessThan(8);
    }
  });
});

describe('peelHeader output array', () => {
  const setup = () => {
    const path = pathOf([0, 1]);
    const { packet } = createPacket(profile, {
      path,
      message: Uint8Array.of(7),
      epoch: net.epoch,
      random: net.random,
    });
    const header = packet.subarray(0, profile.headerLength);
    const secret = net.nodes[0]!.keys.keyPair(net.epoch)!.secretKey;
    return { header, secret };
  };

  it('writes the same next header into a given array as into a new one', () => {
    const { header, secret } = setup();
    const fresh = peelHeader(profile.header, secret, header, new Uint8Array(0), () => true);
    const target = new Uint8Array(profile.packetLength).fill(0xee);
    const into = target.subarray(0, profile.headerLength);
    const written = peelHeader(profile.header, secret, header, new Uint8Array(0), () => true, into);
    expect(written.nextHeader).toBe(into);
    expect(into).toEqual(fresh.nextHeader);
    // Nothing outside the header's bytes is touched.
    expect(target.subarray(profile.headerLength).every((b) => b === 0xee)).toBe(true);
  });

  it('refuses an output array of another length, before any work', () => {
    const { header, secret } = setup();
    const short = new Uint8Array(profile.headerLength - 1);
    try {
      peelHeader(profile.header, secret, header, new Uint8Array(0), () => true, short);
      expect.unreachable();
    } catch (err) {
      expect(P2peError.is(err) && err.code).toBe('ONION_OUTPUT_LENGTH');
    }
    expect(short.every((b) => b === 0)).toBe(true);
  });
});
