/**
 * Our packets: header || payload, always `profile.packetLength` bytes.
 *
 *   header  = version[1] || epoch[2] || α[E] || β[r·49] || γ[16]
 *   payload = LIONESS_π0(LIONESS_π1(… LIONESS_π(n-1)(plaintext)))      (Sphinx §3, δ)
 *   plaintext = zero[32] || flags[1] || surb[S if flags&1] || length[2] || message || zero pad
 *
 * `peelPacket` is the pure per-hop function (node key in, result and replay tag out); the replay
 * cache and epoch keys are applied around it by `OnionRelay`.
 */
import {
  assertBytes,
  DecodeError,
  LimitError,
  type RandomBytes,
  ValidationError,
  VerificationError,
} from '@p2pe/transport-interfaces';
import {
  COMMAND_TYPE,
  decodeCommand,
  encodeCommand,
  type NextHop,
  type RoutingCommand,
} from './commands';
import {
  ADDRESS_HINT_LENGTH,
  PACKET_VERSION,
  PAYLOAD_ZERO_LENGTH,
  PEER_ID_LENGTH,
} from './constants';
import { type HopKeys, peelHeader, type WrappedHeader, wrapHeader } from './engine';
import { lionessDecryptInPlace, lionessEncrypt } from './lioness';
import type { OnionProfile } from './profile';

/** One hop of a path: its onion public key for the packet's epoch, and where to reach it. */
export interface OnionHop {
  readonly publicKey: Uint8Array;
  /** 16-byte short peer id (the first 16 bytes of the peer id). */
  readonly peerId: Uint8Array;
  /** 16-byte opaque address hint for the hop before it. */
  readonly hint: Uint8Array;
}

/** What the last hop does with the payload. */
export type Destination =
  | { readonly type: 'deliver' }
  | { readonly type: 'mailbox'; readonly mailboxId: Uint8Array };

/** The result of processing a packet at one hop: only what this hop needs. */
export type HopResult =
  | { readonly type: 'forward'; readonly nextHop: NextHop; readonly packet: Uint8Array }
  | { readonly type: 'deliver'; readonly message: Uint8Array; readonly surb?: Uint8Array }
  | {
      readonly type: 'mailbox';
      readonly mailboxId: Uint8Array;
      readonly message: Uint8Array;
      readonly surb?: Uint8Array;
    }
  /** A reply through a SURB this node created: open `payload` with `openReply`. */
  | { readonly type: 'reply'; readonly surbId: Uint8Array; readonly payload: Uint8Array };

export interface PeeledPacket {
  /** The full epoch number the packet was processed under. */
  readonly epoch: number;
  /** Replay tag to remember for the lifetime of the key (commit only on success). */
  readonly replayTag: Uint8Array;
  /** This hop's DH output (for vectors and debugging; the hop's own secret, never sent). */
  readonly sharedSecret: Uint8Array;
  readonly result: HopResult;
}

/** The epoch field of a header: the low 16 bits of the epoch number. */
export function epochField(epoch: number): number {
  return epoch & 0xffff;
}

function prefixOf(epoch: number): Uint8Array {
  const e = epochField(epoch);
  return Uint8Array.of(PACKET_VERSION, e >>> 8, e & 0xff);
}

/**
 * Size first, then version (the decoder order every layer follows); returns the header's 16-bit
 * epoch field. DecodeError `ONION_PACKET_SIZE` / `ONION_PACKET_VERSION`.
 */
export function readPacketEpoch(profile: OnionProfile, packet: Uint8Array): number {
  assertBytes(packet, 'packet');
  if (packet.length !== profile.packetLength) {
    throw new DecodeError(
      'ONION_PACKET_SIZE',
      `onion packet expected ${profile.packetLength} bytes, got length=${packet.length}`,
    );
  }
  if (packet[0] !== PACKET_VERSION) {
    throw new DecodeError(
      'ONION_PACKET_VERSION',
      `onion packet version ${packet[0]} is not supported (expected ${PACKET_VERSION})`,
    );
  }
  return (packet[1]! << 8) | packet[2]!;
}

