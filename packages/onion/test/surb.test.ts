import { P2peError } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPacket,
  createReplyPacket,
  createSurb,
  decodePayload,
  decodeSurb,
  decodeSurbSecret,
  encodeSurbSecret,
  type OnionHop,
  onionProfile,
  openReply,
} from '../src/index';
import { makeNet, route } from './helpers';

const profile = onionProfile();
const net = makeNet(profile, 8, 'onion surb properties');
const pathOf = (indices: number[]): OnionHop[] => indices.map((i) => net.nodes[i]!.hop);

describe('single-use reply blocks (property)', () => {
  it('a reply through a SURB arrives at its creator, and only the creator can read it', async () => {
    await fc.assert(
      fc.asyncProperty(
        // forward path ends at the recipient (node 7); reply path ends at the creator (node 0)
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: profile.maxHops - 1 }),
        fc.uint8Array({ maxLength: profile.maxMessageLengthWithSurb }),
        fc.uint8Array({ maxLength: profile.maxMessageLength }),
        async (fwd, back, message, answer) => {
          const { surb, secret } = createSurb(profile, {
            path: pathOf([...back, 0]),
            epoch: net.epoch,
            random: net.random,
          });
          expect(surb.length).toBe(profile.surbLength);
          const sent = createPacket(profile, {
            path: pathOf([...fwd, 7]),
            message,
            surb,
            epoch: net.epoch,
            random: net.random,
          });
          const there = await route(net, sent.firstHop.peerId, sent.packet);
          const delivered = there.results.at(-1)!;
          expect(delivered).toEqual({ type: 'deliver', message, surb });
          if (delivered.type !== 'deliver' || delivered.surb === undefined) throw new Error();

          const reply = createReplyPacket(profile, delivered.surb, answer);
          expect(reply.packet.length).toBe(profile.packetLength);
          const back2 = await route(net, reply.firstHop.peerId, reply.packet);
          expect(back2.nodes.at(-1)).toBe(net.nodes[0]);
          const got = back2.results.at(-1)!;
          if (got.type !== 'reply') throw new Error('expected a reply');
          expect(got.surbId).toEqual(secret.surbId);
          expect(openReply(profile, secret, got.payload)).toEqual(answer);

          // Anyone else (a different SURB's secret) cannot read it.
          const other = createSurb(profile, {
            path: pathOf([...back, 0]),
            epoch: net.epoch,
            random: net.random,
          });
          expect(() => openReply(profile, other.secret, got.payload)).toThrow(
            expect.objectContaining({ code: 'ONION_PAYLOAD_TAMPERED' }),
          );
        },
      ),
      { numRuns: 8 },
    );
  });

  it('a SURB used twice: the second reply is refused as a replay at the first hop', async () => {
    const { surb } = createSurb(profile, { path: pathOf([1, 0]), epoch: net.epoch });
    const a = createReplyPacket(profile, surb, Uint8Array.of(1));
    await route(net, a.firstHop.peerId, a.packet);
    const b = createReplyPacket(profile, surb, Uint8Array.of(2));
    const err = await route(net, b.firstHop.peerId, b.packet).catch((e: unknown) => e);
    expect(P2peError.is(err, 'ONION_REPLAYED')).toBe(true);
  });

  it('a reply modified in transit is detected by the creator', async () => {
    const { surb, secret } = createSurb(profile, { path: pathOf([2, 0]), epoch: net.epoch });
    const reply = createReplyPacket(profile, surb, Uint8Array.of(9, 9));
    reply.packet[profile.headerLength + 100]! ^= 0x40;
    const { results } = await route(net, reply.firstHop.peerId, reply.packet);
    const got = results.at(-1)!;
    if (got.type !== 'reply') throw new Error('expected a reply');
    expect(() => openReply(profile, secret, got.payload)).toThrow(
      expect.objectContaining({ code: 'ONION_PAYLOAD_TAMPERED' }),
    );
  });

  it('a SURB secret survives encoding', () => {
    const { secret } = createSurb(profile, { path: pathOf([3, 4, 0]), epoch: net.epoch });
    const bytes = encodeSurbSecret(secret);
    expect(decodeSurbSecret(bytes)).toEqual(secret);
    for (const bad of [
      bytes.subarray(0, bytes.length - 1),
      new Uint8Array(0),
      Uint8Array.of(9, ...bytes.subarray(1)),
    ]) {
      expect(() => decodeSurbSecret(bad)).toThrow(
        expect.objectContaining({ code: 'ONION_SURB_SECRET_MALFORMED' }),
      );
    }
  });

  it('a SURB of the wrong size or version is refused before use', () => {
    const { surb } = createSurb(profile, { path: pathOf([0]), epoch: net.epoch });
    expect(() => decodeSurb(profile, surb.subarray(1))).toThrow(
      expect.objectContaining({ code: 'ONION_SURB_SIZE' }),
    );
    const wrongVersion = surb.slice();
    wrongVersion[0] = 2;
    expect(() => createReplyPacket(profile, wrongVersion, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'ONION_SURB_VERSION' }),
    );
  });
});

