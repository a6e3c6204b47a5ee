/**
 * Noise handshakes per second on both crypto backends: XX and IK over
 * 25519/ChaChaPoly/BLAKE2b, both sides in one call (every message written and read, then
 * Split()). Each is compared in the same run with its floor: exactly the DH operations the
 * pattern needs on that backend, and nothing else.
 *
 * - XX: each side generates one ephemeral and does 3 DH (ee, es, se): floor 2 keygens + 6 DH.
 * - IK: each side generates one ephemeral and does 4 DH (es, ss, ee, se): 2 keygens + 8 DH.
 *
 * The ratio handshake / floor is the share of the time spent in DH: what is left over is the
 * hashing, HKDF, AEAD and our own code.
 */
import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { nodeBackend } from '@p2pe/crypto/node';
import { type BenchCase, defineSuites } from '../../../bench/harness';
import { HandshakeState } from '../src/noise/index';

const random = deterministicRandomForTestsOnly('p2pe/ratchet/bench/noise');
const dh = nobleBackend.dh('25519');
// Static keys made once; both backends use the same bytes. Ephemerals are fresh per handshake.
const initiatorStatic = dh.generateKeyPair(random);
const responderStatic = dh.generateKeyPair(random);
const payload = random(32);

function handshake(backend: CryptoBackend, pattern: 'XX' | 'IK'): Uint8Array {
  const protocol = `Noise_${pattern}_25519_ChaChaPoly_BLAKE2b`;
  const initiator = new HandshakeState({
    protocol,
    backend,
    initiator: true,
    localStatic: initiatorStatic,
    ...(pattern === 'IK' ? { remoteStatic: responderStatic.publicKey } : {}),
  });
  const responder = new HandshakeState({
    protocol,
    backend,
    initiator: false,
    localStatic: responderStatic,
  });
  while (!initiator.isFinished) {
    const [from, to] = initiator.isMyTurn ? [initiator, responder] : [responder, initiator];
    to.readMessage(from.writeMessage(payload));
  }
  responder.split();
  return initiator.split().handshakeHash;
}

/** The DH work of a pattern only: `keygens` key generations and `dhs` DH operations. */
function floor(backend: CryptoBackend, keygens: number, dhs: number): () => void {
  const suite = backend.dh('25519');
  return () => {
    for (let i = 0; i < keygens; i++) suite.generateKeyPair();
    for (let i = 0; i < dhs; i++) suite.dh(initiatorStatic.secretKey, responderStatic.publicKey);
  };
}

const cases: BenchCase[] = [];
for (const backend of [nobleBackend, nodeBackend]) {
  const b = backend.name;
  for (const [pattern, keygens, dhs] of [
    ['XX', 2, 6],
    ['IK', 2, 8],
  ] as const) {
    const what = pattern.toLowerCase();
    const floorId = `ratchet/noise-${what}-dh-floor/${b}`;
    cases.push({ id: floorId, fn: floor(backend, keygens, dhs), unit: 'handshakes/s' });
    cases.push({
      id: `ratchet/noise-${what}-25519-chachapoly-blake2b/${b}`,
      fn: () => handshake(backend, pattern),
      unit: 'handshakes/s',
      compare: floorId,
    });
  }
}

export default defineSuites({ name: 'ratchet: Noise handshakes', cases });
