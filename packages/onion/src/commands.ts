/**
 * Routing commands: what a hop finds in its slot of the header (the per-hop routing information
 * Sphinx puts in β, §3.2; our layout). Every command is COMMAND_LENGTH (33) bytes: a type byte and
 * a 32-byte body, unused body bytes zero. Decoding is strict: an unknown type or a non-zero unused
 * byte is `ONION_COMMAND_MALFORMED` (an honest sender never writes one; the MAC has already
 * verified).
 *
 *   0x01 forward  peer_id[16] || address_hint[16]   pass the packet to the next hop
 *   0x02 deliver  zero[32]                          the payload is for this node
 *   0x03 mailbox  mailbox_id[32]                    hold the payload for an offline recipient
 *   0x04 reply    surb_id[16] || zero[16]           a reply through a SURB this node created
 */
import { assertBytes, DecodeError } from '@p2pe/transport-interfaces';
import {
  ADDRESS_HINT_LENGTH,
  COMMAND_LENGTH,
  MAILBOX_ID_LENGTH,
  PEER_ID_LENGTH,
  SURB_ID_LENGTH,
} from './constants';

export const COMMAND_TYPE = Object.freeze({
  forward: 0x01,
  deliver: 0x02,
  mailbox: 0x03,
  reply: 0x04,
} as const);

/** Where the next hop is: a short peer id and an opaque address hint (both 16 bytes). */
export interface NextHop {
  readonly peerId: Uint8Array;
  readonly hint: Uint8Array;
}

export type RoutingCommand =
  | { readonly type: 'forward'; readonly peerId: Uint8Array; readonly hint: Uint8Array }
  | { readonly type: 'deliver' }
  | { readonly type: 'mailbox'; readonly mailboxId: Uint8Array }
  | { readonly type: 'reply'; readonly surbId: Uint8Array };

/** The 33-byte encoding of a routing command. */
export function encodeCommand(command: RoutingCommand): Uint8Array {
  const out = new Uint8Array(COMMAND_LENGTH);
  out[0] = COMMAND_TYPE[command.type];
  switch (command.type) {
    case 'forward':
      out.set(assertBytes(command.peerId, 'peerId', PEER_ID_LENGTH), 1);
      out.set(assertBytes(command.hint, 'hint', ADDRESS_HINT_LENGTH), 1 + PEER_ID_LENGTH);
      break;
    case 'mailbox':
      out.set(assertBytes(command.mailboxId, 'mailboxId', MAILBOX_ID_LENGTH), 1);
      break;
    case 'reply':
      out.set(assertBytes(command.surbId, 'surbId', SURB_ID_LENGTH), 1);
      break;
    case 'deliver':
      break;
  }
  return out;
}

function malformed(message: string): DecodeError {
  return new DecodeError('ONION_COMMAND_MALFORMED', message);
}

function requireZero(bytes: Uint8Array, from: number, type: number): void {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw malformed(`routing command type ${type}: non-zero unused byte`);
  }
}

/** Decodes a 33-byte routing command; DecodeError `ONION_COMMAND_MALFORMED` when malformed. */
export function decodeCommand(bytes: Uint8Array): RoutingCommand {
  if (bytes.length !== COMMAND_LENGTH) {
    throw malformed(`routing command expected ${COMMAND_LENGTH} bytes, got length=${bytes.length}`);
  }
  const type = bytes[0]!;
  switch (type) {
    case COMMAND_TYPE.forward:
      return {
        type: 'forward',
        peerId: bytes.slice(1, 1 + PEER_ID_LENGTH),
        hint: bytes.slice(1 + PEER_ID_LENGTH, COMMAND_LENGTH),
      };
    case COMMAND_TYPE.deliver:
      requireZero(bytes, 1, type);
      return { type: 'deliver' };
    case COMMAND_TYPE.mailbox:
      return { type: 'mailbox', mailboxId: bytes.slice(1, 1 + MAILBOX_ID_LENGTH) };
    case COMMAND_TYPE.reply:
      requireZero(bytes, 1 + SURB_ID_LENGTH, type);
      return { type: 'reply', surbId: bytes.slice(1, 1 + SURB_ID_LENGTH) };
    default:
      throw malformed(`unknown routing command type ${type}`);
  }
}
