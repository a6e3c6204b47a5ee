/**
 * Single-use reply blocks (Sphinx §3, replies). The creator builds a header for a path it chooses,
 * ending at itself with a `reply` command, and gives the replier the header, the first hop and a
 * reply key k̃. The replier encrypts its payload under k̃ and sends header || payload; each hop
 * strips its layer as for any packet, so a relay cannot tell a reply from a forward packet. Only
 * the creator, who kept every hop's payload key, can undo the layers and k̃ and read the reply
 * (besides the replier, and whoever else decodes the forward payload that carried the SURB: a
 * mailbox relay does). The replier learns the first hop of the path, not the rest nor the creator.
 *
 *   surb        = version[1] || first peer id[16] || first hint[16] || header[H] || k̃[32]
 *   surb secret = version[1] || surb id[16] || k̃[32] || hops[1] || hops × payload key[32]
 */
import {
  assertBytes,
  DecodeError,
  type RandomBytes,
  utf8,
  ValidationError,
} from '@p2pe/transport-interfaces';
import type { NextHop } from './commands';
import {
  ADDRESS_HINT_LENGTH,
  LABELS,
  LIONESS_KEY_LENGTH,
  MAX_HOPS_LIMIT,
  PEER_ID_LENGTH,
  SURB_ID_LENGTH,
  SURB_REPLY_KEY_LENGTH,
  SURB_VERSION,
} from './constants';
import { lionessDecrypt, lionessEncrypt } from './lioness';
import {
  buildHeader,
  type CreatedPacket,
  decodePayload,
  encodePayload,
  newSessionSecret,
  type OnionHop,
} from './packet';
import type { OnionProfile } from './profile';

/** What the creator keeps to read the reply; secret, and used once. */
export interface SurbSecret {
  readonly surbId: Uint8Array;
  readonly replyKey: Uint8Array;
  /** Every hop's LIONESS payload key, in path order. */
  readonly payloadKeys: readonly Uint8Array[];
}

export interface CreateSurbInput {
  /** The reply path, ending at the creator's own onion key. 1 to `maxHops` hops. */
  readonly path: readonly OnionHop[];
  readonly epoch: number;
  /** @default the backend's secure random */
  readonly random?: RandomBytes;
  /** Fixed values, for vectors only (normally drawn from `random`). */
  readonly sessionSecret?: Uint8Array;
  readonly replyKey?: Uint8Array;
  readonly surbId?: Uint8Array;
}

export interface CreatedSurb {
  /** The encoded SURB to send to the replier (e.g. inside a packet's payload). */
  readonly surb: Uint8Array;
  readonly secret: SurbSecret;
}

function replyLionessKey(profile: OnionProfile, replyKey: Uint8Array): Uint8Array {
  return profile.backend
    .hash('SHA256')
    .hkdf(replyKey, undefined, utf8(LABELS.surbPayload), LIONESS_KEY_LENGTH);
}

/** Builds a reply block for `path` (a SURB: Sphinx §3, replies). */
export function createSurb(profile: OnionProfile, input: CreateSurbInput): CreatedSurb {
  const random = input.random ?? profile.backend.randomBytes;
  const session = input.sessionSecret ?? newSessionSecret(profile, random);
  const replyKey = assertBytes(
    input.replyKey ?? random(SURB_REPLY_KEY_LENGTH),
    'replyKey',
    SURB_REPLY_KEY_LENGTH,
  );
  const surbId = assertBytes(input.surbId ?? random(SURB_ID_LENGTH), 'surbId', SURB_ID_LENGTH);
  const built = buildHeader(profile, session, input.path, { type: 'reply', surbId }, input.epoch);
  const first = input.path[0]!;
  const surb = new Uint8Array(profile.surbLength);
  surb[0] = SURB_VERSION;
  surb.set(assertBytes(first.peerId, 'peerId', PEER_ID_LENGTH), 1);
  surb.set(assertBytes(first.hint, 'hint', ADDRESS_HINT_LENGTH), 1 + PEER_ID_LENGTH);
  surb.set(built.header, 1 + PEER_ID_LENGTH + ADDRESS_HINT_LENGTH);
  surb.set(replyKey, profile.surbLength - SURB_REPLY_KEY_LENGTH);
  return {
    surb,
    secret: {
      surbId: surbId.slice(),
      replyKey: replyKey.slice(),
      payloadKeys: built.hops.map((h) => h.payloadKey),
    },
  };
}

