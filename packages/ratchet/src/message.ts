import {
  DecodeError,
  ProtoMessage,
  ProtoWriter,
  ValidationError,
} from '@p2pe/transport-interfaces';
import { MAX_MESSAGE_BYTES, RATCHET_WIRE_VERSION } from './constants';

/** The ratchet header (Double Ratchet spec §3.1): sender's ratchet key, PN and N. */
export interface RatchetHeader {
  readonly dh: Uint8Array;
  readonly pn: number;
  readonly n: number;
}

/** A RatchetMessage as read off the wire: `header` and `body` are views of the received bytes. */
export interface RatchetMessageParts {
  readonly version: number;
  readonly header: Uint8Array;
  readonly body: Uint8Array;
}

const MAX_HEADER_BYTES = 512;
const MAX_COUNTER = 0xffff_ffff;

/*
 * The hot path (one header and one message per ratchet message) writes and reads the canonical
 * protobuf layout directly, without the general codec's bigint varints: fields in order, each
 * once, minimal varints. The bytes are exactly those ProtoWriter writes (the tests check it); any
 * input that is not in the canonical layout goes through the general, strict ProtoMessage decoder,
 * so both paths accept the same messages.
 */

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

/** Reads a minimal varint of at most 5 bytes (< 2^35); -1 when absent, longer or not minimal. */
function readSmallVarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= b.length) return [-1, pos];
    const x = b[pos++]!;
    v += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) {
      if (x === 0 && i > 0) return [-1, pos]; // not minimal: leave it to the general decoder
      return [v, pos];
    }
    mul *= 128;
  }
  return [-1, pos];
}

export function encodeHeader(h: RatchetHeader): Uint8Array {
  if (h.dh.length >= 0x80 || h.pn > MAX_COUNTER || h.n > MAX_COUNTER) {
    return new ProtoWriter().bytes(1, h.dh).uint(2, h.pn).uint(3, h.n).finish();
  }
  const out = new Uint8Array(2 + h.dh.length + 2 + varintLength(h.pn) + varintLength(h.n));
  out[0] = 0x0a;
  out[1] = h.dh.length;
  out.set(h.dh, 2);
  let pos = 2 + h.dh.length;
  out[pos++] = 0x10;
  pos = writeVarint(out, pos, h.pn);
  out[pos++] = 0x18;
  writeVarint(out, pos, h.n);
  return out;
}

function fastHeader(b: Uint8Array, dhLength: number): RatchetHeader | undefined {
  if (dhLength >= 0x80 || b.length < 2 + dhLength + 4) return undefined;
  if (b[0] !== 0x0a || b[1] !== dhLength) return undefined;
  let pos = 2 + dhLength;
  if (b[pos++] !== 0x10) return undefined;
  const [pn, p1] = readSmallVarint(b, pos);
  if (pn < 0 || b[p1] !== 0x18) return undefined;
  const [n, p2] = readSmallVarint(b, p1 + 1);
  if (n < 0 || p2 !== b.length || pn > MAX_COUNTER || n > MAX_COUNTER) return undefined;
  return { dh: b.subarray(2, 2 + dhLength), pn, n };
}

export function decodeHeader(bytes: Uint8Array, dhLength: number): RatchetHeader {
  const fast = fastHeader(bytes, dhLength);
  if (fast !== undefined) return fast;
  const m = ProtoMessage.decode(bytes, MAX_HEADER_BYTES, 8);
  m.assertKnown([1, 2, 3]);
  const dh = m.requiredBytes(1, { length: dhLength });
  // All three fields are required, zeros included (the encoder always writes them). A header
  // that may omit a trailing zero counter is not prefix-free, and the message AD is
  // `... || header || len || extra` with no length before the header: "header without n=0"
  // plus an extra AD starting 0x18 0x00 would then authenticate as the sender's pair.
  const pn = m.requiredUint(2);
  const n = m.requiredUint(3);
  if (pn > MAX_COUNTER || n > MAX_COUNTER) {
    throw new DecodeError('RATCHET_COUNTER_RANGE', 'message counter exceeds 2^32 - 1');
  }
  return { dh, pn, n };
}

export function encodeRatchetMessage(header: Uint8Array, body: Uint8Array): Uint8Array {
  const message = allocateRatchetMessage(header, body.length);
  message.body.set(body);
  return message.bytes;
}

/**
 * A RatchetMessage with its version and header written and `bodyLength` bytes left for the body:
 * the sender encrypts straight into `body`, so a message costs one array, not two.
 */
export function allocateRatchetMessage(
  header: Uint8Array,
  bodyLength: number,
): { bytes: Uint8Array; body: Uint8Array } {
  const bytes = new Uint8Array(
    2 + 1 + varintLength(header.length) + header.length + 1 + varintLength(bodyLength) + bodyLength,
  );
  bytes[0] = 0x08;
  bytes[1] = RATCHET_WIRE_VERSION;
  bytes[2] = 0x12;
  let pos = writeVarint(bytes, 3, header.length);
  bytes.set(header, pos);
  pos += header.length;
  bytes[pos++] = 0x1a;
  pos = writeVarint(bytes, pos, bodyLength);
  return { bytes, body: bytes.subarray(pos) };
}

function fastMessage(b: Uint8Array): RatchetMessageParts | undefined {
  if (b.length < 6 || b[0] !== 0x08 || b[1] !== RATCHET_WIRE_VERSION || b[2] !== 0x12) {
    return undefined;
  }
  const [hl, p1] = readSmallVarint(b, 3);
  if (hl < 0 || hl > MAX_HEADER_BYTES || p1 + hl >= b.length || b[p1 + hl] !== 0x1a) {
    return undefined;
  }
  const [bl, p2] = readSmallVarint(b, p1 + hl + 1);
  if (bl < 0 || p2 + bl !== b.length) return undefined;
  return {
    version: RATCHET_WIRE_VERSION,
    header: b.subarray(p1, p1 + hl),
    body: b.subarray(p2),
  };
}

/** Size limit, then version, then fields. */
export function decodeRatchetMessage(bytes: Uint8Array): RatchetMessageParts {
  if (!(bytes instanceof Uint8Array)) {
    throw new ValidationError('INVALID_ARGUMENT', '"message" expected Uint8Array');
  }
  if (bytes.length <= MAX_MESSAGE_BYTES) {
    const fast = fastMessage(bytes);
    if (fast !== undefined) return fast;
  }
  const m = ProtoMessage.decode(bytes, MAX_MESSAGE_BYTES, 8);
  const version = m.requiredUint(1);
  if (version !== RATCHET_WIRE_VERSION) {
    throw new DecodeError(
      'RATCHET_VERSION',
      `ratchet message version ${version}, expected ${RATCHET_WIRE_VERSION}`,
    );
  }
  m.assertKnown([1, 2, 3]);
  const header = m.requiredBytes(2, { maxLength: MAX_HEADER_BYTES });
  const body = m.requiredBytes(3);
  return { version, header, body };
}
