/**
 * Onion benchmarks: packet creation (3 and 5 hops) and per-hop processing, per crypto backend,
 * each hop case compared in the same run with the floor of the primitives one hop needs.
 *
 * Which per-hop operations go through the backend: the DH with the node key and the blinding of α
 * (both `backend.dh(...).dh`), the HKDF key derivation, the header HMAC and LIONESS's HMAC
 * (`backend.hash`). ChaCha20 (header stream and LIONESS) always runs in @noble, and for P-256 so
 * does lifting the x-only element to a point.
 *
 * The floor: one DH, one blinding scalar multiplication (a second DH with the blinding factor),
 * one HMAC-SHA256 over the MACed header bytes, and the ChaCha20 stream over β plus one slot.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import {
  createPacket,
  EpochKeyRing,
  type OnionHop,
  OnionRelay,
  type OnionSuite,
  onionProfile,
  type ReplayCache,
} from '@p2pe/onion';
import { ManualClock } from '@p2pe/transport-interfaces';
import { type BenchCase, type BenchSuite, defineSuites } from '../../../bench/harness';

const EPOCH_MS = 3_600_000;
const NOW = 493_000 * EPOCH_MS + 1_000;

/** Lets the same packet be processed again and again (the memory cache would call it a replay). */
const forgetfulCache: ReplayCache = {
  insert: async () => true,
  has: async () => false,
  forgetBefore: async () => {},
};

function setup(suite: OnionSuite, backend: CryptoBackend) {
  const profile = onionProfile({ suite, backend });
  const random = deterministicRandomForTestsOnly(`onion bench ${suite}`);
  const epoch = 493_000;
  const clock = new ManualClock(NOW);
  const rings = Array.from({ length: 5 }, () => new EpochKeyRing(profile.dh, random));
  const path: OnionHop[] = rings.map((ring) => ({
    publicKey: ring.ensure(epoch).publicKey,
    peerId: random(16),
    hint: random(16),
  }));
  const message = random(200);
  const first = createPacket(profile, { path, message, epoch, random }).packet;
  const relay = (i: number) =>
    new OnionRelay({
      profile,
      keys: rings[i]!,
      cache: forgetfulCache,
      clock,
      schedule: { originMs: 0, lengthMs: EPOCH_MS, graceMs: 60_000 },
    });
  return { profile, random, epoch, rings, path, message, first, relay };
}

function floorCase(suite: OnionSuite, backend: CryptoBackend, id: string): BenchCase {
  const profile = onionProfile({ suite, backend });
  const random = deterministicRandomForTestsOnly(`onion floor ${suite}`);
  const dh = profile.dh;
  const node = dh.generateKeyPair(random);
  const alpha = dh.generateKeyPair(random).publicKey; // full encoding: no P-256 lift in the floor
  const blinding = dh.generateKeyPair(random).secretKey;
  const hash = backend.hash('SHA256');
  const macKey = random(32);
  const streamKey = random(32);
  const macInput = random(profile.headerLength - profile.header.macLength);
  const streamLength = profile.header.routingInfoLength + 33 + profile.header.macLength;
  const nonce = new Uint8Array(12);
  const zeros = new Uint8Array(streamLength); // the keystream's input, allocated once as in a hop
  return {
    id,
    unit: 'hops/s',
    fn: () => {
      dh.dh(node.secretKey, alpha);
      // Each packet brings its own blinding factor: a fresh array, as in a real hop (a backend
      // that reuses work per key array, like the node one, gets no reuse here).
      dh.dh(blinding.slice(), alpha);
      hash.hmac(macKey, macInput);
      chacha20(streamKey, nonce, zeros);
    },
  };
}

/**
 * Every primitive call a middle hop makes, nothing else: the floor above plus the HKDF (extract and
 * five one-block expands) and LIONESS over the payload (ChaCha20 for its subkeys and two rounds,
 * HMAC-SHA256 for two). The hop against this shows the cost of our own code; the hop against the
 * floor above is the target, which leaves key derivation and the payload out.
 */
function allPrimitivesCase(suite: OnionSuite, backend: CryptoBackend, id: string): BenchCase {
  const floor = floorCase(suite, backend, id);
  const profile = onionProfile({ suite, backend });
  const random = deterministicRandomForTestsOnly(`onion all primitives ${suite}`);
  const hash = backend.hash('SHA256');
  const shared = random(32);
  const alpha = random(32);
  const labels = Array.from({ length: 5 }, () => random(28));
  const payload = random(profile.payloadLength);
  const key = random(32);
  const nonce = new Uint8Array(12);
  const subkeyZeros = new Uint8Array(128);
  return {
    id,
    unit: 'hops/s',
    fn: () => {
      floor.fn();
      const prk = hash.hkdfExtract(shared, alpha);
      for (const label of labels) hash.hmac(prk, label);
      const right = payload.subarray(32);
      chacha20(key, nonce, subkeyZeros);
      hash.hmac(key, right);
      chacha20(key, nonce, right, right);
      hash.hmac(key, right);
      chacha20(key, nonce, right, right);
    },
  };
}

function suiteFor(suite: OnionSuite, backend: CryptoBackend, create: boolean): BenchSuite {
  const tag = suite === 'X25519' ? '' : `-${suite.toLowerCase()}`;
  const s = setup(suite, backend);
  const floor = `onion/hop-floor${tag}/${backend.name}`;
  const middle = s.relay(1);
  let second: Uint8Array | undefined;
  const hop: BenchCase = {
    id: `onion/hop${tag}/${backend.name}`,
    unit: 'hops/s',
    compare: floor,
    // A middle hop: forward command, blinding, LIONESS over the payload.
    fn: async () => {
      if (second === undefined) {
        const r = await s.relay(0).process(s.first);
        if (r.type !== 'forward') throw new Error('expected forward');
        second = r.packet;
      }
      return middle.process(second);
    },
  };
  const cases: BenchCase[] = [floorCase(suite, backend, floor), hop];
  if (suite === 'X25519') {
    const all = `onion/hop-all-primitives/${backend.name}`;
    cases.push(allPrimitivesCase(suite, backend, all), {
      ...hop,
      id: `${hop.id}/vs-all-primitives`,
      compare: all,
    });
  }
  if (create) {
    for (const hops of [3, 5]) {
      cases.push({
        id: `onion/create-${hops}-hops${tag}/${backend.name}`,
        unit: 'packets/s',
        fn: () =>
          createPacket(s.profile, {
            path: s.path.slice(0, hops),
            message: s.message,
            epoch: s.epoch,
            random: s.random,
          }),
      });
    }
  }
  return { name: `onion ${suite} (${backend.name})`, cases };
}

export default defineSuites(
  suiteFor('X25519', nobleBackend, true),
  suiteFor('X25519', nodeBackend, true),
  suiteFor('X448', nodeBackend, false),
  suiteFor('P-256', nodeBackend, false),
  suiteFor('P-256', nobleBackend, false),
);
