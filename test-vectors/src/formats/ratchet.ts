/**
 * `p2pe-ratchet-v1`: whole session transcripts of @p2pe/ratchet, one file per DH suite. Each case
 * is a Noise handshake (IK, XX or KK) that seeds a Double Ratchet on both sides, then a schedule
 * of sends and out-of-order deliveries in both directions, with duplicates.
 *
 * Every random byte either side draws is in the file, in draw order, with what it is for
 * (`noise-ephemeral`, `ratchet-key`, `header-nonce`), so another implementation replays the
 * transcript by answering its own random draws from the list. The runner re-runs both sides from
 * those draws and checks every handshake message, the handshake hash, every ratchet message
 * (byte for byte) and every delivery's plaintext or rejection.
 */
import type { AeadName, CryptoBackend, DhName, HashName } from '@p2pe/crypto';
import {
  type DoubleRatchet,
  HandshakeState,
  ratchetSuite,
  seedInitiator,
  seedResponder,
} from '@p2pe/ratchet';
import { fromHex, P2peError, type RandomBytes, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

export const RATCHET_VECTOR_FORMAT = 'p2pe-ratchet-v1';

export type RatchetParty = 'initiator' | 'responder';

export interface RatchetRandomDraw {
  purpose: 'noise-ephemeral' | 'ratchet-key' | 'header-nonce' | string;
  bytes: string;
}

/** One step of the schedule: a send (message `index` from `from`) or a delivery. */
export type RatchetStep =
  | { send: number; from: RatchetParty; plaintext: string; wire: string }
  | { deliver: number; to: RatchetParty; expect: 'plaintext' | 'duplicate'; plaintext?: string };

export interface RatchetVectorCase {
  id: string;
  /** Noise protocol name of the handshake. */
  protocol: string;
  headerEncryption: boolean;
  /** Session parties bound into the AD (peer ids). */
  initiatorId: string;
  responderId: string;
  prologue: string;
  initiatorStatic: { secretKey: string; publicKey: string };
  responderStatic: { secretKey: string; publicKey: string };
  /** Random draws of each side, in order. */
  random: { initiator: RatchetRandomDraw[]; responder: RatchetRandomDraw[] };
  /** Handshake messages in order; the responder's last payload is its first ratchet public key. */
  handshake: Array<{ from: RatchetParty; payload: string; message: string }>;
  handshakeHash: string;
  responderRatchetPublicKey: string;
  steps: RatchetStep[];
}

export interface RatchetVectorFile {
  format: typeof RATCHET_VECTOR_FORMAT;
  suite: string;
  generator: string;
  seed: string;
  description: string;
  cases: RatchetVectorCase[];
}

/** The schedule shape of every case: sends and deliveries (index into sends). */
export type ScheduleOp =
  | { op: 'send'; from: RatchetParty }
  | { op: 'deliver'; message: number }
  | { op: 'duplicate'; message: number };

/** A RandomBytes that answers from a recorded list (replay) or records what it draws (generate). */
export class DrawLog {
  readonly draws: RatchetRandomDraw[] = [];
  #next = 0;
  purpose = 'unspecified';

  constructor(
    private readonly source: RandomBytes | undefined,
    recorded: RatchetRandomDraw[] = [],
  ) {
    this.draws = source === undefined ? recorded : [];
  }

  readonly random: RandomBytes = (length) => {
    if (this.source !== undefined) {
      const bytes = this.source(length);
      this.draws.push({ purpose: this.purpose, bytes: toHex(bytes) });
      return bytes;
    }
    const draw = this.draws[this.#next++];
    if (draw === undefined) throw new Error(`random draw ${this.#next - 1} is not in the vector`);
    const bytes = fromHex(draw.bytes);
    if (bytes.length !== length) {
      throw new Error(
        `random draw ${this.#next - 1}: ${length} bytes asked, ${bytes.length} recorded`,
      );
    }
    return bytes;
  };
}

export interface TranscriptInput {
  protocol: string;
  headerEncryption: boolean;
  initiatorId: Uint8Array;
  responderId: Uint8Array;
  prologue: Uint8Array;
  initiatorStatic: { secretKey: Uint8Array; publicKey: Uint8Array };
  responderStatic: { secretKey: Uint8Array; publicKey: Uint8Array };
  plaintexts: Uint8Array[];
  schedule: ScheduleOp[];
}

export interface TranscriptOutput {
  handshake: Array<{ from: RatchetParty; payload: string; message: string }>;
  handshakeHash: string;
  responderRatchetPublicKey: string;
  steps: RatchetStep[];
}

function suiteNames(protocol: string): {
  pattern: string;
  dh: DhName;
  aead: AeadName;
  hash: HashName;
} {
  const [, pattern, dh, aead, hash] = protocol.split('_') as [
    string,
    string,
    DhName,
    AeadName,
    HashName,
  ];
  return { pattern, dh, aead, hash };
}

/** Runs one transcript; `logs` supply each side's randomness (recording or replaying). */
export function runTranscript(
  input: TranscriptInput,
  backend: CryptoBackend,
  logs: { initiator: DrawLog; responder: DrawLog },
): TranscriptOutput {
  const names = suiteNames(input.protocol);
  const suite = ratchetSuite(backend, names);
  const knowsResponder = names.pattern === 'IK' || names.pattern === 'KK';
  const knowsInitiator = names.pattern === 'KK';
  logs.initiator.purpose = 'noise-ephemeral';
  logs.responder.purpose = 'noise-ephemeral';
  const ini = new HandshakeState({
    protocol: input.protocol,
    initiator: true,
    backend,
    prologue: input.prologue,
    localStatic: input.initiatorStatic,
    ...(knowsResponder ? { remoteStatic: input.responderStatic.publicKey } : {}),
    random: logs.initiator.random,
  });
  const res = new HandshakeState({
    protocol: input.protocol,
    initiator: false,
    backend,
    prologue: input.prologue,
    localStatic: input.responderStatic,
    ...(knowsInitiator ? { remoteStatic: input.initiatorStatic.publicKey } : {}),
    random: logs.responder.random,
  });
  const handshake: TranscriptOutput['handshake'] = [];
  const count = ini.protocol.pattern.messages.length;
  // The responder's last handshake message carries its first ratchet public key.
  const lastResponder = ini.protocol.pattern.messages
    .map((m, i) => (m.from === 'responder' ? i : -1))
    .reduce((a, b) => Math.max(a, b), -1);
  let responderRatchet: { publicKey: Uint8Array; secretKey: Uint8Array } | undefined;
  let responderRatchetPublicKey: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const fromInitiator = ini.protocol.pattern.messages[i]!.from === 'initiator';
    const [writer, reader] = fromInitiator ? [ini, res] : [res, ini];
    let payload: Uint8Array = new Uint8Array(0);
    if (i === lastResponder) {
      logs.responder.purpose = 'ratchet-key';
      responderRatchet = suite.dh.generateKeyPair(logs.responder.random);
      logs.responder.purpose = 'noise-ephemeral';
      payload = responderRatchet.publicKey;
    }
    const message = writer.writeMessage(payload);
    const read = reader.readMessage(message);
    if (i === lastResponder) responderRatchetPublicKey = read;
    handshake.push({
      from: fromInitiator ? 'initiator' : 'responder',
      payload: toHex(payload),
      message: toHex(message),
    });
  }
  const iSplit = ini.split();
  const rSplit = res.split();
  const parties = { initiator: input.initiatorId, responder: input.responderId };
  const he = input.headerEncryption;
  logs.initiator.purpose = 'ratchet-key';
  const alice = seedInitiator(
    suite,
    {
      handshake: iSplit,
      parties,
      responderRatchetKey: responderRatchetPublicKey!,
      headerEncryption: he,
    },
    { random: logs.initiator.random },
  );
  const bob = seedResponder(
    suite,
    { handshake: rSplit, parties, ratchetKeyPair: responderRatchet!, headerEncryption: he },
    { random: logs.responder.random },
  );
  const sides: Record<RatchetParty, { r: DoubleRatchet; log: DrawLog }> = {
    initiator: { r: alice, log: logs.initiator },
    responder: { r: bob, log: logs.responder },
  };
  const sent: Array<{ from: RatchetParty; wire: Uint8Array; plaintext: Uint8Array }> = [];
  const steps: RatchetStep[] = [];
  for (const op of input.schedule) {
    if (op.op === 'send') {
      const plaintext = input.plaintexts[sent.length]!;
      const side = sides[op.from];
      // A send draws a ratchet key (DH step) and, with header encryption, a header nonce.
      const log = side.log;
      const before = log.draws.length;
      log.purpose = 'ratchet-key';
      const wire = side.r.encrypt(plaintext);
      labelDraws(log, before, he);
      steps.push({
        send: sent.length,
        from: op.from,
        plaintext: toHex(plaintext),
        wire: toHex(wire),
      });
      sent.push({ from: op.from, wire, plaintext });
    } else {
      const m = sent[op.message]!;
      const to: RatchetParty = m.from === 'initiator' ? 'responder' : 'initiator';
      try {
        const out = sides[to].r.decrypt(m.wire);
        steps.push({
          deliver: op.message,
          to,
          expect: 'plaintext',
          plaintext: toHex(out.plaintext),
        });
      } catch (err) {
        if (!P2peError.is(err, 'RATCHET_DUPLICATE')) throw err;
        steps.push({ deliver: op.message, to, expect: 'duplicate' });
      }
    }
  }
  return {
    handshake,
    handshakeHash: toHex(iSplit.handshakeHash),
    responderRatchetPublicKey: toHex(responderRatchetPublicKey!),
    steps,
  };
}

/** The draws of one send: a DH step's key first, then (header encryption) the header nonce. */
function labelDraws(log: DrawLog, from: number, he: boolean): void {
  const last = log.draws.length - 1;
  for (let i = from; i <= last; i++) {
    log.draws[i]!.purpose = he && i === last ? 'header-nonce' : 'ratchet-key';
  }
}

function isRatchetFile(json: unknown): json is RatchetVectorFile {
  return (
    typeof json === 'object' &&
    json !== null &&
    (json as { format?: unknown }).format === RATCHET_VECTOR_FORMAT &&
    Array.isArray((json as { cases?: unknown }).cases)
  );
}

export function inputOf(c: RatchetVectorCase): { input: TranscriptInput } {
  const plaintexts: Uint8Array[] = [];
  const schedule: ScheduleOp[] = [];
  const delivered = new Set<number>();
  for (const s of c.steps) {
    if ('send' in s) {
      plaintexts.push(fromHex(s.plaintext));
      schedule.push({ op: 'send', from: s.from });
    } else {
      schedule.push({ op: delivered.has(s.deliver) ? 'duplicate' : 'deliver', message: s.deliver });
      delivered.add(s.deliver);
    }
  }
  const pair = (k: { secretKey: string; publicKey: string }) => ({
    secretKey: fromHex(k.secretKey),
    publicKey: fromHex(k.publicKey),
  });
  return {
    input: {
      protocol: c.protocol,
      headerEncryption: c.headerEncryption,
      initiatorId: fromHex(c.initiatorId),
      responderId: fromHex(c.responderId),
      prologue: fromHex(c.prologue),
      initiatorStatic: pair(c.initiatorStatic),
      responderStatic: pair(c.responderStatic),
      plaintexts,
      schedule,
    },
  };
}

/** Compares a replayed transcript with the file; returns what differs (no secrets). */
export function compareTranscript(c: RatchetVectorCase, out: TranscriptOutput): string[] {
  const diffs: string[] = [];
  out.handshake.forEach((h, i) => {
    if (h.message !== c.handshake[i]?.message) diffs.push(`handshake message ${i} differs`);
  });
  if (out.handshake.length !== c.handshake.length) diffs.push('handshake length differs');
  if (out.handshakeHash !== c.handshakeHash) diffs.push('handshake hash differs');
  if (out.responderRatchetPublicKey !== c.responderRatchetPublicKey) {
    diffs.push('responder ratchet key differs');
  }
  if (out.steps.length !== c.steps.length) diffs.push('step count differs');
  out.steps.forEach((s, i) => {
    const e = c.steps[i];
    if (JSON.stringify(s) !== JSON.stringify(e)) {
      diffs.push(
        'send' in s
          ? `step ${i}: message ${s.send} differs`
          : `step ${i}: delivery of ${s.deliver} differs`,
      );
    }
  });
  return diffs;
}

export const p2peRatchet: VectorFormat = {
  name: RATCHET_VECTOR_FORMAT,
  detect: (file) => isRatchetFile(file.json),
  verify(file, backend): FileReport {
    const report = emptyReport();
    const json = file.json;
    if (!isRatchetFile(json)) {
      report.failed++;
      report.failures.push('not a p2pe-ratchet-v1 file');
      return report;
    }
    for (const c of json.cases) {
      try {
        const { input } = inputOf(c);
        const out = runTranscript(input, backend, {
          initiator: new DrawLog(undefined, c.random.initiator),
          responder: new DrawLog(undefined, c.random.responder),
        });
        const diffs = compareTranscript(c, out);
        if (diffs.length === 0) report.passed++;
        else {
          report.failed++;
          report.failures.push(`${c.id}: ${diffs.slice(0, 3).join('; ')}`);
        }
      } catch (err) {
        report.failed++;
        report.failures.push(
          `${c.id}: ${P2peError.is(err) ? err.code : 'error'}: ${(err as Error).message}`,
        );
      }
    }
    return report;
  },
};

/** The schedule used by the generator: 24 messages, both directions, out of order, duplicates. */
export function standardSchedule(): ScheduleOp[] {
  const s: ScheduleOp[] = [];
  let n = 0;
  const send = (from: RatchetParty): number => {
    s.push({ op: 'send', from });
    return n++;
  };
  const deliver = (m: number): void => void s.push({ op: 'deliver', message: m });
  // The responder speaks first, on its seeded chain, before hearing from the initiator.
  const r0 = send('responder');
  const a = [send('initiator'), send('initiator'), send('initiator')];
  deliver(a[2]!);
  deliver(a[0]!);
  const r1 = send('responder');
  deliver(r1);
  deliver(r0); // late, from the seeded chain
  const b = [send('initiator'), send('initiator')];
  deliver(b[1]!);
  deliver(a[1]!); // late, from the previous chain
  s.push({ op: 'duplicate', message: a[1]! });
  const r = [send('responder'), send('responder'), send('responder'), send('responder')];
  deliver(r[3]!);
  deliver(r[1]!);
  deliver(b[0]!);
  const c = [send('initiator'), send('initiator'), send('initiator')];
  deliver(c[0]!);
  deliver(r[0]!);
  const d = [send('responder'), send('responder')];
  deliver(c[2]!);
  deliver(d[1]!);
  deliver(r[2]!);
  const e = [send('initiator'), send('responder'), send('initiator'), send('responder')];
  for (const m of [e[1]!, e[0]!, d[0]!, c[1]!, e[3]!, e[2]!]) deliver(m);
  s.push({ op: 'duplicate', message: e[2]! });
  const f = [send('initiator'), send('initiator')];
  deliver(f[1]!);
  deliver(f[0]!);
  return s;
}
