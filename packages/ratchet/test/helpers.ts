import { type CryptoBackend, deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { ManualClock, type RandomBytes, utf8 } from '@p2pe/transport-interfaces';
import type { RatchetLimits } from '../src/ratchet';
import { DoubleRatchet } from '../src/ratchet';
import { type RatchetSuite, type RatchetSuiteNames, ratchetSuite } from '../src/suite';

export interface Pair {
  alice: DoubleRatchet;
  bob: DoubleRatchet;
  clock: ManualClock;
  suite: RatchetSuite;
  random: RandomBytes;
}

/** Two sessions set up directly from a shared secret (as after a handshake). */
export function makePair(
  opts: {
    backend?: CryptoBackend;
    names?: Partial<RatchetSuiteNames>;
    seed?: string;
    headerEncryption?: boolean;
    seededBobChain?: boolean;
    limits?: Partial<RatchetLimits>;
  } = {},
): Pair {
  const suite = ratchetSuite(opts.backend ?? nobleBackend, opts.names);
  const random = deterministicRandomForTestsOnly(opts.seed ?? 'ratchet-test');
  const clock = new ManualClock(1_700_000_000_000);
  const hl = suite.hash.outputLength;
  const kl = suite.aead.keyLength;
  const rootKey = random(hl);
  const bobKp = suite.dh.generateKeyPair(random);
  const ad = utf8('alice|bob|session');
  const he = opts.headerEncryption === true;
  const hka = random(kl);
  const nhkb = random(kl);
  const seedCk = random(hl);
  const seedHk = random(kl);
  const seeded = opts.seededBobChain === true;
  const options = { clock, random, ...(opts.limits ? { limits: opts.limits } : {}) };
  const alice = DoubleRatchet.initSender(
    suite,
    {
      rootKey,
      remoteRatchetKey: bobKp.publicKey,
      ad,
      ...(he ? { headerKeys: { send: hka, nextReceive: nhkb } } : {}),
      ...(seeded
        ? { receiveChain: { chainKey: seedCk, ...(he ? { headerKey: seedHk } : {}) } }
        : {}),
    },
    options,
  );
  const bob = DoubleRatchet.initReceiver(
    suite,
    {
      rootKey,
      ratchetKeyPair: bobKp,
      ad,
      ...(he ? { headerKeys: { nextSend: nhkb, nextReceive: hka } } : {}),
      ...(seeded ? { sendChain: { chainKey: seedCk, ...(he ? { headerKey: seedHk } : {}) } } : {}),
    },
    options,
  );
  return { alice, bob, clock, suite, random };
}
