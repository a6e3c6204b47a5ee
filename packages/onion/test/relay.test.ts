import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createPacket,
  EpochKeyRing,
  epochAt,
  MemoryReplayCache,
  OnionRelay,
  onionProfile,
} from '../src/index';
import { makeNet, route, schedule } from './helpers';

const profile = onionProfile();

describe('epochs', () => {
  it('a packet made for the previous epoch is accepted during the grace, then refused as expired', async () => {
    const net = makeNet(profile, 2, 'epoch grace');
    const path = net.nodes.map((n) => n.hop);
    const make = () =>
      createPacket(profile, {
        path,
        message: Uint8Array.of(1),
        epoch: net.epoch,
        random: net.random,
      });
    const start = (net.epoch + 1) * schedule.lengthMs;
    net.clock.advance(start - net.clock.now() + 1_000); // 1 s into the next epoch
    for (const n of net.nodes) n.keys.ensure(net.epoch + 1);
    const inGrace = make();
    await expect(route(net, inGrace.firstHop.peerId, inGrace.packet)).resolves.toBeDefined();
    net.clock.advance(schedule.graceMs);
    const late = make();
    await expect(net.nodes[0]!.relay.process(late.packet)).rejects.toMatchObject({
      code: 'ONION_EPOCH_EXPIRED',
    });
  });

  it('a sender whose clock runs ahead by less than the grace builds for the next epoch and is accepted', async () => {
    const net = makeNet(profile, 2, 'epoch ahead');
    // Relays publish the next epoch's key before it starts; the sender builds with those keys.
    const path = net.nodes.map((n) => ({
      ...n.hop,
      publicKey: n.keys.ensure(net.epoch + 1).publicKey,
    }));
    const make = () =>
      createPacket(profile, {
        path,
        message: Uint8Array.of(2),
        epoch: net.epoch + 1,
        random: net.random,
      });
    for (const n of net.nodes) n.keys.ensure(net.epoch + 1);
    const nextStart = (net.epoch + 1) * schedule.lengthMs;
    // More than the grace before the boundary: not yet valid.
    net.clock.advance(nextStart - net.clock.now() - schedule.graceMs - 1);
    await expect(net.nodes[0]!.relay.process(make().packet)).rejects.toMatchObject({
      code: 'ONION_EPOCH_UNKNOWN',
    });
    // Within the grace before the boundary: accepted, and the replay cache holds it.
    net.clock.advance(2);
    const early = make();
    await expect(route(net, early.firstHop.peerId, early.packet)).resolves.toBeDefined();
    await expect(net.nodes[0]!.relay.process(early.packet)).rejects.toMatchObject({
      code: 'ONION_REPLAYED',
    });
  });

  it('a packet for a future epoch is refused as unknown, one for an epoch without a key as missing', async () => {
    const net = makeNet(profile, 1, 'epoch future');
    const path = [net.nodes[0]!.hop];
    const future = createPacket(profile, {
      path,
      message: new Uint8Array(0),
      epoch: net.epoch + 1,
    });
    await expect(net.nodes[0]!.relay.process(future.packet)).rejects.toMatchObject({
      code: 'ONION_EPOCH_UNKNOWN',
    });
    net.nodes[0]!.keys.forgetBefore(net.epoch + 1);
    const now = createPacket(profile, { path, message: new Uint8Array(0), epoch: net.epoch });
    await expect(net.nodes[0]!.relay.process(now.packet)).rejects.toMatchObject({
      code: 'ONION_EPOCH_KEY_MISSING',
    });
  });

  it('epochAt follows the schedule and rejects a bad one', () => {
    expect(epochAt(schedule, 0)).toBe(0);
    expect(epochAt(schedule, schedule.lengthMs * 3 + 5)).toBe(3);
    expect(() => epochAt({ originMs: 0, lengthMs: 0, graceMs: 0 }, 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('forgetting an epoch wipes its secret key', () => {
    const ring = new EpochKeyRing(profile.dh);
    const pair = ring.ensure(4);
    ring.forgetBefore(5);
    expect(ring.keyPair(4)).toBeUndefined();
    expect(pair.secretKey.every((b) => b === 0)).toBe(true);
  });
});

describe('replay cache', () => {
  it('a failed packet leaves the cache byte-identical; a good one adds exactly its tag', async () => {
    const net = makeNet(profile, 2, 'cache state');
    const node = net.nodes[0]!;
    const { packet } = createPacket(profile, {
      path: net.nodes.map((n) => n.hop),
      message: Uint8Array.of(5),
      epoch: net.epoch,
    });
    const before = node.cache.encode();
    const bad = packet.slice();
    bad[profile.headerLength - 1]! ^= 1;
    await expect(node.relay.process(bad)).rejects.toMatchObject({
      code: 'ONION_HEADER_MAC_INVALID',
    });
    expect(node.cache.encode()).toEqual(before);
    await node.relay.process(packet);
    expect(node.cache.size).toBe(1);
  });

  it('the cache survives encoding, so a replay after a restart is still refused', async () => {
    const net = makeNet(profile, 1, 'cache restart');
    const node = net.nodes[0]!;
    const { packet } = createPacket(profile, {
      path: [node.hop],
      message: Uint8Array.of(5),
      epoch: net.epoch,
    });
    await node.relay.process(packet);
    const restored = MemoryReplayCache.decode(node.cache.encode());
    expect(restored.encode()).toEqual(node.cache.encode());
    const relay = new OnionRelay({
      profile,
      keys: node.keys,
      cache: restored,
      clock: net.clock,
      schedule,
    });
    await expect(relay.process(packet)).rejects.toMatchObject({ code: 'ONION_REPLAYED' });
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(2, 0, 0, 0, 0),
      node.cache.encode().subarray(0, 20),
    ]) {
      expect(() => MemoryReplayCache.decode(bad)).toThrow(
        expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
      );
    }
  });

  it('a full cache refuses new tags with a LimitError instead of growing', async () => {
    const cache = new MemoryReplayCache({ maxTagsPerEpoch: 2 });
    expect(await cache.insert(1, new Uint8Array(16).fill(1))).toBe(true);
    expect(await cache.insert(1, new Uint8Array(16).fill(2))).toBe(true);
    expect(await cache.insert(1, new Uint8Array(16).fill(1))).toBe(false);
    await expect(cache.insert(1, new Uint8Array(16).fill(3))).rejects.toMatchObject({
      code: 'ONION_REPLAY_CACHE_FULL',
    });
    await cache.forgetBefore(2);
    expect(cache.size).toBe(0);
  });
});

describe('debug output', () => {
  it('a key ring prints its epochs, never key bytes', () => {
    const ring = new EpochKeyRing(profile.dh);
    const pair = ring.ensure(7);
    const hex = Buffer.from(pair.secretKey).toString('hex');
    for (const text of [String(ring), JSON.stringify({ ring }), inspect(ring)]) {
      expect(text).toContain('7');
      expect(text).not.toContain(hex);
    }
  });
});

/** version[1] || epochs[4] || per epoch (epoch[4] || count[4] || tags[16·count]). */
function replayState(epochs: readonly [number, readonly Uint8Array[]][]): Uint8Array {
  const parts: number[] = [1, 0, 0, 0, epochs.length];
  for (const [epoch, tags] of epochs) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, epoch);
    new DataView(head.buffer).setUint32(4, tags.length);
    parts.push(...head);
    for (const tag of tags) parts.push(...tag);
  }
  return Uint8Array.from(parts);
}
const tag = (b: number) => new Uint8Array(16).fill(b);

