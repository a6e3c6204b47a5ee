/**
 * Ratchet hot paths on both crypto backends, each compared in the same run with the floor of the
 * primitives it needs on that backend and with two peer implementations doing the same work:
 *
 * - one-way: A encrypts a 100-byte message, B decrypts it (no DH step). Floor: KDF_CK (2 HMAC)
 *   and the AEAD, on each side.
 * - ping-pong: A→B then B→A; every message makes a DH ratchet step. Floor per message: the
 *   one-way floor plus a key generation and two DH (sender and receiver) and two KDF_RK (HKDF).
 * - handshake: Noise IK (both sides) seeding both ratchets. Floor: 4 key generations and 9 DH.
 *
 * Peer rows (libsignal-protocol-typescript, libsignal-client) are skipped with a note when
 * bench/thirdparty is not installed.
 */
import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { utf8 } from '@p2pe/transport-interfaces';
import { type BenchCase, type BenchSuite, defineSuites } from '../../../bench/harness';
import { HandshakeState } from '../src/noise/index';
import type { DoubleRatchet } from '../src/ratchet';
import { seedInitiator, seedResponder } from '../src/seed';
import { ratchetSuite } from '../src/suite';
import { libsignalClient, libsignalTypescript, type PeerWorkloads } from './peers';

const msg100 = deterministicRandomForTestsOnly('p2pe/ratchet/bench')(100);
const PROTOCOL = 'Noise_IK_25519_ChaChaPoly_SHA256';
const parties = { initiator: utf8('alice-peer-id'), responder: utf8('bob-peer-id') };

/** One Noise IK handshake and both ratchets seeded from it. */
function handshake(backend: CryptoBackend): { alice: DoubleRatchet; bob: DoubleRatchet } {
  const suite = ratchetSuite(backend);
  const dh = suite.dh;
  return handshakeWith(backend, dh.generateKeyPair(), dh.generateKeyPair());
}

function handshakeWith(
  backend: CryptoBackend,
  aliceStatic: { publicKey: Uint8Array; secretKey: Uint8Array },
  bobStatic: { publicKey: Uint8Array; secretKey: Uint8Array },
): { alice: DoubleRatchet; bob: DoubleRatchet } {
  const suite = ratchetSuite(backend);
  const i = new HandshakeState({
    protocol: PROTOCOL,
    initiator: true,
    backend,
    localStatic: aliceStatic,
    remoteStatic: bobStatic.publicKey,
  });
  const r = new HandshakeState({
    protocol: PROTOCOL,
    initiator: false,
    backend,
    localStatic: bobStatic,
  });
  r.readMessage(i.writeMessage());
  const ratchetKeyPair = suite.dh.generateKeyPair();
  const responderRatchetKey = i.readMessage(r.writeMessage(ratchetKeyPair.publicKey));
  const alice = seedInitiator(suite, { handshake: i.split(), parties, responderRatchetKey });
  const bob = seedResponder(suite, { handshake: r.split(), parties, ratchetKeyPair });
  return { alice, bob };
}