describe('reply blocks that do not fit', () => {
  it('a profile whose payload cannot hold a SURB refuses to embed one with a LimitError', () => {
    const small = onionProfile({ payloadLength: 64 });
    expect(small.maxMessageLengthWithSurb).toBe(-1);
    const n = makeNet(small, 1, 'surb does not fit');
    const path = [n.nodes[0]!.hop];
    const { surb } = createSurb(small, { path, epoch: n.epoch });
    for (const message of [new Uint8Array(0), Uint8Array.of(1)]) {
      expect(() => createPacket(small, { path, message, surb, epoch: n.epoch })).toThrow(
        expect.objectContaining({ code: 'ONION_MESSAGE_TOO_LONG' }),
      );
    }
  });

  it('with a SURB, the longest message fits exactly and one byte more is refused', () => {
    const path = pathOf([0]);
    const { surb } = createSurb(profile, { path, epoch: net.epoch });
    const fits = new Uint8Array(profile.maxMessageLengthWithSurb);
    expect(() =>
      createPacket(profile, { path, message: fits, surb, epoch: net.epoch }),
    ).not.toThrow();
    const over = new Uint8Array(profile.maxMessageLengthWithSurb + 1);
    expect(() => createPacket(profile, { path, message: over, surb, epoch: net.epoch })).toThrow(
      expect.objectContaining({ code: 'ONION_MESSAGE_TOO_LONG' }),
    );
  });
});

describe('SURB secrets', () => {
  it('encoding refuses a secret with no hop keys or more than the hop limit (no silent wrap)', () => {
    const { secret } = createSurb(profile, { path: pathOf([3, 0]), epoch: net.epoch });
    for (const payloadKeys of [[], Array.from({ length: 256 }, () => secret.payloadKeys[0]!)]) {
      expect(() => encodeSurbSecret({ ...secret, payloadKeys })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('payload framing at the edge of the payload', () => {
  it('a SURB flag with no room left for the length field is malformed, not an empty message', () => {
    const edge = onionProfile({ payloadLength: 32 + 1 + profile.surbLength });
    const plain = new Uint8Array(edge.payloadLength);
    plain[32] = 1; // flags: a SURB follows, filling the payload; the length field is missing
    expect(() => decodePayload(edge, plain)).toThrow(
      expect.objectContaining({ code: 'ONION_PAYLOAD_MALFORMED' }),
    );
    const short = onionProfile({ payloadLength: 64 });
    const flagged = new Uint8Array(short.payloadLength);
    flagged[32] = 1; // a SURB cannot fit at all
    expect(() => decodePayload(short, flagged)).toThrow(
      expect.objectContaining({ code: 'ONION_PAYLOAD_MALFORMED' }),
    );
  });
});