/** Encodes the payload plaintext (before any layer of LIONESS). */
export function encodePayload(
  profile: OnionProfile,
  message: Uint8Array,
  surb?: Uint8Array,
): Uint8Array {
  assertBytes(message, 'message');
  if (surb !== undefined) assertBytes(surb, 'surb', profile.surbLength);
  // Checked as a sum: with a small payload a SURB alone may not fit (maxMessageLengthWithSurb -1).
  const room = profile.maxMessageLength - (surb === undefined ? 0 : surb.length);
  if (message.length > room) {
    throw new LimitError(
      'ONION_MESSAGE_TOO_LONG',
      surb === undefined
        ? `message of ${message.length} bytes exceeds the packet's ${room}`
        : `message of ${message.length} bytes and a ${surb.length}-byte SURB exceed the packet's ${profile.maxMessageLength}`,
    );
  }
  const out = new Uint8Array(profile.payloadLength);
  let at = PAYLOAD_ZERO_LENGTH;
  out[at++] = surb === undefined ? 0 : 1;
  if (surb !== undefined) {
    out.set(surb, at);
    at += surb.length;
  }
  out[at++] = message.length >>> 8;
  out[at++] = message.length & 0xff;
  out.set(message, at);
  return out;
}

/**
 * Checks the zero block (Sphinx's 0^κ, the tagging check) and parses a payload plaintext.
 * VerificationError `ONION_PAYLOAD_TAMPERED`, DecodeError `ONION_PAYLOAD_MALFORMED`.
 */
export function decodePayload(
  profile: OnionProfile,
  plain: Uint8Array,
): { message: Uint8Array; surb?: Uint8Array } {
  let acc = 0;
  for (let i = 0; i < PAYLOAD_ZERO_LENGTH; i++) acc |= plain[i]!;
  if (acc !== 0) {
    throw new VerificationError(
      'ONION_PAYLOAD_TAMPERED',
      `payload of ${plain.length} bytes was modified in transit (zero block check failed)`,
    );
  }
  const malformed = (why: string) => new DecodeError('ONION_PAYLOAD_MALFORMED', why);
  let at = PAYLOAD_ZERO_LENGTH;
  const flags = plain[at++]!;
  if (flags > 1) throw malformed(`payload flags ${flags} unknown`);
  let surb: Uint8Array | undefined;
  if (flags === 1) {
    surb = plain.slice(at, at + profile.surbLength);
    at += profile.surbLength;
  }
  const length = (plain[at]! << 8) | plain[at + 1]!;
  at += 2;
  if (at + length > plain.length) {
    throw malformed(`message length ${length} exceeds the ${plain.length - at} bytes left`);
  }
  const message = plain.slice(at, at + length);
  for (let i = at + length; i < plain.length; i++) {
    if (plain[i] !== 0) throw malformed('non-zero payload padding');
  }
  return surb === undefined ? { message } : { message, surb };
}

/** Draws a fresh session secret (Sphinx's x) from the suite's key generation. */
export function newSessionSecret(profile: OnionProfile, random: RandomBytes): Uint8Array {
  return profile.dh.generateKeyPair(random).secretKey;
}

/** The header for `path`, hop i forwarding to hop i+1 and the last one doing `last`. */
export function buildHeader(
  profile: OnionProfile,
  sessionSecret: Uint8Array,
  path: readonly OnionHop[],
  last: RoutingCommand,
  epoch: number,
): WrappedHeader {
  if (!Array.isArray(path) || path.length < 1 || path.length > profile.maxHops) {
    throw new LimitError(
      'ONION_PATH_LENGTH',
      `path of ${Array.isArray(path) ? path.length : 0} hops is outside [1, ${profile.maxHops}]`,
    );
  }
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new ValidationError('INVALID_ARGUMENT', `"epoch" expected a non-negative integer`);
  }
  const commands = path.map((_, i) => {
    const next = path[i + 1];
    return encodeCommand(
      next === undefined ? last : { type: 'forward', peerId: next.peerId, hint: next.hint },
    );
  });
  const elements = path.map((hop) => profile.header.group.elementFromPublicKey(hop.publicKey));
  return wrapHeader(
    profile.header,
    sessionSecret,
    elements,
    commands,
    prefixOf(epoch),
    new Uint8Array(0),
  );
}

/** The sender wraps the payload in every hop's π, last hop innermost (Sphinx §3, δ). */
export function wrapPayload(
  profile: OnionProfile,
  hops: readonly HopKeys[],
  plain: Uint8Array,
): Uint8Array {
  let body = plain;
  for (let i = hops.length - 1; i >= 0; i--) {
    body = lionessEncrypt(profile.hash, hops[i]!.payloadKey, body);
  }
  return body;
}

