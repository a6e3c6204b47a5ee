/**
 * The browser smoke test. `check.ts` bundles this file for the browser (packages resolved to their
 * main entries' sources) and runs it in headless Chromium. Each package is loaded with a dynamic
 * `import()`, so a package that fails to evaluate in a browser fails on its own line, and then
 * its main path runs through its public API with the noble backend and the browser's
 * `crypto.getRandomValues`. The page writes one JSON object into `#result`.
 *
 * Add a package here when it is added to the repository: `check.ts` fails a browser package that
 * has no entry in `SUITES`.
 */

interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface PackageResult {
  readonly package: string;
  readonly loaded: boolean;
  readonly loadError?: string;
  readonly checks: CheckResult[];
}

export interface SmokeResult {
  readonly environment: Record<string, string>;
  readonly packages: PackageResult[];
}

type Check = (name: string, run: () => unknown) => Promise<void>;
type Suite = (check: Check) => Promise<void>;

class CheckFailed extends Error {}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const untext = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Runs `run` and expects a P2peError with `code`. */
async function rejects(run: () => unknown, code: string): Promise<void> {
  try {
    await run();
  } catch (err) {
    const got = (err as { code?: unknown }).code;
    assert(got === code, `expected error ${code}, got ${String(got)}: ${String(err)}`);
    return;
  }
  throw new CheckFailed(`expected error ${code}, nothing was thrown`);
}

