/**
 * `p2pe-onion-v1`: our Sphinx packets (@p2pe/onion), one file per suite. Each case gives the
 * inputs (node keys, path, epoch, session secret, message, optional reply block inputs) and every
 * output: the packet, and for each hop its view (DH output, replay tag, and what it learns: the
 * next hop and the packet to pass on, or the delivered message). Cases with a SURB also give the
 * encoded SURB and its secret, the reply packet and the reply's hop views, and the creator must
 * read the reply. The layout of every byte field is in test-vectors/README.md and the onion
 * package README.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import {
  createPacket,
  createReplyPacket,
  createSurb,
  encodeSurbSecret,
  type HopResult,
  ONION_SUITES,
  type OnionHop,
  type OnionProfile,
  type OnionSuite,
  onionProfile,
  openReply,
  peelPacket,
} from '@p2pe/onion';
import { fromHex, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

export const ONION_VECTOR_FORMAT = 'p2pe-onion-v1';

export interface OnionVectorNode {
  secretKey: string;
  publicKey: string;
  peerId: string;
  hint: string;
}

export interface OnionVectorInput {
  id: string;
  epoch: number;
  /** Node indices, destination last. */
  path: number[];
  destination: { type: 'deliver' } | { type: 'mailbox'; mailboxId: string };
  sessionSecret: string;
  message: string;
  /** Inputs of the reply block the message carries, and of the reply sent through it. */
  reply?: {
    /** Node indices of the reply path, the creator last. */
    path: number[];
    sessionSecret: string;
    replyKey: string;
    surbId: string;
    replyMessage: string;
  };
}

export type OnionHopView = {
  node: number;
  sharedSecret: string;
  replayTag: string;
} & (
  | { type: 'forward'; peerId: string; hint: string; packet: string }
  | { type: 'deliver'; message: string; surb?: string }
  | { type: 'mailbox'; mailboxId: string; message: string; surb?: string }
  | { type: 'reply'; surbId: string; payload: string; openedMessage: string }
);

export interface OnionVectorOutput {
  packet: string;
  hops: OnionHopView[];
  surb?: { surb: string; secret: string; replyPacket: string; replyHops: OnionHopView[] };
}

export type OnionVectorCase = OnionVectorInput & OnionVectorOutput;

export interface OnionVectorFile {
  format: typeof ONION_VECTOR_FORMAT;
  suite: OnionSuite;
  generator: string;
  seed: string;
  description: string;
  parameters: {
    maxHops: number;
    payloadLength: number;
    headerLength: number;
    packetLength: number;
    surbLength: number;
  };
  nodes: OnionVectorNode[];
  cases: OnionVectorCase[];
}

function viewOf(
  node: number,
  peeled: { sharedSecret: Uint8Array; replayTag: Uint8Array; result: HopResult },
  opened?: Uint8Array,
): OnionHopView {
  const base = {
    node,
    sharedSecret: toHex(peeled.sharedSecret),
    replayTag: toHex(peeled.replayTag),
  };
  const r = peeled.result;
  switch (r.type) {
    case 'forward':
      return {
        ...base,
        type: 'forward',
        peerId: toHex(r.nextHop.peerId),
        hint: toHex(r.nextHop.hint),
        packet: toHex(r.packet),
      };
    case 'deliver':
      return r.surb === undefined
        ? { ...base, type: 'deliver', message: toHex(r.message) }
        : { ...base, type: 'deliver', message: toHex(r.message), surb: toHex(r.surb) };
    case 'mailbox': {
      const m = {
        ...base,
        type: 'mailbox' as const,
        mailboxId: toHex(r.mailboxId),
        message: toHex(r.message),
      };
      return r.surb === undefined ? m : { ...m, surb: toHex(r.surb) };
    }
    case 'reply':
      return {
        ...base,
        type: 'reply',
        surbId: toHex(r.surbId),
        payload: toHex(r.payload),
        openedMessage: toHex(opened ?? new Uint8Array(0)),
      };
  }
}

/** Walks `packet` along `path` with each node's secret key, recording every hop's view. */
function walk(
  profile: OnionProfile,
  nodes: readonly OnionVectorNode[],
  path: readonly number[],
  packet: Uint8Array,
  epoch: number,
  open?: (payload: Uint8Array) => Uint8Array,
): OnionHopView[] {
  const views: OnionHopView[] = [];
  let current = packet;
  for (const index of path) {
    const peeled = peelPacket(profile, fromHex(nodes[index]!.secretKey), current, epoch);
    const r = peeled.result;
    views.push(viewOf(index, peeled, r.type === 'reply' && open ? open(r.payload) : undefined));
    if (r.type !== 'forward') break;
    current = r.packet;
  }
  return views;
}

