/**
 * `p2pe demo`: one message's life through every layer (DESIGN "How the layers meet"), on a
 * simulated network and a virtual clock, deterministic from a seed. Each step prints what happens
 * and asserts what it claims; a failed check stops the demo with a DemoCheckError.
 */
import {
  type CryptoBackend,
  deterministicRandomForTestsOnly,
  equalBytes,
  nobleBackend,
} from '@p2pe/crypto';
import {
  createIdentity,
  createInvite,
  createRecord,
  generateRecoveryCode,
  type Identity,
  identityCode,
  openBackup,
  parseIdentityCode,
  pickStaticKey,
  safetyNumber,
  sealBackup,
  verifyInvite,
  verifyRecord,
} from '@p2pe/identity';
import { onionProfile } from '@p2pe/onion';
import { NoticeReason } from '@p2pe/ratchet';
import { dist, Simulation } from '@p2pe/simulator';
import {
  decodeHistoryTransfer,
  defaultOutboxConfig,
  encodeHistoryTransfer,
  historyIdSet,
  historyRecords,
  Reconciler,
} from '@p2pe/sync';
import { fromUtf8, P2peError, type RandomBytes, toHex } from '@p2pe/transport-interfaces';
import { AppKind } from './app-message';
import { InMemoryDirectory } from './directory';
import { bytes, fingerprint, shorten, table, virtualTime } from './format';
import { printSummary, StepRunner, type StepSummary } from './harness';
import { Messenger, RELAYS_PER_PATH } from './messenger';
import { type HopObservation, Wire, wallClock } from './network';
import { ONION_PROTOCOL, RelayNode } from './onion-node';
import { pickDistinct } from './rng';

/** Where the demo's virtual clock starts (2026-01-01 09:00 UTC): identities, records and onion epochs see this time. */
export const DEMO_EPOCH_MS = Date.UTC(2026, 0, 1, 9, 0, 0);
export const DEFAULT_SEED = 'p2pe-demo';
const RELAY_COUNT = 5;
/** How long Bob stays offline while Alice's outbox retries. */
const BOB_OFFLINE_MS = 20_000;

export const MESSAGES = {
  first: 'Hi Bob! It is Alice. This message waited in my outbox until you came online.',
  second: 'And this one rides the Double Ratchet: a fresh key for every message.',
  third: 'Did you reinstall? This one should still reach you exactly once.',
} as const;

export interface DemoOptions {
  /** Any string; the same seed gives the same run, byte for byte. @default DEFAULT_SEED */
  readonly seed?: string;
  /** @default nobleBackend */
  readonly backend?: CryptoBackend;
  /** A label for the backend in the output. @default 'noble' */
  readonly backendName?: string;
  /** Receives the narrative, one line per call. @default nothing is printed */
  readonly out?: (line: string) => void;
  /**
   * For tests of the demo's own checks: every relay flips one payload bit of what it forwards
   * (the tagging attack). The recipient detects it and drops the packet, so delivery fails.
   */
  readonly tamperingRelays?: boolean;
}

export interface DemoSummary {
  readonly seed: string;
  readonly backend: string;
  readonly passed: boolean;
  readonly steps: readonly StepSummary[];
  readonly totals: { checks: number; messages: number; bytes: number; virtualMs: number };
  /** Every distinct onion packet size seen on the wire (one value: they are all alike). */
  readonly onionPacketSizes: readonly number[];
  readonly onionPackets: number;
  /** Sent plaintexts and what the recipient's app got, in order. */
  readonly plaintexts: { sent: string[]; received: string[] };
}