export interface CreatePacketInput {
  /** The hops, the destination last. 1 to `profile.maxHops` entries. */
  readonly path: readonly OnionHop[];
  /** @default { type: 'deliver' } */
  readonly destination?: Destination;
  readonly message: Uint8Array;
  /** The epoch whose onion keys `path` holds. */
  readonly epoch: number;
  /** An encoded SURB (from `createSurb`) the recipient may answer through. */
  readonly surb?: Uint8Array;
  /** Source of the session secret. @default the backend's secure random */
  readonly random?: RandomBytes;
  /** Fixed session secret, for vectors only (normally drawn from `random`). */
  readonly sessionSecret?: Uint8Array;
}

export interface CreatedPacket {
  readonly packet: Uint8Array;
  /** Where to send `packet`: the first hop of the path. */
  readonly firstHop: NextHop;
}

/** Builds a packet for `path`: header (Sphinx §3.2) and payload. */
export function createPacket(profile: OnionProfile, input: CreatePacketInput): CreatedPacket {
  const destination = input.destination ?? { type: 'deliver' };
  const plain = encodePayload(profile, input.message, input.surb);
  const session =
    input.sessionSecret ?? newSessionSecret(profile, input.random ?? profile.backend.randomBytes);
  const built = buildHeader(profile, session, input.path, destination, input.epoch);
  const packet = new Uint8Array(profile.packetLength);
  packet.set(built.header);
  packet.set(wrapPayload(profile, built.hops, plain), profile.headerLength);
  const first = input.path[0]!;
  return {
    packet,
    firstHop: {
      peerId: assertBytes(first.peerId, 'peerId', PEER_ID_LENGTH).slice(),
      hint: assertBytes(first.hint, 'hint', ADDRESS_HINT_LENGTH).slice(),
    },
  };
}

/**
 * One hop, pure (Sphinx §3, mix processing): size, version, DH, header MAC in constant time,
 * routing command, payload layer; nothing is remembered. `epoch` is the full epoch number
 * `secretKey` belongs to (the relay resolves it from the header's 16-bit field). Throws a typed
 * error for every rejection.
 */
export function peelPacket(
  profile: OnionProfile,
  secretKey: Uint8Array,
  packet: Uint8Array,
  epoch: number,
): PeeledPacket {
  const field = readPacketEpoch(profile, packet);
  if (field !== epochField(epoch)) {
    throw new ValidationError(
      'ONION_EPOCH_MISMATCH',
      `packet epoch field ${field} does not match key epoch ${epoch}`,
    );
  }
  const header = packet.subarray(0, profile.headerLength);
  // The packet to forward is built in one array: the next header is written into its start and
  // the payload is decrypted in place at its end (each array allocated costs a hop time).
  const next = new Uint8Array(profile.packetLength);
  const peeled = peelHeader(
    profile.header,
    secretKey,
    header,
    new Uint8Array(0),
    (hopData) => hopData[0] === COMMAND_TYPE.forward,
    next.subarray(0, profile.headerLength),
  );
  const command = decodeCommand(peeled.hopData);
  const nextBody = next.subarray(profile.headerLength);
  nextBody.set(packet.subarray(profile.headerLength));
  lionessDecryptInPlace(profile.hash, peeled.keys.payloadKey, nextBody);
  const replayTag = peeled.keys.replayTag;
  const sharedSecret = peeled.keys.sharedSecret;
  switch (command.type) {
    case 'forward': {
      return {
        epoch,
        replayTag,
        sharedSecret,
        result: {
          type: 'forward',
          nextHop: { peerId: command.peerId, hint: command.hint },
          packet: next,
        },
      };
    }
    case 'reply':
      return {
        epoch,
        replayTag,
        sharedSecret,
        result: { type: 'reply', surbId: command.surbId, payload: nextBody.slice() },
      };
    case 'deliver': {
      const { message, surb } = decodePayload(profile, nextBody);
      const result: HopResult =
        surb === undefined ? { type: 'deliver', message } : { type: 'deliver', message, surb };
      return { epoch, replayTag, sharedSecret, result };
    }
    case 'mailbox': {
      const { message, surb } = decodePayload(profile, nextBody);
      const { mailboxId } = command;
      const result: HopResult =
        surb === undefined
          ? { type: 'mailbox', mailboxId, message }
          : { type: 'mailbox', mailboxId, message, surb };
      return { epoch, replayTag, sharedSecret, result };
    }
  }
}
