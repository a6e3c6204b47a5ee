/**
 * Peer implementations our ratchet benchmark compares with, loaded from bench/thirdparty (its own
 * package.json, kept out of the main lockfile). Each returns the same three workloads as ours:
 * a one-way message (encrypt + decrypt), a ping-pong pair, and a session setup. Returns
 * undefined, with a printed note, when the directory is not installed.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface PeerWorkloads {
  readonly name: string;
  oneWay(): Promise<unknown>;
  /** Two messages: A→B then B→A, each with a DH ratchet step. */
  pingPong(): Promise<unknown>;
  handshake(): Promise<unknown>;
}

const thirdparty = new URL('../../../bench/thirdparty/package.json', import.meta.url);

async function load(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    const path = createRequire(thirdparty).resolve(name);
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    process.stderr.write(
      `  note: ${name} not loadable from bench/thirdparty (${String(err).split('\n')[0]}); its cases are skipped\n`,
    );
    return undefined;
  }
}

const msg100 = new Uint8Array(100).fill(7);

// biome-ignore lint/suspicious/noExplicitAny: third-party modules loaded at run time, untyped here
type Any = any;

/** @privacyresearch/libsignal-protocol-typescript (TypeScript port, asm.js curve25519). */
export async function libsignalTypescript(): Promise<PeerWorkloads | undefined> {
  const mod = (await load('@privacyresearch/libsignal-protocol-typescript')) as Any;
  if (mod === undefined) return undefined;
  const lib = mod.default?.KeyHelper !== undefined ? { ...mod.default, ...mod } : mod;
  const { KeyHelper, SessionBuilder, SessionCipher, SignalProtocolAddress } = lib;

  class Store {
    readonly map = new Map<string, Any>();
    constructor(
      readonly identity: Any,
      readonly registrationId: number,
    ) {}
    getIdentityKeyPair = async () => this.identity;
    getLocalRegistrationId = async () => this.registrationId;
    isTrustedIdentity = async () => true;
    saveIdentity = async () => false;
    loadPreKey = async (id: string | number) => this.map.get(`pk${id}`);
    storePreKey = async (id: string | number, kp: Any) => void this.map.set(`pk${id}`, kp);
    removePreKey = async (id: string | number) => void this.map.delete(`pk${id}`);
    storeSession = async (a: string, r: Any) => void this.map.set(`s${a}`, r);
    loadSession = async (a: string) => this.map.get(`s${a}`);
    loadSignedPreKey = async (id: string | number) => this.map.get(`spk${id}`);
    storeSignedPreKey = async (id: string | number, kp: Any) => void this.map.set(`spk${id}`, kp);
    removeSignedPreKey = async (id: string | number) => void this.map.delete(`spk${id}`);
  }
  let nextPreKey = 1;
  const party = async (name: string) => {
    const identity = await KeyHelper.generateIdentityKeyPair();
    const store = new Store(identity, KeyHelper.generateRegistrationId());
    const signed = await KeyHelper.generateSignedPreKey(identity, 1);
    await store.storeSignedPreKey(1, signed.keyPair);
    return { name, store, identity, signed, address: new SignalProtocolAddress(name, 1) };
  };
  const toAb = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;
  const decrypt = async (cipher: Any, m: Any) =>
    m.type === 3
      ? cipher.decryptPreKeyWhisperMessage(m.body, 'binary')
      : cipher.decryptWhisperMessage(m.body, 'binary');
  const setup = async () => {
    const alice = await party('alice');
    const bob = await party('bob');
    const preKeyId = nextPreKey++;
    const preKey = await KeyHelper.generatePreKey(preKeyId);
    await bob.store.storePreKey(preKeyId, preKey.keyPair);
    const bundle = {
      identityKey: bob.identity.pubKey,
      registrationId: await bob.store.getLocalRegistrationId(),
      preKey: { keyId: preKeyId, publicKey: preKey.keyPair.pubKey },
      signedPreKey: {
        keyId: 1,
        publicKey: bob.signed.keyPair.pubKey,
        signature: bob.signed.signature,
      },
    };
    await new SessionBuilder(alice.store, bob.address).processPreKey(bundle);
    const aCipher = new SessionCipher(alice.store, bob.address);
    const bCipher = new SessionCipher(bob.store, alice.address);
    await decrypt(bCipher, await aCipher.encrypt(toAb(msg100)));
    await decrypt(aCipher, await bCipher.encrypt(toAb(msg100)));
    return { aCipher, bCipher };
  };
  const s = await setup();
  return {
    name: 'libsignal-protocol-typescript',
    async oneWay() {
      await decrypt(s.bCipher, await s.aCipher.encrypt(toAb(msg100)));
    },
    async pingPong() {
      await decrypt(s.bCipher, await s.aCipher.encrypt(toAb(msg100)));
      await decrypt(s.aCipher, await s.bCipher.encrypt(toAb(msg100)));
    },
    handshake: setup,
  };
}