describe('saved replay cache state (hostile or corrupt)', () => {
  it('an epoch listed twice is malformed state, not a full cache (and not merged)', () => {
    const bytes = replayState([
      [7, [tag(1), tag(2)]],
      [7, [tag(3), tag(4)]],
    ]);
    expect(() => MemoryReplayCache.decode(bytes, { maxTagsPerEpoch: 2 })).toThrow(
      expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
    );
    expect(() => MemoryReplayCache.decode(bytes)).toThrow(
      expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
    );
  });

  it('epochs out of order or a tag listed twice: malformed (only the canonical encoding is read)', () => {
    for (const bytes of [
      replayState([
        [8, [tag(1)]],
        [7, [tag(2)]],
      ]),
      replayState([[7, [tag(1), tag(1)]]]),
      replayState([[7, [tag(2), tag(1)]]]),
    ]) {
      expect(() => MemoryReplayCache.decode(bytes)).toThrow(
        expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
      );
    }
  });

  it('state holding more epochs than a cache may hold is refused before its tags are read', () => {
    const many = Array.from({ length: 9 }, (_, i) => [i, [tag(i + 1)]] as [number, Uint8Array[]]);
    expect(() => MemoryReplayCache.decode(replayState(many))).toThrow(
      expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
    );
    const oversized = new Uint8Array(5 + 8 * (8 + 16 * 2) + 1);
    oversized[0] = 1;
    expect(() => MemoryReplayCache.decode(oversized, { maxTagsPerEpoch: 2 })).toThrow(
      expect.objectContaining({ code: 'ONION_REPLAY_STATE_MALFORMED' }),
    );
  });

  it('a cache refuses a ninth epoch instead of growing into state it could not read back', async () => {
    const cache = new MemoryReplayCache();
    for (let e = 0; e < 8; e++) expect(await cache.insert(e, tag(1))).toBe(true);
    await expect(cache.insert(8, tag(1))).rejects.toMatchObject({
      code: 'ONION_REPLAY_CACHE_FULL',
    });
    expect(MemoryReplayCache.decode(cache.encode()).encode()).toEqual(cache.encode());
  });

  it('an epoch beyond the 32-bit state field is refused at insert (a restart would file its tags under another epoch)', async () => {
    const cache = new MemoryReplayCache();
    for (const epoch of [2 ** 32 + 5, -1, 1.5, Number.NaN]) {
      await expect(cache.insert(epoch, tag(1))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(cache.size).toBe(0);
  });

  it('a decoded cache holds exactly the saved tags', async () => {
    const cache = MemoryReplayCache.decode(
      replayState([
        [3, [tag(1), tag(2)]],
        [4, [tag(1)]],
      ]),
    );
    expect(await cache.has(3, tag(2))).toBe(true);
    expect(await cache.has(4, tag(2))).toBe(false);
    expect(cache.size).toBe(3);
  });
});
