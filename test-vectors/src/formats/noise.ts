/**
 * The Noise vector format of the Noise wiki, as cacophony, snow and other implementations
 * write it: `{"vectors":[{protocol_name, init_prologue, init_psks?, init_static?, init_ephemeral,
 * init_remote_static?, resp_prologue, resp_psks?, resp_static?, resp_ephemeral?,
 * resp_remote_static?, handshake_hash?, messages:[{payload, ciphertext}]}]}`, all values hex.
 *
 * Each vector counts once (passed, failed or skipped). For a vector we build an initiator and a
 * responder from its fixed keys, ephemerals, prologues and psks, then for each message: the
 * sender encrypts `payload` and must produce `ciphertext` byte for byte, and the receiver
 * decrypts `ciphertext` and must recover `payload`. Handshake messages go in the pattern's turn
 * order; after the handshake both sides Split() and the remaining messages are transport
 * messages (empty associated data), alternating from the initiator (message index even: the
 * initiator sends) or, for one-way patterns, all from the initiator. After the last handshake
 * message both sides' handshake hashes must be equal, and equal `handshake_hash` when present.
 *
 * A vector with `"fail": true` (noise-c's files) passes when any of this fails. noise-c's
 * spelled-out protocol fields (`pattern`, `dh`, `hybrid`, `cipher`, `hash`) and single
 * `init_psk`/`resp_psk` are read too. Vectors whose protocol we do not run (the `fallback`
 * modifier, hybrid DH, ssk, pre-revision-32 `NoisePSK_` names) are skipped with the reason
 * printed in the notes.
 */
import type { CryptoBackend, KeyPair } from '@p2pe/crypto';
import {
  type HandshakeOptions,
  HandshakeState,
  type NoiseProtocol,
  type NoiseSplit,
  parseProtocolName,
} from '@p2pe/ratchet';
import { fromHex, P2peError, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFile, type VectorFormat } from '../format';

interface NoiseVector {
  protocol_name: string;
  messages: { payload: string; ciphertext: string }[];
  handshake_hash?: string;
  fail?: boolean;
  [field: string]: unknown;
}

const EMPTY = new Uint8Array(0);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The protocol name of a vector: noise-c's files spell it out in `pattern`, `dh`, `hybrid?`,
 * `cipher` and `hash` (which then win, as in noise-c's own reader: in its fallback file
 * `protocol_name` is the protocol the handshake ends on); the others give `protocol_name`.
 */
function protocolNameOf(value: Record<string, unknown>): string | undefined {
  const { pattern, dh, hybrid, cipher, hash } = value;
  if ([pattern, dh, cipher, hash].every((x) => typeof x === 'string')) {
    const dhName = typeof hybrid === 'string' ? `${dh}+${hybrid}` : dh;
    return `Noise_${pattern}_${dhName}_${cipher}_${hash}`;
  }
  return typeof value.protocol_name === 'string' ? value.protocol_name : undefined;
}

/** The vector with its protocol name settled, or undefined when it is not a vector at all. */
function asVector(value: unknown): NoiseVector | undefined {
  if (!isRecord(value) || !Array.isArray(value.messages)) return undefined;
  const name = protocolNameOf(value);
  return name === undefined ? undefined : ({ ...value, protocol_name: name } as NoiseVector);
}

/** A mismatch or a malformed vector: the reason becomes the failure line. */
class Mismatch extends Error {}

