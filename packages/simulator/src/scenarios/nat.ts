import { endpoint, endpointIp, endpointPort } from '../address';
import { NAT_TYPES } from '../nat';
import type { Datagram } from '../network';
import type { SimPeer } from '../peer';
import type { Scenario } from '../scenario';

/** Tries between hole-punch packets, and how many. */
const PUNCH_INTERVAL_MS = 100;
const PUNCH_TRIES = 5;
/** Wait for an answer before moving on to the next method. */
const STEP_TIMEOUT_MS = 1_000;

/** An endpoint on the wire: IPv4 (4 bytes) and port (2 bytes). */
function encodeEndpoint(e: number): Uint8Array {
  const out = new Uint8Array(6);
  const v = new DataView(out.buffer);
  v.setUint32(0, endpointIp(e));
  v.setUint16(4, endpointPort(e));
  return out;
}

function decodeEndpoint(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return endpoint(v.getUint32(0), v.getUint16(4));
}

/**
 * nat: peer 0 is an open rendezvous and relay server; the others are spread evenly over the five
 * NAT types. Each registers with the server (which learns its public endpoint), then tries to
 * reach one random peer: first directly at the peer's own address, then by hole punching (the
 * server tells both sides each other's public endpoint and both send at once), and last through
 * the server as a relay. Results are counted per pair of NAT types and per method.
 */
export const natScenario: Scenario = {
  name: 'nat',
  description: 'direct connection, hole punching and relaying across the five NAT types',
  minPeers: 3,
  setup(sim, ctx) {
    const m = sim.metrics;
    const rng = sim.random;
    const server = sim.addPeer({ nat: 'open' });
    const peers: SimPeer[] = [];
    for (let i = 1; i < ctx.peers; i++)
      peers.push(sim.addPeer({ nat: NAT_TYPES[(i - 1) % NAT_TYPES.length]! }));
    const registered = new Map<number, number>(); // peer id -> public endpoint seen by the server

    // Server: register, introduce (for punching), relay.
    server.handle('nat/register', (msg) => registered.set(readId(msg.payload), msg.source));
    server.handle('nat/introduce', (msg) => {
      const ea = registered.get(readId(msg.payload));
      const eb = registered.get(readId(msg.payload.subarray(4)));
      if (ea === undefined || eb === undefined) return;
      const initiator = msg.payload.subarray(0, 4);
      server.send(ea, 'nat/punch-to', concat(encodeEndpoint(eb), initiator));
      server.send(eb, 'nat/punch-to', concat(encodeEndpoint(ea), initiator));
    });
    server.handle('nat/relay', (msg) => {
      // (to, tag): forward the tag to `to` at the endpoint it registered from.
      const target = registered.get(readId(msg.payload));
      if (target !== undefined) server.send(target, 'nat/relayed', msg.payload.subarray(4));
    });

    const record = (pair: string, how: string): void => {
      m.count(`nat.${how}`);
      m.count(`${pair}.${how}`);
    };

    for (const peer of peers) {
      // Who answered which attempt: `${answerer}:${initiator}:${method}` (0 direct, 1 punch,
      // 2 relay), so one peer's attempt is never credited with another's success.
      const reached = new Set<string>();
      const hello = (initiator: number, method: number): Uint8Array =>
        tagged(peer.id, initiator, method);
      // A hello that got in means the path is open both ways: the answer goes to its source.
      peer.handle('nat/hello', (msg: Datagram) => {
        const t = readTag(msg.payload);
        reached.add(`${t.from}:${t.initiator}:${t.method}`);
        peer.send(msg.source, 'nat/hello-ack', hello(t.initiator, t.method));
      });
      peer.handle('nat/hello-ack', (msg: Datagram) => {
        const t = readTag(msg.payload);
        reached.add(`${t.from}:${t.initiator}:${t.method}`);
      });
      peer.handle('nat/punch-to', (msg: Datagram) => {
        const to = decodeEndpoint(msg.payload);
        const initiator = readId(msg.payload.subarray(6));
        for (let i = 0; i < PUNCH_TRIES; i++) {
          peer.clock.setTimeout(
            () => peer.send(to, 'nat/hello', hello(initiator, 1)),
            i * PUNCH_INTERVAL_MS,
          );
        }
      });
      peer.handle('nat/relayed', (msg: Datagram) => {
        // (from, initiator, method): answer a relayed hello through the relay.
        const t = readTag(msg.payload);
        if (t.from === t.initiator)
          peer.send(server, 'nat/relay', concat(idBytes(t.from), hello(t.initiator, 2)));
        else reached.add(`${t.from}:${t.initiator}:${t.method}`);
      });

      // Register (opens the NAT towards the server), then try one random peer.
      peer.clock.setTimeout(
        () => peer.send(server, 'nat/register', idBytes(peer.id)),
        rng.float() * 500,
      );
      const target = peers[rng.int(peers.length)]!;
      if (target === peer) continue;
      const pair = `nat.${peer.nat.type}->${target.nat.type}`;
      const answered = (method: number): boolean =>
        reached.has(`${target.id}:${peer.id}:${method}`);
      const start = 1_000 + rng.float() * 1_000;
      peer.clock.setTimeout(() => {
        peer.send(target, 'nat/hello', hello(peer.id, 0));
        peer.clock.setTimeout(() => {
          if (answered(0)) return record(pair, 'direct');
          peer.send(server, 'nat/introduce', concat(idBytes(peer.id), idBytes(target.id)));
          peer.clock.setTimeout(() => {
            if (answered(1)) return record(pair, 'punched');
            peer.send(server, 'nat/relay', concat(idBytes(target.id), hello(peer.id, 2)));
            peer.clock.setTimeout(
              () => record(pair, answered(2) ? 'relayed' : 'failed'),
              STEP_TIMEOUT_MS,
            );
          }, STEP_TIMEOUT_MS);
        }, STEP_TIMEOUT_MS);
      }, start);
    }
    return {
      until: 7_000,
      finish: () => {
        const out: Record<string, number> = {};
        for (const how of ['direct', 'punched', 'relayed', 'failed'])
          out[how] = m.counters.get(`nat.${how}`) ?? 0;
        return out;
      },
    };
  },
};

function idBytes(id: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, id);
  return out;
}

/** A tag on hellos and their answers: sender, the peer whose attempt it belongs to, method. */
function tagged(from: number, initiator: number, method: number): Uint8Array {
  const out = new Uint8Array(9);
  const v = new DataView(out.buffer);
  v.setUint32(0, from);
  v.setUint32(4, initiator);
  v.setUint8(8, method);
  return out;
}

function readTag(b: Uint8Array): { from: number; initiator: number; method: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { from: v.getUint32(0), initiator: v.getUint32(4), method: v.getUint8(8) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function readId(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
}