function casesFor(backend: CryptoBackend): BenchCase[] {
  const b = backend.name;
  const suite = ratchetSuite(backend);
  const { aead, hash, dh } = suite;
  const key = msg100.subarray(0, 32);
  const nonce = new Uint8Array(aead.nonceLength);
  // A message's AD: H(session AD) || version || header (32-byte key, two small counters).
  const ad = new Uint8Array(hash.outputLength + 1 + 2 + dh.publicKeyLength + 4);
  const sealed = aead.encrypt(key, nonce, msg100, ad);
  const label = utf8('p2pe/ratchet/v1/message-key');
  const kpA = dh.generateKeyPair();
  const kpB = dh.generateKeyPair();

  const floorOneWay = (): void => {
    hash.hmac(key, label);
    hash.hmac(key, label);
    aead.encrypt(key, nonce, msg100, ad);
    hash.hmac(key, label);
    hash.hmac(key, label);
    aead.decrypt(key, nonce, sealed, ad);
  };
  const floorDhStep = (): void => {
    dh.generateKeyPair();
    dh.dh(kpA.secretKey, kpB.publicKey);
    dh.dh(kpB.secretKey, kpA.publicKey);
    hash.hkdf(key, key, label, 64);
    hash.hkdf(key, key, label, 64);
  };

  const oneWay = handshake(backend);
  const pingPong = handshake(backend);
  pingPong.bob.decrypt(pingPong.alice.encrypt(msg100));
  const statics = { a: dh.generateKeyPair(), b: dh.generateKeyPair() };

  return [
    { id: `ratchet/floor-one-way/${b}`, fn: floorOneWay, unit: 'msg/s' },
    {
      id: `ratchet/one-way/${b}`,
      fn: () => oneWay.bob.decrypt(oneWay.alice.encrypt(msg100)),
      unit: 'msg/s',
      compare: `ratchet/floor-one-way/${b}`,
    },
    {
      id: `ratchet/floor-ping-pong/${b}`,
      fn: () => {
        floorOneWay();
        floorDhStep();
      },
      unit: 'msg/s',
    },
    {
      id: `ratchet/ping-pong/${b}`,
      fn: () => {
        pingPong.bob.decrypt(pingPong.alice.encrypt(msg100));
        pingPong.alice.decrypt(pingPong.bob.encrypt(msg100));
      },
      items: 2,
      unit: 'msg/s',
      compare: `ratchet/floor-ping-pong/${b}`,
    },
    {
      id: `ratchet/floor-handshake/${b}`,
      fn: () => {
        for (let k = 0; k < 4; k++) dh.generateKeyPair();
        for (let k = 0; k < 9; k++) dh.dh(kpA.secretKey, kpB.publicKey);
      },
      unit: 'hs/s',
    },
    {
      id: `ratchet/handshake-ik/${b}`,
      fn: () => handshakeWith(backend, statics.a, statics.b),
      unit: 'hs/s',
      compare: `ratchet/floor-handshake/${b}`,
    },
  ];
}

/** Our case again, compared with a peer's case (the harness compares a row with one other). */
function versus(ours: BenchCase, peerId: string): BenchCase {
  return { ...ours, id: `${ours.id}/vs-${peerId.split('/')[2]}`, compare: peerId };
}

export default async function suites(): Promise<BenchSuite[]> {
  const noble = casesFor(nobleBackend);
  const node = casesFor(nodeBackend);
  const find = (cases: BenchCase[], what: string): BenchCase =>
    cases.find((c) => c.id.startsWith(`ratchet/${what}/`))!;
  const out: BenchSuite[] = [
    { name: 'ratchet: noble backend vs the floor of its primitives', cases: noble },
    { name: 'ratchet: node:crypto backend vs the floor of its primitives', cases: node },
  ];
  const peers: Array<[PeerWorkloads | undefined, BenchCase[]]> = [
    [await libsignalTypescript(), noble],
    [await libsignalClient(), node],
  ];
  for (const [peer, ours] of peers) {
    if (peer === undefined) continue;
    const id = (what: string) => `ratchet/peer/${peer.name}/${what}`;
    out.push({
      name: `ratchet vs ${peer.name}`,
      cases: [
        { id: id('one-way'), fn: peer.oneWay, unit: 'msg/s' },
        versus(find(ours, 'one-way'), id('one-way')),
        { id: id('ping-pong'), fn: peer.pingPong, items: 2, unit: 'msg/s' },
        versus(find(ours, 'ping-pong'), id('ping-pong')),
        { id: id('handshake'), fn: peer.handshake, unit: 'hs/s' },
        versus(find(ours, 'handshake-ik'), id('handshake')),
      ],
    });
  }
  // The node backend is also held against libsignal-client; noble against the TypeScript port.
  return defineSuites(...out);
}