const SUITES: Record<string, Suite> = {
  async 'transport-interfaces'(check) {
    const ti = await import('@p2pe/transport-interfaces');
    await check('framing round trip over duplexPair', async () => {
      const frames = [text('hello'), new Uint8Array(0), ti.systemRandomBytes(70_000)];
      const [a, b] = ti.duplexPair();
      const sending = a.sink(ti.encodeFrames()(frames));
      const received: Uint8Array[] = [];
      for await (const frame of ti.decodeFrames()(b.source)) received.push(frame.slice());
      await sending;
      assert(received.length === frames.length, `${received.length} frames, sent 3`);
      assert(
        received.every((f, i) => sameBytes(f, frames[i]!)),
        'a frame changed in transit',
      );
      return `${frames.length} frames, ${frames.reduce((n, f) => n + f.length, 0)} bytes`;
    });
    await check('protobuf codec round trip and truncation', async () => {
      const payload = ti.systemRandomBytes(40);
      const bytes = new ti.ProtoWriter()
        .uint(1, 1)
        .bytes(2, payload)
        .string(3, 'grüße')
        .uint(4, 2n ** 63n)
        .finish();
      const m = ti.ProtoMessage.decode(bytes, 1024);
      assert(m.requiredUint(1) === 1, 'field 1 changed');
      assert(sameBytes(m.requiredBytes(2, { length: 40 }), payload), 'field 2 changed');
      assert(m.requiredString(3) === 'grüße', 'field 3 changed');
      assert(m.requiredUint64(4) === 2n ** 63n, 'field 4 changed');
      await rejects(() => ti.ProtoMessage.decode(bytes.subarray(0, 10), 1024), 'DECODE_TRUNCATED');
      await rejects(() => ti.ProtoMessage.decode(bytes, 8), 'DECODE_TOO_LARGE');
      return `${bytes.length}-byte message, truncation and size limit rejected`;
    });
    await check('MemoryNetwork echo with framing', async () => {
      const network = new ti.MemoryNetwork();
      const listener = await network
        .transport()
        .listen((conn) => void conn.sink(conn.source), { address: 'memory:echo' });
      const conn = await network.transport().dial('memory:echo');
      const sending = conn.sink(ti.encodeFrames()([text('ping')]));
      let echoed = '';
      for await (const frame of ti.decodeFrames()(conn.source)) echoed += untext(frame);
      await sending;
      await listener.close();
      assert(echoed === 'ping', `echo returned ${JSON.stringify(echoed)}`);
      return 'dial, echo, close';
    });
    await check('systemRandomBytes uses crypto.getRandomValues', () => {
      const original = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
      let calls = 0;
      const spy = <T extends ArrayBufferView | null>(array: T): T => {
        calls++;
        return original(array as never) as T;
      };
      Object.defineProperty(globalThis.crypto, 'getRandomValues', {
        value: spy,
        configurable: true,
      });
      try {
        const bytes = ti.systemRandomBytes(100_000); // more than one 64 KiB call
        assert(bytes.length === 100_000, `got ${bytes.length} bytes`);
        assert(
          bytes.some((x) => x !== 0),
          'all zero',
        );
      } finally {
        delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues;
      }
      assert(calls === 2, `crypto.getRandomValues called ${calls} times, expected 2`);
      return '100,000 bytes in 2 calls';
    });
  },

  async crypto(check) {
    const { nobleBackend: backend, equalBytes } = await import('@p2pe/crypto');
    await check('X25519 DH agrees both ways', () => {
      const x = backend.dh('25519');
      const alice = x.generateKeyPair();
      const bob = x.generateKeyPair();
      const ab = x.dh(alice.secretKey, bob.publicKey);
      const ba = x.dh(bob.secretKey, alice.publicKey);
      assert(ab.length === 32 && equalBytes(ab, ba), 'shared secrets differ');
      assert(!sameBytes(alice.publicKey, bob.publicKey), 'two key pairs are equal');
      return '32-byte shared secret';
    });
    for (const name of ['ChaChaPoly', 'XChaChaPoly', 'AESGCM'] as const) {
      await check(`${name} round trip, tampering rejected`, async () => {
        const aead = backend.aead(name);
        const key = backend.randomBytes(aead.keyLength);
        const nonce = backend.randomBytes(aead.nonceLength);
        const plaintext = text(`browser ${name}`);
        const ad = text('p2pe/browser-check');
        const sealed = aead.encrypt(key, nonce, plaintext, ad);
        assert(sealed.length === plaintext.length + aead.tagLength, 'wrong ciphertext length');
        assert(sameBytes(aead.decrypt(key, nonce, sealed, ad), plaintext), 'plaintext changed');
        const bad = sealed.slice();
        bad[0]! ^= 1;
        await rejects(() => aead.decrypt(key, nonce, bad, ad), 'AEAD_AUTH_FAILED');
        return `${sealed.length}-byte ciphertext`;
      });
    }
    await check('HKDF-SHA256 (RFC 5869 test case 1)', () => {
      const okm = backend
        .hash('SHA256')
        .hkdf(
          hex('0b'.repeat(22)),
          hex('000102030405060708090a0b0c'),
          hex('f0f1f2f3f4f5f6f7f8f9'),
          42,
        );
      const expected = hex(
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      );
      assert(sameBytes(okm, expected), 'OKM differs from RFC 5869');
      return 'matches RFC 5869 A.1';
    });
    await check('Ed25519 sign/verify (RFC 8032 test 1, fresh key)', () => {
      const ed = backend.ed25519;
      const secret = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
      const pair = ed.keyPairFromSecret(secret);
      const expectedPublic = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
      assert(sameBytes(pair.publicKey, hex(expectedPublic)), 'public key differs from RFC 8032');
      const signature = ed.sign(secret, new Uint8Array(0));
      const expected = hex(
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      );
      assert(sameBytes(signature, expected), 'signature differs from RFC 8032');
      const fresh = ed.generateKeyPair();
      const message = text('signed in a browser');
      const sig = ed.sign(fresh.secretKey, message);
      assert(ed.verify(sig, message, fresh.publicKey), 'valid signature rejected');
      assert(!ed.verify(sig, text('signed in a browsex'), fresh.publicKey), 'forgery accepted');
      return 'RFC 8032 vector, fresh key verifies, changed message rejected';
    });
  },

  async identity(check) {
    const id = await import('@p2pe/identity');
    const alice = id.createIdentity();
    await check('create an identity', () => {
      assert(alice.publicKey.length === 32, 'identity key is not 32 bytes');
      assert(alice.staticKey('25519') !== undefined, 'no X25519 static key');
      const restored = id.decodeIdentity(id.encodeIdentity(alice));
      assert(sameBytes(restored.publicKey, alice.publicKey), 'state round trip changed the key');
      return 'Ed25519 identity with a certified X25519 static key; state round trip';
    });
    await check('identity code round trip, typo detected', async () => {
      const code = id.identityCode(alice.publicKey);
      assert(sameBytes(id.parseIdentityCode(code), alice.publicKey), 'code does not round trip');
      const last = code.at(-1) === 'q' ? 'p' : 'q';
      const typo = `${code.slice(0, -1)}${last}`;
      let caught = false;
      try {
        id.parseIdentityCode(typo);
      } catch (err) {
        caught = err instanceof id.CodeError;
      }
      assert(caught, 'a one-character typo was not caught with a CodeError');
      return `${code.slice(0, 14)}… (${code.length} characters)`;
    });
    await check('sign and verify a record', async () => {
      const { record } = id.createRecord(alice, { addresses: ['memory:alice'] });
      const verified = id.verifyRecord(record, { identityKey: alice.publicKey });
      assert(verified.addresses[0] === 'memory:alice', 'address changed');
      assert(sameBytes(verified.peerId, alice.peerId), 'peer id differs');
      assert(verified.staticKeys.length >= 1, 'no static key in the record');
      const bad = record.slice();
      bad[bad.length - 1]! ^= 1;
      await rejects(
        () => id.verifyRecord(bad, { identityKey: alice.publicKey }),
        'SIGNATURE_INVALID',
      );
      return `${record.length}-byte record verifies; a flipped bit is rejected`;
    });
  },

  async ratchet(check) {
    const { nobleBackend } = await import('@p2pe/crypto');
    const { createIdentity } = await import('@p2pe/identity');
    const r = await import('@p2pe/ratchet');
    await check('Noise IK handshake and transport messages', () => {
      const protocol = 'Noise_IK_25519_ChaChaPoly_SHA256';
      const dh = nobleBackend.dh('25519');
      const aliceStatic = dh.generateKeyPair();
      const bobStatic = dh.generateKeyPair();
      const prologue = text('p2pe/browser-check');
      const alice = new r.HandshakeState({
        protocol,
        initiator: true,
        localStatic: aliceStatic,
        remoteStatic: bobStatic.publicKey,
        prologue,
      });
      const bob = new r.HandshakeState({
        protocol,
        initiator: false,
        localStatic: bobStatic,
        prologue,
      });
      assert(untext(bob.readMessage(alice.writeMessage(text('one')))) === 'one', 'payload 1');
      assert(untext(alice.readMessage(bob.writeMessage(text('two')))) === 'two', 'payload 2');
      assert(alice.isFinished && bob.isFinished, 'handshake not finished');
      const a = alice.split();
      const b = bob.split();
      assert(sameBytes(a.handshakeHash, b.handshakeHash), 'handshake hashes differ');
      const toBob = a.send!.encryptWithAd(new Uint8Array(0), text('three'));
      assert(untext(b.receive!.decryptWithAd(new Uint8Array(0), toBob)) === 'three', 'A→B');
      const toAlice = b.send!.encryptWithAd(new Uint8Array(0), text('four'));
      assert(untext(a.receive!.decryptWithAd(new Uint8Array(0), toAlice)) === 'four', 'B→A');
      return `${protocol}, 2 handshake + 2 transport messages`;
    });
    await check('SessionManager: IK + Double Ratchet messages both ways', () => {
      const aliceId = createIdentity();
      const bobId = createIdentity();
      const alice = new r.SessionManager({ identity: aliceId });
      const bob = new r.SessionManager({ identity: bobId });
      alice.addContact({
        identityKey: bobId.publicKey,
        staticKeyCertificate: bobId.staticKey('25519')!.certificate,
      });
      const managers = new Map([
        [alice, bob],
        [bob, alice],
      ]);
      /** Sends one message and delivers it and every reply; returns what the recipient saw. */
      const exchange = (from: InstanceType<typeof r.SessionManager>, message: string): string => {
        const to = managers.get(from)!;
        const sent = from.send(to.peerId, text(`id:${message}`), text(message));
        let delivered = '';
        let queue: Array<[InstanceType<typeof r.SessionManager>, Uint8Array]> = [
          [to, sent.envelope],
        ];
        for (let hops = 0; queue.length > 0; hops++) {
          assert(hops < 10, 'envelopes keep bouncing');
          const next: typeof queue = [];
          for (const [dst, envelope] of queue) {
            const result = dst.receive(envelope);
            if (result.type === 'message' && dst === to) delivered = untext(result.plaintext);
            else if (result.type === 'dropped') throw new CheckFailed(`dropped: ${result.reason}`);
            for (const reply of result.replies) next.push([managers.get(dst)!, reply]);
          }
          queue = next;
        }
        return `${sent.kind}:${delivered === message ? 'ok' : `got ${JSON.stringify(delivered)}`}`;
      };
      const log = [
        exchange(alice, 'a1'),
        exchange(alice, 'a2'),
        exchange(bob, 'b1'),
        exchange(alice, 'a3'),
        exchange(bob, 'b2'),
      ];
      assert(
        log.every((entry) => entry.endsWith(':ok')),
        log.join(', '),
      );
      assert(log[0]!.startsWith('handshake:'), `first message went as ${log[0]}`);
      return `A→B ×3, B→A ×2 (${log.map((entry) => entry.split(':')[0]).join(', ')})`;
    });
  },

  async onion(check) {
    const { nobleBackend } = await import('@p2pe/crypto');
    const ti = await import('@p2pe/transport-interfaces');
    const o = await import('@p2pe/onion');
    await check('3-hop packet through OnionRelay to delivery', async () => {
      const profile = o.onionProfile();
      const clock = new ti.ManualClock(1_700_000_000_000);
      const epoch = o.epochAt(o.defaultEpochSchedule, clock.now());
      const relays = [0, 1, 2].map(() => {
        const keys = new o.EpochKeyRing(profile.dh);
        keys.ensure(epoch);
        const relay = new o.OnionRelay({ profile, keys, clock });
        const hop = {
          publicKey: keys.ensure(epoch).publicKey,
          peerId: nobleBackend.randomBytes(16),
          hint: nobleBackend.randomBytes(16),
        };
        return { relay, hop };
      });
      const message = text('through three hops');
      const created = o.createPacket(profile, {
        path: relays.map((x) => x.hop),
        message,
        epoch,
      });
      assert(sameBytes(created.firstHop.peerId, relays[0]!.hop.peerId), 'wrong first hop');
      let packet = created.packet;
      for (let i = 0; i < 3; i++) {
        assert(packet.length === profile.packetLength, `hop ${i}: packet size changed`);
        const result = await relays[i]!.relay.process(packet);
        if (i < 2) {
          assert(result.type === 'forward', `hop ${i}: ${result.type}, expected forward`);
          assert(
            sameBytes(result.nextHop.peerId, relays[i + 1]!.hop.peerId),
            `hop ${i}: misrouted`,
          );
          packet = result.packet;
        } else {
          assert(result.type === 'deliver', `last hop: ${result.type}, expected deliver`);
          assert(sameBytes(result.message, message), 'delivered message changed');
        }
      }
      await rejects(() => relays[0]!.relay.process(created.packet), 'ONION_REPLAYED');
      return `${profile.packetLength}-byte packet forwarded twice, delivered; replay rejected`;
    });
  },

  async sync(check) {
    const { nobleBackend } = await import('@p2pe/crypto');
    const s = await import('@p2pe/sync');
    // memory-level is CommonJS: a dynamic import of it in an ESM bundle yields `default`.
    const level = (await import('memory-level')) as typeof import('memory-level') & {
      default?: typeof import('memory-level');
    };
    const MemoryLevel = level.MemoryLevel ?? level.default!.MemoryLevel;
    await check('EncryptedStore over memory-level put/get', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({
        keyEncoding: 'view',
        valueEncoding: 'view',
      });
      const deviceSecret = nobleBackend.randomBytes(32);
      const store = await s.EncryptedStore.open(db, { deviceSecret });
      const key = Uint8Array.of(0x80, ...store.tag(1, text('conversation')));
      const value = text('kept encrypted at rest');
      await store.write([store.put(key, value)]);
      const opened = await store.get(key);
      assert(opened !== undefined && sameBytes(opened, value), 'value did not round trip');
      const raw = await db.get(key, { keyEncoding: 'view', valueEncoding: 'view' });
      assert(raw !== undefined && !untext(raw).includes('encrypted at rest'), 'stored in clear');
      await store.close();
      const again = await s.EncryptedStore.open(db, { deviceSecret });
      const reread = await again.get(key);
      assert(reread !== undefined && sameBytes(reread, value), 'value lost on reopen');
      await again.close();
      await rejects(
        () => s.EncryptedStore.open(db, { deviceSecret: nobleBackend.randomBytes(32) }),
        'STORE_WRONG_SECRET',
      );
      return 'sealed put/get, reopen, wrong secret rejected';
    });
    await check('reconciliation of two small id sets', () => {
      const pool = nobleBackend.randomBytes(32 * 45);
      const ids = Array.from({ length: 45 }, (_, i) => pool.slice(32 * i, 32 * i + 32));
      const a = ids.slice(0, 40); // A lacks ids 40..44
      const b = [...ids.slice(3, 40), ...ids.slice(40)]; // B lacks ids 0..2
      const ra = new s.Reconciler(s.IdSet.from(a));
      const rb = new s.Reconciler(s.IdSet.from(b));
      let message: Uint8Array | undefined = ra.initiate();
      let next = rb;
      let messages = 1;
      while (message !== undefined) {
        assert(messages < 50, 'reconciliation does not end');
        message = next.receive(message);
        if (message !== undefined) messages++;
        next = next === rb ? ra : rb;
      }
      const key = (list: readonly Uint8Array[]) =>
        list
          .map((x) => Array.from(x, (v) => v.toString(16).padStart(2, '0')).join(''))
          .sort()
          .join(',');
      const bLacks = key([...ra.difference.have, ...rb.difference.need]);
      const aLacks = key([...rb.difference.have, ...ra.difference.need]);
      assert(bLacks === key(ids.slice(0, 3)), 'wrong ids found missing on B');
      assert(aLacks === key(ids.slice(40)), 'wrong ids found missing on A');
      return `40 vs 42 ids: 3 + 5 differences found in ${messages} messages`;
    });
  },

  async simulator(check) {
    const sim = await import('@p2pe/simulator');
    await check('echo scenario run, deterministic', async () => {
      const first = await sim.runScenario(sim.echoScenario, { peers: 20, seed: 7 });
      const second = await sim.runScenario(sim.echoScenario, { peers: 20, seed: 7 });
      const completion = Number(first.result.completion);
      assert(first.result.requests === 200, `requests ${first.result.requests}`);
      assert(completion >= 0.9, `completion ${completion}`);
      assert(
        JSON.stringify(first.metrics) === JSON.stringify(second.metrics),
        'same seed, different metrics',
      );
      return `20 peers, ${first.events} events, completion ${completion}, same metrics twice`;
    });
  },
};