function hexField(v: NoiseVector, field: string): Uint8Array | undefined {
  const value = v[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Mismatch(`field ${field} is not a hex string`);
  return fromHex(value);
}

function psksField(v: NoiseVector, field: string): Uint8Array[] | undefined {
  const value = v[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) {
    throw new Mismatch(`field ${field} is not an array of hex strings`);
  }
  return (value as string[]).map(fromHex);
}

/** Why we do not run a protocol, or undefined when we do. */
function skipReason(v: NoiseVector, backend: CryptoBackend): string | undefined {
  if (v.fallback === true || v.fallback_pattern !== undefined) {
    return 'Noise Pipes / fallback (§10.2) is not supported';
  }
  if (v.init_ssk !== undefined || v.resp_ssk !== undefined) {
    return 'the split symmetric key (ssk) extension is not supported';
  }
  let protocol: NoiseProtocol;
  try {
    protocol = parseProtocolName(v.protocol_name);
  } catch (err) {
    if (P2peError.is(err) && err.category === 'validation') return err.message;
    throw err;
  }
  try {
    backend.dh(protocol.dh);
    backend.aead(protocol.cipher);
    backend.hash(protocol.hash);
  } catch {
    return `backend ${backend.name} lacks a primitive of ${protocol.dh}/${protocol.cipher}/${protocol.hash}`;
  }
  return undefined;
}

function side(
  v: NoiseVector,
  protocol: NoiseProtocol,
  backend: CryptoBackend,
  initiator: boolean,
): HandshakeState {
  const prefix = initiator ? 'init_' : 'resp_';
  const dh = backend.dh(protocol.dh);
  const pair = (field: string): KeyPair | undefined => {
    const secret = hexField(v, prefix + field);
    return secret === undefined ? undefined : dh.keyPairFromSecret(secret);
  };
  const pattern = protocol.pattern;
  const peerPre = initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage;
  const options: { -readonly [K in keyof HandshakeOptions]: HandshakeOptions[K] } = {
    protocol,
    initiator,
    backend,
    prologue: hexField(v, `${prefix}prologue`) ?? EMPTY,
  };
  const s = pair('static');
  if (s !== undefined) options.localStatic = s;
  const e = pair('ephemeral');
  if (e !== undefined) options.localEphemeral = e;
  // Files carry remote keys the pattern sends in a message too; pass only pre-message keys.
  const rs = hexField(v, `${prefix}remote_static`);
  if (rs !== undefined && peerPre.includes('s')) options.remoteStatic = rs;
  const re = hexField(v, `${prefix}remote_ephemeral`);
  if (re !== undefined && peerPre.includes('e')) options.remoteEphemeral = re;
  const psks = psksField(v, `${prefix}psks`) ?? [];
  // Older files name a single psk `init_psk`/`resp_psk`.
  const single = hexField(v, `${prefix}psk`);
  if (single !== undefined && psks.length === 0) psks.push(single);
  if (psks.length > 0) options.psks = psks;
  return new HandshakeState(options);
}

/** Runs one vector; throws Mismatch (or a library error) on the first difference. */
function runVector(v: NoiseVector, backend: CryptoBackend): void {
  const protocol = parseProtocolName(v.protocol_name);
  const initiator = side(v, protocol, backend, true);
  const responder = side(v, protocol, backend, false);
  let initSplit: NoiseSplit | undefined;
  let respSplit: NoiseSplit | undefined;
  v.messages.forEach((m, i) => {
    if (!isRecord(m) || typeof m.payload !== 'string' || typeof m.ciphertext !== 'string') {
      throw new Mismatch(`message ${i} lacks payload/ciphertext`);
    }
    const payload = fromHex(m.payload);
    const expected = fromHex(m.ciphertext);
    const fromInitiator = protocol.pattern.oneWay || i % 2 === 0;
    let ciphertext: Uint8Array;
    let decrypted: Uint8Array;
    if (initSplit === undefined || respSplit === undefined) {
      const [sender, receiver] = fromInitiator ? [initiator, responder] : [responder, initiator];
      ciphertext = sender.writeMessage(payload);
      decrypted = receiver.readMessage(expected);
      if (initiator.isFinished && responder.isFinished) {
        initSplit = initiator.split();
        respSplit = responder.split();
        const h = toHex(initSplit.handshakeHash);
        if (h !== toHex(respSplit.handshakeHash)) {
          throw new Mismatch('initiator and responder handshake hashes differ');
        }
        if (v.handshake_hash !== undefined && h !== v.handshake_hash.toLowerCase()) {
          throw new Mismatch('handshake_hash differs');
        }
      }
    } else {
      const send = fromInitiator ? initSplit.send : respSplit.send;
      const receive = fromInitiator ? respSplit.receive : initSplit.receive;
      if (send === null || receive === null) {
        throw new Mismatch(`message ${i}: the responder cannot send after a one-way handshake`);
      }
      ciphertext = send.encryptWithAd(EMPTY, payload);
      decrypted = receive.decryptWithAd(EMPTY, expected);
    }
    if (toHex(ciphertext) !== toHex(expected))
      throw new Mismatch(`message ${i} ciphertext differs`);
    if (toHex(decrypted) !== toHex(payload)) throw new Mismatch(`message ${i} payload differs`);
  });
  if (initSplit === undefined) {
    throw new Mismatch(`the handshake did not finish in ${v.messages.length} messages`);
  }
}

/** A protocol name from the file as printed: visible ASCII only, at most 80 characters. */
function printable(name: string): string {
  const clean = name.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function describe(err: unknown): string {
  if (err instanceof Mismatch) return err.message;
  if (P2peError.is(err)) return `${err.code}: ${err.message}`;
  return `unexpected error ${err instanceof Error ? err.name : typeof err}`;
}

export const noiseFormat: VectorFormat = {
  name: 'noise',
  detect(file: VectorFile): boolean {
    const json = file.json;
    if (!isRecord(json) || !Array.isArray(json.vectors) || json.vectors.length === 0) return false;
    return asVector(json.vectors[0]) !== undefined;
  },
  verify(file: VectorFile, backend: CryptoBackend): FileReport {
    const report = emptyReport();
    const vectors = isRecord(file.json) ? file.json.vectors : undefined;
    if (!Array.isArray(vectors)) {
      report.failed++;
      report.failures.push('not a Noise vector file (no "vectors" array)');
      return report;
    }
    const skips = new Map<string, { count: number; example: string }>();
    let expectedFailures = 0;
    let extensions = 0;
    let withoutHash = 0;
    vectors.forEach((raw, index) => {
      const id = `#${index}`;
      const v = asVector(raw);
      if (v === undefined) {
        report.failed++;
        report.failures.push(`${id}: not a vector (needs protocol_name and messages)`);
        return;
      }
      const name = printable(v.protocol_name);
      let reason: string | undefined;
      try {
        reason = skipReason(v, backend);
      } catch (err) {
        report.failed++;
        report.failures.push(`${id} ${name}: ${describe(err)}`);
        return;
      }
      if (reason !== undefined) {
        report.skipped++;
        const entry = skips.get(reason) ?? { count: 0, example: name };
        entry.count++;
        skips.set(reason, entry);
        return;
      }
      if (/_(P256_|XChaChaPoly_)/.test(v.protocol_name)) extensions++;
      if (v.handshake_hash === undefined) withoutHash++;
      let error: unknown;
      try {
        runVector(v, backend);
      } catch (err) {
        error = err;
      }
      const shouldFail = v.fail === true;
      if (shouldFail) expectedFailures++;
      if ((error === undefined) !== shouldFail) {
        report.passed++;
      } else {
        report.failed++;
        report.failures.push(
          `${id} ${name}: ${shouldFail ? 'expected a failure, got none' : describe(error)}`,
        );
      }
    });
    for (const [reason, { count, example }] of skips) {
      report.notes.push(`skipped ${count} vector(s), e.g. ${example}: ${reason}`);
    }
    if (expectedFailures > 0) {
      report.notes.push(`${expectedFailures} vector(s) marked "fail": passed when they failed`);
    }
    if (extensions > 0) {
      report.notes.push(
        `${extensions} vector(s) use P256 (65-byte uncompressed points, 32-byte x-coordinate) or ` +
          'XChaChaPoly (nonce: 16 zero bytes || 64-bit little-endian n), extensions as snow has them',
      );
    }
    if (withoutHash > 0) {
      report.notes.push(
        `${withoutHash} vector(s) give no handshake_hash: checked by their messages, and by both sides' hashes agreeing`,
      );
    }
    report.notes.push(
      'counted per vector: a vector passes when every message (ciphertext and payload) and the handshake hash match',
    );
    return report;
  },
};