/** Size, then version, then fields. DecodeError `ONION_SURB_SIZE` / `ONION_SURB_VERSION`. */
export function decodeSurb(
  profile: OnionProfile,
  surb: Uint8Array,
): { firstHop: NextHop; header: Uint8Array; replyKey: Uint8Array } {
  assertBytes(surb, 'surb');
  if (surb.length !== profile.surbLength) {
    throw new DecodeError(
      'ONION_SURB_SIZE',
      `SURB expected ${profile.surbLength} bytes, got length=${surb.length}`,
    );
  }
  if (surb[0] !== SURB_VERSION) {
    throw new DecodeError('ONION_SURB_VERSION', `SURB version ${surb[0]} is not supported`);
  }
  const h = 1 + PEER_ID_LENGTH + ADDRESS_HINT_LENGTH;
  return {
    firstHop: {
      peerId: surb.slice(1, 1 + PEER_ID_LENGTH),
      hint: surb.slice(1 + PEER_ID_LENGTH, h),
    },
    header: surb.slice(h, h + profile.headerLength),
    replyKey: surb.slice(h + profile.headerLength),
  };
}

/** The replier: a packet answering through `surb` (no SURB inside a reply). */
export function createReplyPacket(
  profile: OnionProfile,
  surb: Uint8Array,
  message: Uint8Array,
): CreatedPacket {
  const { firstHop, header, replyKey } = decodeSurb(profile, surb);
  const plain = encodePayload(profile, message);
  const packet = new Uint8Array(profile.packetLength);
  packet.set(header);
  packet.set(
    lionessEncrypt(profile.hash, replyLionessKey(profile, replyKey), plain),
    profile.headerLength,
  );
  return { packet, firstHop };
}

/**
 * The creator reads a reply: re-applies every hop's π (the hops applied π⁻¹), then undoes k̃,
 * then checks the zero block. VerificationError `ONION_PAYLOAD_TAMPERED` when the payload was
 * modified or `secret` is not the one this reply was made with.
 */
export function openReply(
  profile: OnionProfile,
  secret: SurbSecret,
  payload: Uint8Array,
): Uint8Array {
  assertBytes(payload, 'payload', profile.payloadLength);
  let body = payload;
  for (let i = secret.payloadKeys.length - 1; i >= 0; i--) {
    body = lionessEncrypt(profile.hash, secret.payloadKeys[i]!, body);
  }
  body = lionessDecrypt(profile.hash, replyLionessKey(profile, secret.replyKey), body);
  return decodePayload(profile, body).message;
}

/** Versioned bytes of a SURB secret, to keep it across restarts (store them encrypted). */
export function encodeSurbSecret(secret: SurbSecret): Uint8Array {
  const n = secret.payloadKeys.length;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_HOPS_LIMIT) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"payloadKeys" expected 1 to ${MAX_HOPS_LIMIT} keys, got ${n}`,
    );
  }
  const out = new Uint8Array(
    1 + SURB_ID_LENGTH + SURB_REPLY_KEY_LENGTH + 1 + n * LIONESS_KEY_LENGTH,
  );
  out[0] = SURB_VERSION;
  out.set(assertBytes(secret.surbId, 'surbId', SURB_ID_LENGTH), 1);
  out.set(assertBytes(secret.replyKey, 'replyKey', SURB_REPLY_KEY_LENGTH), 1 + SURB_ID_LENGTH);
  out[1 + SURB_ID_LENGTH + SURB_REPLY_KEY_LENGTH] = n;
  secret.payloadKeys.forEach((k, i) => {
    out.set(
      assertBytes(k, 'payloadKey', LIONESS_KEY_LENGTH),
      2 + SURB_ID_LENGTH + SURB_REPLY_KEY_LENGTH + i * LIONESS_KEY_LENGTH,
    );
  });
  return out;
}

/** Size limit, version, then fields. DecodeError `ONION_SURB_SECRET_MALFORMED`. */
export function decodeSurbSecret(bytes: Uint8Array, maxHops = MAX_HOPS_LIMIT): SurbSecret {
  assertBytes(bytes, 'bytes');
  if (!Number.isSafeInteger(maxHops) || maxHops < 1 || maxHops > MAX_HOPS_LIMIT) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"maxHops" expected an integer in [1, ${MAX_HOPS_LIMIT}], got ${maxHops}`,
    );
  }
  const head = 2 + SURB_ID_LENGTH + SURB_REPLY_KEY_LENGTH;
  const bad = (why: string) => new DecodeError('ONION_SURB_SECRET_MALFORMED', why);
  if (bytes.length < head || bytes.length > head + maxHops * LIONESS_KEY_LENGTH) {
    throw bad(`SURB secret of length ${bytes.length} is out of range`);
  }
  if (bytes[0] !== SURB_VERSION) throw bad(`SURB secret version ${bytes[0]} is not supported`);
  const n = bytes[head - 1]!;
  if (n < 1 || n > maxHops || bytes.length !== head + n * LIONESS_KEY_LENGTH) {
    throw bad(`SURB secret with ${n} hops has length ${bytes.length}`);
  }
  return {
    surbId: bytes.slice(1, 1 + SURB_ID_LENGTH),
    replyKey: bytes.slice(1 + SURB_ID_LENGTH, head - 1),
    payloadKeys: Array.from({ length: n }, (_, i) =>
      bytes.slice(head + i * LIONESS_KEY_LENGTH, head + (i + 1) * LIONESS_KEY_LENGTH),
    ),
  };
}
