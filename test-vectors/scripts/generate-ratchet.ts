/**
 * Generates test-vectors/ratchet/*.json (`p2pe-ratchet-v1`) from fixed seeds with the seeded test
 * DRBG of @p2pe/crypto: `pnpm exec tsx test-vectors/scripts/generate-ratchet.ts`.
 * One file per DH suite; each holds IK, XX and KK transcripts, with and without header encryption.
 */
import { writeFileSync } from 'node:fs';
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { concatBytes, toHex, utf8 } from '@p2pe/transport-interfaces';
import {
  DrawLog,
  RATCHET_VECTOR_FORMAT,
  type RatchetVectorCase,
  type RatchetVectorFile,
  runTranscript,
  standardSchedule,
} from '../src/formats/ratchet';

const SUITES = [
  { file: 'ratchet-25519.json', suite: '25519_ChaChaPoly_SHA256' },
  { file: 'ratchet-448.json', suite: '448_AESGCM_SHA512' },
  { file: 'ratchet-p256.json', suite: 'P256_AESGCM_SHA256' },
];
const CASES = [
  { pattern: 'IK', he: false },
  { pattern: 'IK', he: true },
  { pattern: 'XX', he: false },
  { pattern: 'KK', he: true },
];

for (const { file, suite } of SUITES) {
  const seed = `p2pe/ratchet/vectors/${suite}`;
  const rng = deterministicRandomForTestsOnly(seed);
  const dhName = suite.split('_')[0] as '25519' | '448' | 'P256';
  const dh = nobleBackend.dh(dhName);
  const cases: RatchetVectorCase[] = [];
  for (const { pattern, he } of CASES) {
    const protocol = `Noise_${pattern}_${suite}`;
    const initiatorId = rng(32);
    const responderId = rng(32);
    const prologue = concatBytes(utf8('p2pe/ratchet/v1/vector-prologue'), initiatorId, responderId);
    const initiatorStatic = dh.generateKeyPair(rng);
    const responderStatic = dh.generateKeyPair(rng);
    const schedule = standardSchedule();
    const sends = schedule.filter((s) => s.op === 'send').length;
    const plaintexts = Array.from({ length: sends }, (_, i) =>
      utf8(`message ${i} of ${protocol}${he ? ' with header encryption' : ''}`),
    );
    const logs = {
      initiator: new DrawLog(deterministicRandomForTestsOnly(`${seed}/${pattern}/${he}/initiator`)),
      responder: new DrawLog(deterministicRandomForTestsOnly(`${seed}/${pattern}/${he}/responder`)),
    };
    const input = {
      protocol,
      headerEncryption: he,
      initiatorId,
      responderId,
      prologue,
      initiatorStatic,
      responderStatic,
      plaintexts,
      schedule,
    };
    const out = runTranscript(input, nobleBackend, logs);
    const pair = (k: { secretKey: Uint8Array; publicKey: Uint8Array }) => ({
      secretKey: toHex(k.secretKey),
      publicKey: toHex(k.publicKey),
    });
    cases.push({
      id: `${pattern.toLowerCase()}${he ? '-header-encryption' : ''}`,
      protocol,
      headerEncryption: he,
      initiatorId: toHex(initiatorId),
      responderId: toHex(responderId),
      prologue: toHex(prologue),
      initiatorStatic: pair(initiatorStatic),
      responderStatic: pair(responderStatic),
      random: { initiator: logs.initiator.draws, responder: logs.responder.draws },
      ...out,
    });
  }
  const json: RatchetVectorFile = {
    format: RATCHET_VECTOR_FORMAT,
    suite,
    generator: 'test-vectors/scripts/generate-ratchet.ts',
    seed: `p2pe/ratchet/vectors/${suite}`,
    description:
      'Noise handshake seeding a Double Ratchet (packages/ratchet README, "Seeding from Noise"), ' +
      'then 24 messages in both directions delivered out of order, with duplicates. ' +
      'random: every random draw of each side in order. handshake: the responder payload of its ' +
      'last message is its first ratchet public key. steps: sends (wire = RatchetMessage bytes) ' +
      'and deliveries (expect the plaintext, or a rejection as a duplicate).',
    cases,
  };
  const path = new URL(`../ratchet/${file}`, import.meta.url);
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`wrote ${file}: ${cases.length} cases\n`);
}