/** Runs the demo; resolves with its summary, or rejects with DemoCheckError (or a layer's error). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const seed = options.seed ?? DEFAULT_SEED;
  const backend = options.backend ?? nobleBackend;
  const backendName = options.backendName ?? 'noble';
  const out = options.out ?? (() => {});
  // Every random choice comes from a seeded stream per party: same seed, same run. A real app
  // passes nothing and gets the system CSPRNG.
  const rng = (who: string): RandomBytes => deterministicRandomForTestsOnly(`${seed}/${who}`);

  const sim = new Simulation({
    seed,
    network: { link: { latency: dist.lognormal(40, 0.3) } },
  });
  const clock = wallClock(sim.clock, DEMO_EPOCH_MS);
  const wire = new Wire(() => sim.now());
  const directory = new InMemoryDirectory();
  const profile = onionProfile({ backend });
  const routeRandom = rng('routes');
  const pick = (n: number, count: number) => pickDistinct(routeRandom, n, count);
  const runFor = async (ms: number) => {
    await sim.run({ until: sim.now() + ms });
  };

  const steps = new StepRunner(out, () => sim.now(), wire);
  const sent: string[] = [];

  out(`P2PE demo: one message's life through every layer`);
  out(
    `seed "${seed}" · crypto backend: ${backendName} · a simulated network of ${RELAY_COUNT + 2} peers (≈40 ms links) on a virtual clock`,
  );
  out('Randomness is seeded for a reproducible run: never do that in an app.');

  const step = steps.run.bind(steps);

  // The cast: five relays, Alice and Bob. Everyone's identity is made on the virtual clock.
  const peers = sim.addPeers(RELAY_COUNT + 2);
  const relays: RelayNode[] = [];
  for (let i = 0; i < RELAY_COUNT; i++) {
    const identity = createIdentity({ crypto: backend, clock, random: rng(`relay-${i}`) });
    const relay = new RelayNode({
      name: `R${i + 1}`,
      identityKey: identity.publicKey,
      peer: peers[i]!,
      profile,
      clock: wallClock(peers[i]!.clock, DEMO_EPOCH_MS),
      random: rng(`relay-${i}/onion`),
      directory,
      wire,
      backend,
      tamper: options.tamperingRelays === true,
    });
    relay.publish();
    relays.push(relay);
  }
  const alicePeer = peers[RELAY_COUNT]!;
  const bobPeer = peers[RELAY_COUNT + 1]!;
  const aliceClock = wallClock(alicePeer.clock, DEMO_EPOCH_MS);
  const bobClock = wallClock(bobPeer.clock, DEMO_EPOCH_MS);
  const messengerInit = (name: string, identity: Identity, acceptNewPeers: boolean) => {
    const isAlice = name === 'Alice';
    return {
      name,
      identity,
      peer: isAlice ? alicePeer : bobPeer,
      clock: isAlice ? aliceClock : bobClock,
      random: rng(`${name}/${toHex(identity.peerId).slice(0, 8)}/${steps.summaries.length}`),
      backend,
      profile,
      directory,
      wire,
      deviceSecret: rng(`${name}/device-secret/${steps.summaries.length}`)(32),
      acceptNewPeers,
      pick,
    };
  };

  let aliceId!: Identity;
  let bobId!: Identity;
  let alice!: Messenger;
  let bob!: Messenger;
  let conv!: Uint8Array;
  let bobKeyFromInvite!: Uint8Array;
  let bobPeerIdFromInvite!: Uint8Array;
  /** Everything Bob's app showed him, across his reinstall. */
  const received: string[] = [];

  await step(1, 'Contact: identities, an identity code, an invite, a safety number', async (s) => {
    aliceId = createIdentity({ crypto: backend, clock, random: rng('alice/identity') });
    bobId = createIdentity({ crypto: backend, clock, random: rng('bob/identity') });
    s.say('Alice and Bob each create an identity: an Ed25519 key that only signs, and an X25519');
    s.say(
      'static key it certifies (for handshakes). Secrets stay in memory; we print fingerprints.',
    );
    for (const [who, id] of [
      ['Alice', aliceId],
      ['Bob', bobId],
    ] as const) {
      const sk = id.staticKey('25519', { clock })!;
      s.say(
        `  ${who.padEnd(5)}  peer id ${fingerprint(id.peerId)}  identity key ${id.publicKey.length} B ${fingerprint(id.publicKey)}  static key ${sk.publicKey.length} B ${fingerprint(sk.publicKey)}`,
      );
    }
    const code = identityCode(bobId.publicKey);
    s.say("Bob's identity code (checksummed; read it aloud, four characters at a time):");
    s.say(`  ${code}`);
    const invite = createInvite(bobId, { crypto: backend, clock, random: rng('bob/invite') });
    s.offWire(1, invite.bytes.length);
    s.say(`Bob's invite link (signed, expires in 7 days; as a link or a QR code):`);
    s.say(`  ${shorten(invite.uri)}`);
    const verified = verifyInvite(invite.uri, { crypto: backend, clock });
    bobKeyFromInvite = verified.identityKey;
    bobPeerIdFromInvite = verified.peerId;
    s.check(
      equalBytes(verified.identityKey, parseIdentityCode(code)),
      'Alice parsed the invite: signature valid, and its key is the one in the identity code',
    );
    s.check(
      equalBytes(verified.peerId, bobId.peerId),
      "the invite names Bob's peer id (the key under which Alice will look him up)",
    );
    // Alice mistypes one character (group 4, character 4) of the code.
    const at = 24;
    const typo = `${code.slice(0, at)}${code[at] === 'q' ? 'p' : 'q'}${code.slice(at + 1)}`;
    s.say(`If Alice mistypes it:  ${typo}`);
    let typoError = '';
    try {
      parseIdentityCode(typo);
    } catch (err) {
      typoError = P2peError.is(err) ? `${err.code}: ${err.message}` : 'error';
    }
    s.check(
      typoError.startsWith('CODE_CHECKSUM'),
      `a one-character typo is refused (${typoError})`,
    );
    const atAlice = safetyNumber(aliceId.publicKey, verified.identityKey, { crypto: backend });
    const atBob = safetyNumber(bobId.publicKey, aliceId.publicKey, { crypto: backend });
    s.say('Safety number, as each side computes it (compare in person or on a call):');
    s.say(`  Alice: ${atAlice}`);
    s.say(`  Bob:   ${atBob}`);
    s.check(atAlice === atBob, 'the safety numbers match: no one swapped a key in between');
  });

  await step(
    2,
    'Discovery: a signed identity record (in-memory directory standing in for the DHT)',
    async (s) => {
      alice = await Messenger.create(messengerInit('Alice', aliceId, true));
      bob = await Messenger.create(messengerInit('Bob', bobId, true));
      alice.publish();
      bob.publish();
      const made = createRecord(
        bobId,
        { suites: ['Noise_IK_25519_ChaChaPoly_SHA256'], addresses: [bobPeer.address] },
        { crypto: backend, clock },
      );
      bobId = made.identity;
      directory.publishRecord(bobId.peerId, made.record);
      s.offWire(1, made.record.length);
      s.say(
        `Bob signs his identity record (${made.record.length} B: static key, Noise suite, address; valid 24 h)`,
      );
      s.say(
        'and publishes it under his peer id. NOTE: there is no DHT package yet, so an in-memory',
      );
      s.say(
        'directory stands in for the DHT. It checks nothing: the reader verifies every record.',
      );
      const fetched = directory.lookupRecord(bobPeerIdFromInvite)!;
      s.offWire(1, fetched.length);
      const record = verifyRecord(fetched, {
        identityKey: bobKeyFromInvite,
        crypto: backend,
        clock,
      });
      const staticKey = pickStaticKey(record, '25519', { clock });
      s.check(
        staticKey !== undefined &&
          equalBytes(staticKey.publicKey, bobId.staticKey('25519', { clock })!.publicKey),
        `Alice verified the record (signature over the exact bytes, the invite's identity, expiry) and found Bob's static key ${fingerprint(staticKey?.publicKey ?? new Uint8Array(4))}`,
      );
      const forged = fetched.slice();
      forged[forged.length - 70] = forged[forged.length - 70]! ^ 1;
      let refused = '';
      try {
        verifyRecord(forged, { identityKey: bobKeyFromInvite, crypto: backend, clock });
      } catch (err) {
        refused = P2peError.is(err) ? err.code : 'error';
      }
      s.check(refused !== '', `a record with one flipped bit is refused (${refused})`);
      conv = alice.addContactFromDirectory(bobKeyFromInvite);
      s.say(
        `Alice adds Bob as a contact (conversation ${fingerprint(conv)}); ${RELAY_COUNT} relays, Alice and Bob list their onion keys for this hour's epoch.`,
      );
      s.check(
        alice.sessions.contact(bobId.peerId)?.staticKey !== undefined,
        "Alice's session layer holds Bob's certified static key: a Noise IK handshake is possible",
      );
    },
    'in-memory directory instead of a DHT lookup',
  );

  await step(3, 'Session: Noise IK toward Bob, who is offline', async (s) => {
    bobPeer.leave('shutdown');
    s.say('Bob closes his laptop: he is offline.');
    const id = await alice.send(conv, MESSAGES.first);
    sent.push(MESSAGES.first);
    s.say(`Alice writes: "${MESSAGES.first}"`);
    s.say(
      `The outbox stores it (id ${fingerprint(id)}) encrypted at rest before anything is sent (store: ${bytes(alice.db.size)}).`,
    );
    await runFor(0);
    const first = alice.log.find((e) => e.type === 'attempt');
    s.check(
      first?.type === 'attempt' && first.envelopeKind === 'handshake',
      `no session yet, so the session layer started Noise_IK_25519_ChaChaPoly_SHA256: handshake message 0 (${first?.type === 'attempt' ? first.envelopeBytes : 0} B) carries the message`,
    );
    s.say('The first message rides inside handshake message 0 (0-RTT): it can be delivered while');
    s.say(
      "Bob is offline, but it has no forward secrecy against a later theft of Bob's static key.",
    );
    s.say("When Bob answers, both sides seed a Double Ratchet from the handshake's keys.");
    s.check(
      alice.sessions.sessions(bobId.peerId).length === 0,
      'no session exists until Bob answers',
    );
  });

  await step(4, 'Delivery: store-and-forward with retries on the virtual clock', async (s) => {
    const start = sim.now();
    // Bob comes back after a while and republishes his record; Alice's client watches it.
    directory.onRecord((peerId) => {
      if (equalBytes(peerId, bobId.peerId)) void alice.outbox.routeAvailable(conv);
    });
    sim.at(start + BOB_OFFLINE_MS, () => {
      bobPeer.join();
      bob.publish();
      const again = createRecord(
        bobId,
        { addresses: [bobPeer.address] },
        { crypto: backend, clock },
      );
      bobId = again.identity;
      directory.publishRecord(bobId.peerId, again.record);
    });
    await runFor(BOB_OFFLINE_MS + 3_000);
    const attempts = alice.log.filter((e) => e.type === 'attempt');
    const rows = attempts.map((a) => {
      const obs = wire.observations.filter((o) => o.trace === a.trace);
      const reached = obs.some((o) => o.hop === 'Bob');
      const at = obs[0]?.at;
      return [
        String(a.attempt),
        at === undefined ? '' : virtualTime((wire.sentAt(a.trace) ?? at) - start),
        `${a.envelopeKind} ${a.envelopeBytes} B`,
        a.relays.join(' → '),
        reached ? 'delivered' : 'lost: Bob offline',
      ];
    });
    s.say(
      `Alice's outbox retries with exponential backoff (${defaultOutboxConfig.retryBaseMs / 1000} s base, jittered). Each attempt is a new`,
    );
    s.say('onion packet on another route; with Bob offline the last relay cannot hand it over:');
    for (const line of table(['attempt', 'sent at', 'session envelope', 'route', 'outcome'], rows))
      s.say(`  ${line}`);
    s.say(
      `At ${virtualTime(BOB_OFFLINE_MS)} Bob comes online and republishes his record; Alice's client`,
    );
    s.say(
      'sees it (a DHT subscription would do this) and tells the outbox a route exists: it sends at once.',
    );
    const lost = rows.filter((r) => r[4] !== 'delivered').length;
    s.check(
      lost >= 2,
      `${lost} attempts were lost while Bob was offline; the message stayed in the outbox`,
    );
    const drops = sim.metrics.protocol(ONION_PROTOCOL)?.dropped;
    const offlineDrops = drops?.offline ?? 0;
    const allDrops = Object.values(drops ?? {}).reduce((a, b) => a + b, 0);
    s.check(
      offlineDrops === lost && allDrops === lost,
      `the simulator agrees: ${offlineDrops} packets were dropped at an offline peer, and none elsewhere`,
    );
    const copies = rows.filter((r) => r[4] === 'delivered').length;
    s.check(
      bob.delivered.length === 1 && fromUtf8(bob.delivered[0]!.payload) === MESSAGES.first,
      copies === 1
        ? 'Bob received the first message: the plaintext equals what Alice sent'
        : `Bob received the first message once (${copies} copies arrived; his inbox acked both, delivered one): the plaintext equals what Alice sent`,
    );
    s.check(
      (await alice.outbox.pending(conv)).length === 0,
      "Bob's signed ack arrived: Alice's outbox is empty",
    );
  });

  await step(
    5,
    'Routing: fixed-size Sphinx packets through 3 relays, the ack back through a SURB',
    async (s) => {
      const delivered = alice.log.filter((e) => e.type === 'attempt').at(-1)!;
      const reply = bob.log.filter((e) => e.type === 'reply-sent').at(-1)!;
      const describe = (trace: number, title: string) => {
        s.say(title);
        const rows = wire.observations
          .filter((o: HopObservation) => o.trace === trace)
          .map((o) => [
            o.hop,
            bytes(o.receivedBytes),
            o.learned,
            o.forwardedBytes === undefined ? '' : bytes(o.forwardedBytes),
          ]);
        for (const line of table(['hop', 'received', 'what it learned', 'sent on'], rows))
          s.say(`  ${line}`);
        return rows;
      };
      if (delivered.type !== 'attempt' || reply.type !== 'reply-sent') {
        s.check(false, 'the delivered packet and its reply were traced');
        return;
      }
      const fwd = describe(delivered.trace, 'The packet that reached Bob, hop by hop:');
      s.check(
        fwd.length === RELAYS_PER_PATH + 1 &&
          fwd.slice(0, RELAYS_PER_PATH).every((r) => r[2]!.startsWith('next hop')),
        'each relay learned the next hop and nothing else: not who wrote it, not who it is for, not its position on the path, not the content',
      );
      s.say(
        '(Every hop also sees the address a packet came from: the first relay cannot tell a sender from a relay.)',
      );
      const recorded = wire.recorded(delivered.trace)!;
      const firstRelay = relays.find((r) => r.name === delivered.relays[0])!;
      const replayed = await firstRelay.peel(recorded).then(
        () => 'accepted',
        (err: unknown) => (P2peError.is(err) ? err.code : 'error'),
      );
      s.check(
        replayed === 'ONION_REPLAYED',
        `an eavesdropper who recorded that packet and sends it to ${firstRelay.name} again is refused (${replayed})`,
      );
      const back = describe(
        reply.trace,
        "Bob's answer (Noise handshake reply + his signed ack, sealed in the new session) through the SURB:",
      );
      s.check(
        back.length === RELAYS_PER_PATH + 1 && back.at(-1)![0] === 'Alice',
        "the reply reached Alice through the reply block; Bob never learned Alice's route",
      );
      const aliceSession = alice.sessions.sessions(bobId.peerId)[0];
      const bobSession = bob.sessions.sessions(aliceId.peerId)[0];
      s.check(
        aliceSession !== undefined &&
          bobSession !== undefined &&
          equalBytes(aliceSession.id, bobSession.id),
        `both sides hold the same Double Ratchet session ${fingerprint(aliceSession?.id ?? new Uint8Array(4))} (id = the Noise handshake hash)`,
      );
      // A second message: now on the ratchet itself.
      const before = alice.log.length;
      await alice.send(conv, MESSAGES.second);
      sent.push(MESSAGES.second);
      await runFor(3_000);
      const second = alice.log.slice(before).find((e) => e.type === 'attempt');
      s.say(`Alice writes: "${MESSAGES.second}"`);
      s.check(
        second?.type === 'attempt' && second.envelopeKind === 'ratchet',
        `it travels as a Double Ratchet message (${second?.type === 'attempt' ? second.envelopeBytes : 0} B envelope) in the same 1320-byte packet shape`,
      );
      s.check(
        bob.delivered.length === 2 && fromUtf8(bob.delivered[1]!.payload) === MESSAGES.second,
        'Bob received it; the plaintext equals what Alice sent',
      );
      s.check((await alice.outbox.pending(conv)).length === 0, 'acked: the outbox is empty again');
      const sizes = [...(wire.sizes.get('onion') ?? [])];
      s.check(
        sizes.length === 1 && sizes[0] === profile.packetLength,
        `every onion packet so far (${wire.observations.length} hop arrivals, forward and reply) was exactly ${profile.packetLength} bytes`,
      );
    },
  );

  await step(
    6,
    'Recovery: Bob reinstalls; a signed notice, a new handshake, a resend',
    async (s) => {
      const code = generateRecoveryCode({ crypto: backend, random: rng('bob/recovery') });
      const backup = await sealBackup(
        bobId,
        { recoveryCode: code },
        { crypto: backend, random: rng('bob/backup'), appState: aliceId.publicKey },
      );
      s.say(
        `Bob had written down a recovery code and kept an encrypted backup (${bytes(backup.length)}):`,
      );
      s.say('his identity and his contact list, but no sessions and no messages.');
      received.push(...bob.delivered.map((m) => fromUtf8(m.payload)));
      bob.close();
      bobPeer.leave('crash');
      const restored = await openBackup(backup, { recoveryCode: code }, { crypto: backend });
      bobId = restored.identity;
      bob = await Messenger.create(messengerInit('Bob', bobId, false));
      bob.addContactKey(restored.appState);
      bobPeer.join();
      bob.publish();
      s.say(
        'His laptop dies; he reinstalls and restores the backup: same identity, empty session state,',
      );
      s.say(
        'an empty message store, new onion keys. He accepts handshakes only from contacts now.',
      );
      s.check(
        bob.sessions.sessions(aliceId.peerId).length === 0,
        'Bob has no session with Alice any more',
      );
      const before = alice.log.length;
      const beforeBob = bob.log.length;
      await alice.send(conv, MESSAGES.third);
      sent.push(MESSAGES.third);
      s.say(`Alice, unaware, writes: "${MESSAGES.third}"`);
      await runFor(4_000);
      const events = alice.log.slice(before);
      const attempts = events.filter((e) => e.type === 'attempt');
      const bobEvents = bob.log.slice(beforeBob);
      s.check(
        attempts[0]?.type === 'attempt' && attempts[0].envelopeKind === 'ratchet',
        'Alice sent it on her existing ratchet session',
      );
      const notices = bobEvents.flatMap((e) =>
        e.type === 'session' && e.event.type === 'notice-sent' ? [e.event.reason] : [],
      );
      s.check(
        notices.length >= 1 && notices.every((r) => r === NoticeReason.NO_SESSION),
        'Bob has no such session: he answered with a "cannot decrypt" notice (reason NO_SESSION), signed by his identity key, through the SURB',
      );
      if (notices.length > 1) {
        s.say(
          `(Alice held ${notices.length} sessions with Bob, one per handshake that reached him in step 4, so she tried each and got a notice for each.)`,
        );
      }
      const resends = events.filter(
        (e) => e.type === 'session' && e.event.type === 'resend-requested',
      );
      s.check(
        resends.length === notices.length &&
          events.filter((e) => e.type === 'notice' && e.resend).length === notices.length,
        "Alice verified the notice against Bob's identity key, stopped using that session, and asked the outbox to resend",
      );
      const last = attempts.at(-1);
      s.check(
        attempts.length === notices.length + 1 &&
          last?.type === 'attempt' &&
          last.envelopeKind === 'handshake',
        'the outbox resent the message inside a new Noise IK handshake (Alice still had it: nothing is lost)',
      );
      const got = bob.delivered.filter((m) => fromUtf8(m.payload) === MESSAGES.third);
      s.check(
        got.length === 1 && bob.delivered.length === 1,
        'Bob got it exactly once, and the plaintext matches',
      );
      s.check((await alice.outbox.pending(conv)).length === 0, "Bob's ack cleared Alice's outbox");
    },
  );

  await step(7, 'Sync: reconcile message-id sets, fetch only what is missing', async (s) => {
    const now = clock.now();
    const aliceSet = await historyIdSet(alice.store, conv, now, backend);
    const bobSet = await historyIdSet(bob.store, conv, now, backend);
    s.say(
      `Alice's history holds ${aliceSet.size} message ids; Bob's reinstalled store holds ${bobSet.size}.`,
    );
    const ra = new Reconciler(aliceSet);
    const rb = new Reconciler(bobSet);
    const restoredBefore = bob.delivered.length;
    const handler =
      (me: Messenger, other: Messenger, reconciler: Reconciler) =>
      async (_from: Uint8Array, kind: AppKind, body: Uint8Array) => {
        if (kind === AppKind.RECONCILE) {
          const next = reconciler.receive(body);
          if (next !== undefined) me.sendDirect(other.peer, other.peerId, AppKind.RECONCILE, next);
        } else if (kind === AppKind.HISTORY) {
          const transfer = decodeHistoryTransfer(body, conv);
          await me.inbox.importHistory(transfer.items);
          if (transfer.wanted.length > 0) {
            const items = await historyRecords(me.store, conv, transfer.wanted, clock.now());
            me.sendDirect(
              other.peer,
              other.peerId,
              AppKind.HISTORY,
              encodeHistoryTransfer({ items, wanted: [] }),
            );
          }
        }
      };
    alice.onDirect = handler(alice, bob, ra);
    bob.onDirect = handler(bob, alice, rb);
    alice.sendDirect(bob.peer, bob.peerId, AppKind.RECONCILE, ra.initiate());
    await runFor(2_000);
    const frames = ra.stats.messagesSent + rb.stats.messagesSent;
    const frameBytes = ra.stats.bytesSent + rb.stats.bytesSent;
    s.say(
      `Reconciliation, inside their session on a direct link: ${frames === 1 ? '1 message (one way)' : `${frames} messages (${Math.ceil(frames / 2)} round trip${frames > 2 ? 's' : ''})`}, ${bytes(frameBytes)} of range fingerprints and ids`,
    );
    s.say(
      frames === 1
        ? '(so few ids that Alice lists them at once: Bob sees the difference in her first message).'
        : `(sending every id instead would take ${bytes(32 * (aliceSet.size + bobSet.size))}).`,
    );
    const missing = ra.difference.have.length + rb.difference.need.length;
    const extra = ra.difference.need.length + rb.difference.have.length;
    s.check(
      missing === 2 && extra === 0,
      `they found the ${missing} messages Bob lost in the reinstall, and nothing Alice lacks`,
    );
    s.say(
      `Each side sends what the other lacks and asks for what it lacks (here Bob asks for ${rb.difference.need.length}).`,
    );
    for (const [me, other, r] of [
      [alice, bob, ra],
      [bob, alice, rb],
    ] as const) {
      const items = await historyRecords(me.store, conv, r.difference.have, clock.now());
      if (items.length > 0 || r.difference.need.length > 0) {
        me.sendDirect(
          other.peer,
          other.peerId,
          AppKind.HISTORY,
          encodeHistoryTransfer({ items, wanted: r.difference.need }),
        );
      }
    }
    await runFor(2_000);
    const restored = bob.delivered.slice(restoredBefore).map((m) => fromUtf8(m.payload));
    s.check(
      restored.length === 2 &&
        restored.includes(MESSAGES.first) &&
        restored.includes(MESSAGES.second),
      'Bob restored the two messages from Alice; the plaintexts match what she sent',
    );
    const after = await historyIdSet(bob.store, conv, clock.now(), backend);
    s.check(after.size === aliceSet.size, `both histories now hold the same ${after.size} ids`);
  });

  // The summary.
  if (bob !== undefined) received.push(...bob.delivered.map((m) => fromUtf8(m.payload)));
  const summaries = steps.summaries;
  const summary: DemoSummary = {
    seed,
    backend: backendName,
    passed:
      steps.failure === undefined && summaries.length === 7 && summaries.every((x) => x.passed),
    steps: summaries,
    totals: {
      checks: summaries.reduce((a, x) => a + x.checks, 0),
      messages: summaries.reduce((a, x) => a + x.messages, 0),
      bytes: summaries.reduce((a, x) => a + x.bytes, 0),
      virtualMs: sim.now(),
    },
    onionPacketSizes: [...(wire.sizes.get(ONION_PROTOCOL) ?? [])].sort((a, b) => a - b),
    onionPackets: wire.packets(ONION_PROTOCOL),
    plaintexts: { sent, received },
  };
  if (steps.failure !== undefined) throw steps.failure;
  printSummary(out, summary);
  return summary;
}