/** @signalapp/libsignal-client (native Rust core; PQXDH and the SPQR ratchet in 0.103). */
export async function libsignalClient(): Promise<PeerWorkloads | undefined> {
  const lib = (await load('@signalapp/libsignal-client')) as Any;
  if (lib === undefined) return undefined;
  const {
    IdentityKeyPair,
    PrivateKey,
    ProtocolAddress,
    PreKeyBundle,
    PreKeyRecord,
    SignedPreKeyRecord,
    KyberPreKeyRecord,
    KEMKeyPair,
    SessionStore,
    IdentityKeyStore,
    PreKeyStore,
    SignedPreKeyStore,
    KyberPreKeyStore,
    CiphertextMessageType,
    SignalMessage,
    PreKeySignalMessage,
    processPreKeyBundle,
    signalEncrypt,
    signalDecrypt,
    signalDecryptPreKey,
  } = lib;
  const party = (name: string) => {
    const identity = IdentityKeyPair.generate();
    const sessions = new Map<string, Any>();
    const identities = new Map<string, Any>();
    const preKeys = new Map<number, Any>();
    const signed = new Map<number, Any>();
    const kyber = new Map<number, Any>();
    const sessionStore = new (class extends SessionStore {
      async saveSession(a: Any, r: Any) {
        sessions.set(a.toString(), r);
      }
      async getSession(a: Any) {
        return sessions.get(a.toString()) ?? null;
      }
      async getExistingSessions(as: Any[]) {
        return as.map((a) => sessions.get(a.toString()));
      }
    })();
    const identityStore = new (class extends IdentityKeyStore {
      async getIdentityKey() {
        return identity.privateKey;
      }
      async getLocalRegistrationId() {
        return 5;
      }
      async saveIdentity(a: Any, k: Any) {
        identities.set(a.toString(), k);
        return 0;
      }
      async isTrustedIdentity() {
        return true;
      }
      async getIdentity(a: Any) {
        return identities.get(a.toString()) ?? null;
      }
    })();
    const preKeyStore = new (class extends PreKeyStore {
      async savePreKey(id: number, r: Any) {
        preKeys.set(id, r);
      }
      async getPreKey(id: number) {
        return preKeys.get(id);
      }
      async removePreKey(id: number) {
        preKeys.delete(id);
      }
    })();
    const signedStore = new (class extends SignedPreKeyStore {
      async saveSignedPreKey(id: number, r: Any) {
        signed.set(id, r);
      }
      async getSignedPreKey(id: number) {
        return signed.get(id);
      }
    })();
    const kyberStore = new (class extends KyberPreKeyStore {
      async saveKyberPreKey(id: number, r: Any) {
        kyber.set(id, r);
      }
      async getKyberPreKey(id: number) {
        return kyber.get(id);
      }
      async markKyberPreKeyUsed() {}
    })();
    return {
      identity,
      address: ProtocolAddress.new(name, 1),
      sessionStore,
      identityStore,
      preKeyStore,
      signedStore,
      kyberStore,
    };
  };
  type Party = ReturnType<typeof party>;
  const send = (from: Party, to: Party) =>
    signalEncrypt(msg100, to.address, from.address, from.sessionStore, from.identityStore);
  const receive = async (to: Party, from: Party, ct: Any) =>
    ct.type() === CiphertextMessageType.PreKey
      ? signalDecryptPreKey(
          PreKeySignalMessage.deserialize(ct.serialize()),
          from.address,
          to.address,
          to.sessionStore,
          to.identityStore,
          to.preKeyStore,
          to.signedStore,
          to.kyberStore,
        )
      : signalDecrypt(
          SignalMessage.deserialize(ct.serialize()),
          from.address,
          to.address,
          to.sessionStore,
          to.identityStore,
        );
  const setup = async () => {
    const a = party('alice');
    const b = party('bob');
    const pre = PrivateKey.generate();
    const spk = PrivateKey.generate();
    const spkSig = b.identity.privateKey.sign(spk.getPublicKey().serialize());
    const kem = KEMKeyPair.generate();
    const kemSig = b.identity.privateKey.sign(kem.getPublicKey().serialize());
    await b.preKeyStore.savePreKey(1, PreKeyRecord.new(1, pre.getPublicKey(), pre));
    await b.signedStore.saveSignedPreKey(
      1,
      SignedPreKeyRecord.new(1, 0, spk.getPublicKey(), spk, spkSig),
    );
    await b.kyberStore.saveKyberPreKey(1, KyberPreKeyRecord.new(1, 0, kem, kemSig));
    const bundle = PreKeyBundle.new(
      5,
      1,
      1,
      pre.getPublicKey(),
      1,
      spk.getPublicKey(),
      spkSig,
      b.identity.publicKey,
      1,
      kem.getPublicKey(),
      kemSig,
    );
    await processPreKeyBundle(bundle, b.address, a.address, a.sessionStore, a.identityStore);
    await receive(b, a, await send(a, b));
    await receive(a, b, await send(b, a));
    return { a, b };
  };
  const s = await setup();
  return {
    name: 'libsignal-client',
    async oneWay() {
      await receive(s.b, s.a, await send(s.a, s.b));
    },
    async pingPong() {
      await receive(s.b, s.a, await send(s.a, s.b));
      await receive(s.a, s.b, await send(s.b, s.a));
    },
    handshake: setup,
  };
}