/** Every output of a case from its inputs (the generator writes these; `verify` recomputes). */
export function computeOnionCase(
  profile: OnionProfile,
  nodes: readonly OnionVectorNode[],
  input: OnionVectorInput,
): OnionVectorOutput {
  const hopOf = (i: number): OnionHop => ({
    publicKey: fromHex(nodes[i]!.publicKey),
    peerId: fromHex(nodes[i]!.peerId),
    hint: fromHex(nodes[i]!.hint),
  });
  let surb: ReturnType<typeof createSurb> | undefined;
  if (input.reply !== undefined) {
    surb = createSurb(profile, {
      path: input.reply.path.map(hopOf),
      epoch: input.epoch,
      sessionSecret: fromHex(input.reply.sessionSecret),
      replyKey: fromHex(input.reply.replyKey),
      surbId: fromHex(input.reply.surbId),
    });
  }
  const destination =
    input.destination.type === 'deliver'
      ? ({ type: 'deliver' } as const)
      : ({ type: 'mailbox', mailboxId: fromHex(input.destination.mailboxId) } as const);
  const { packet } = createPacket(profile, {
    path: input.path.map(hopOf),
    destination,
    message: fromHex(input.message),
    epoch: input.epoch,
    sessionSecret: fromHex(input.sessionSecret),
    ...(surb === undefined ? {} : { surb: surb.surb }),
  });
  const out: OnionVectorOutput = {
    packet: toHex(packet),
    hops: walk(profile, nodes, input.path, packet, input.epoch),
  };
  if (surb !== undefined && input.reply !== undefined) {
    const reply = createReplyPacket(profile, surb.surb, fromHex(input.reply.replyMessage));
    const secret = surb.secret;
    out.surb = {
      surb: toHex(surb.surb),
      secret: toHex(encodeSurbSecret(secret)),
      replyPacket: toHex(reply.packet),
      replyHops: walk(profile, nodes, input.reply.path, reply.packet, input.epoch, (payload) =>
        openReply(profile, secret, payload),
      ),
    };
  }
  return out;
}

/** The first path where two JSON values differ, or undefined. */
function firstDifference(expected: unknown, actual: unknown, path = ''): string | undefined {
  if (
    typeof expected !== 'object' ||
    expected === null ||
    typeof actual !== 'object' ||
    actual === null
  ) {
    return expected === actual ? undefined : path || '(root)';
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const d = firstDifference(
      (expected as Record<string, unknown>)[key],
      (actual as Record<string, unknown>)[key],
      Array.isArray(expected) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}

function isOnionFile(json: unknown): json is OnionVectorFile {
  if (typeof json !== 'object' || json === null) return false;
  const j = json as Record<string, unknown>;
  return j.format === ONION_VECTOR_FORMAT && Array.isArray(j.cases) && Array.isArray(j.nodes);
}

function inputOf(c: OnionVectorCase): OnionVectorInput {
  const { id, epoch, path, destination, sessionSecret, message, reply } = c;
  return reply === undefined
    ? { id, epoch, path, destination, sessionSecret, message }
    : { id, epoch, path, destination, sessionSecret, message, reply };
}

function outputOf(c: OnionVectorCase): OnionVectorOutput {
  return c.surb === undefined
    ? { packet: c.packet, hops: c.hops }
    : { packet: c.packet, hops: c.hops, surb: c.surb };
}

export const p2peOnion: VectorFormat = {
  name: ONION_VECTOR_FORMAT,
  detect: (file) => isOnionFile(file.json),
  verify(file, backend: CryptoBackend): FileReport {
    const report = emptyReport();
    const json = file.json;
    if (!isOnionFile(json) || !ONION_SUITES.includes(json.suite)) {
      report.failed++;
      report.failures.push(`file: not a ${ONION_VECTOR_FORMAT} file of a known suite`);
      return report;
    }
    let profile: OnionProfile;
    try {
      profile = onionProfile({
        suite: json.suite,
        backend,
        maxHops: json.parameters.maxHops,
        payloadLength: json.parameters.payloadLength,
      });
    } catch (err) {
      report.failed += json.cases.length;
      report.failures.push(`file: parameters refused (${(err as Error).message})`);
      return report;
    }
    const sizes = {
      headerLength: profile.headerLength,
      packetLength: profile.packetLength,
      surbLength: profile.surbLength,
    };
    const sizeDiff = firstDifference(
      {
        headerLength: json.parameters.headerLength,
        packetLength: json.parameters.packetLength,
        surbLength: json.parameters.surbLength,
      },
      sizes,
    );
    if (sizeDiff !== undefined)
      report.notes.push(`parameters.${sizeDiff} differs from the profile`);
    for (const c of json.cases) {
      try {
        const diff =
          sizeDiff === undefined
            ? firstDifference(outputOf(c), computeOnionCase(profile, json.nodes, inputOf(c)))
            : `parameters.${sizeDiff}`;
        if (diff === undefined) report.passed++;
        else {
          report.failed++;
          report.failures.push(`${c.id}: ${diff} differs`);
        }
      } catch (err) {
        report.failed++;
        const code = (err as { code?: string }).code ?? 'ERROR';
        report.failures.push(`${c.id}: threw ${code}`);
      }
    }
    return report;
  },
};