async function runSuite(name: string, suite: Suite): Promise<PackageResult> {
  const checks: CheckResult[] = [];
  const check: Check = async (checkName, run) => {
    try {
      const detail = await run();
      checks.push({ name: checkName, ok: true, detail: typeof detail === 'string' ? detail : '' });
    } catch (err) {
      const detail = err instanceof CheckFailed ? err.message : describe(err);
      checks.push({ name: checkName, ok: false, detail });
    }
  };
  try {
    await suite(check);
    return { package: name, loaded: true, checks };
  } catch (err) {
    // Only the dynamic import or setup outside a check can land here.
    return { package: name, loaded: checks.length > 0, loadError: describe(err), checks };
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const where = err.stack?.split('\n').find((line) => line.includes('.js:')) ?? '';
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}${where === '' ? '' : ` (${where.trim()})`}`;
  }
  return String(err);
}

async function main(): Promise<void> {
  const packages: PackageResult[] = [];
  for (const [name, suite] of Object.entries(SUITES)) packages.push(await runSuite(name, suite));
  const result: SmokeResult = {
    environment: {
      userAgent: navigator.userAgent,
      nodeGlobals: ['process', 'Buffer', 'global', 'setImmediate', 'require']
        .filter((name) => name in globalThis)
        .join(', '),
      secureContext: String(globalThis.isSecureContext),
    },
    packages,
  };
  const out = document.getElementById('result');
  if (out !== null) out.textContent = JSON.stringify(result);
}

void main();
