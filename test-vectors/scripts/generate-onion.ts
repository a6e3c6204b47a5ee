/**
 * Writes test-vectors/onion/<suite>.json (`p2pe-onion-v1`) from fixed seeds:
 *   pnpm exec tsx test-vectors/scripts/generate-onion.ts
 * Every random input (node keys, peer ids, session secrets, messages, reply keys) is drawn from
 * @p2pe/crypto's seeded test DRBG and written into the file, so other implementations need only
 * the file, never the DRBG.
 */
import { writeFileSync } from 'node:fs';
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { ONION_SUITES, type OnionSuite, onionProfile } from '@p2pe/onion';
import { toHex } from '@p2pe/transport-interfaces';
import {
  computeOnionCase,
  ONION_VECTOR_FORMAT,
  type OnionVectorCase,
  type OnionVectorFile,
  type OnionVectorInput,
  type OnionVectorNode,
} from '../src/formats/onion';

/** Hourly epochs: epoch 493_000 is in 2026. Its header field is 493_000 mod 65536. */
const EPOCH = 493_000;
const NODES = 6; // 0..4 relays and recipients, 5 = the sender (creator of reply blocks)
const SENDER = 5;

export function generateOnionVectors(suite: OnionSuite): OnionVectorFile {
  const seed = `p2pe/onion/v1 vectors ${suite}`;
  const random = deterministicRandomForTestsOnly(seed);
  const profile = onionProfile({ suite, backend: nobleBackend });
  const nodes: OnionVectorNode[] = Array.from({ length: NODES }, () => {
    const pair = profile.dh.generateKeyPair(random);
    return {
      secretKey: toHex(pair.secretKey),
      publicKey: toHex(pair.publicKey),
      peerId: toHex(random(16)),
      hint: toHex(random(16)),
    };
  });
  const session = () => toHex(profile.dh.generateKeyPair(random).secretKey);
  const inputs: OnionVectorInput[] = [];
  const lengths = [0, 1, 100, 300, profile.maxMessageLengthWithSurb];
  for (let hops = 1; hops <= profile.maxHops; hops++) {
    const path = Array.from({ length: hops }, (_, i) => i);
    inputs.push({
      id: `${hops}-hop${hops === 1 ? '' : 's'}`,
      epoch: EPOCH,
      path,
      destination: { type: 'deliver' },
      sessionSecret: session(),
      message: toHex(random(lengths[hops - 1]!)),
    });
    // The reply path retraces the relays in reverse and ends at the sender.
    const back = [...path.slice(0, -1).reverse(), SENDER];
    inputs.push({
      id: `${hops}-hop${hops === 1 ? '' : 's'}-with-surb`,
      epoch: EPOCH,
      path,
      destination: { type: 'deliver' },
      sessionSecret: session(),
      message: toHex(random(lengths[hops - 1]!)),
      reply: {
        path: back,
        sessionSecret: session(),
        replyKey: toHex(random(32)),
        surbId: toHex(random(16)),
        replyMessage: toHex(random(20 * hops)),
      },
    });
  }
  inputs.push({
    id: '3-hops-mailbox-longest-message',
    epoch: EPOCH,
    path: [2, 0, 4],
    destination: { type: 'mailbox', mailboxId: toHex(random(32)) },
    sessionSecret: session(),
    message: toHex(random(profile.maxMessageLength)),
  });
  const cases: OnionVectorCase[] = inputs.map((input) => ({
    ...input,
    ...computeOnionCase(profile, nodes, input),
  }));
  return {
    format: ONION_VECTOR_FORMAT,
    suite,
    generator: 'test-vectors/scripts/generate-onion.ts',
    seed,
    description:
      'Sphinx packets of @p2pe/onion (default profile: 5 hops, 1024-byte payload) for 1 to 5 hops, with and without a reply block, and the view of every hop.',
    parameters: {
      maxHops: profile.maxHops,
      payloadLength: profile.payloadLength,
      headerLength: profile.headerLength,
      packetLength: profile.packetLength,
      surbLength: profile.surbLength,
    },
    nodes,
    cases,
  };
}

const FILES: Readonly<Record<OnionSuite, string>> = {
  X25519: 'x25519.json',
  X448: 'x448.json',
  'P-256': 'p256.json',
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const suite of ONION_SUITES) {
    const path = new URL(`../onion/${FILES[suite]}`, import.meta.url);
    writeFileSync(path, `${JSON.stringify(generateOnionVectors(suite), null, 2)}\n`);
    console.log(`wrote ${FILES[suite]}`);
  }
}
