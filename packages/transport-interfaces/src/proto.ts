import { DecodeError, LimitError, ValidationError } from './errors';

/**
 * A small, strict codec for the protobuf wire format (protobuf.dev, "Encoding"): varints (wire
 * type 0), 64-bit (1), length-delimited (2) and 32-bit (5) fields. Message schemas live in each
 * package's `.proto` file; the codecs beside them are written by hand against this reader and
 * writer, which check every length against a limit before reading and report every malformed
 * input as a DecodeError with a stable code. Groups (3, 4) are rejected.
 */
export const WireType = { VARINT: 0, FIXED64: 1, BYTES: 2, FIXED32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const MAX_FIELD_NUMBER = 536_870_911; // 2^29 - 1, the protobuf maximum

/** Builds one message. Fields are written in the order called; write them in field order. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.length += this.scratch.length;
    this.scratch = [];
  }

  private varint(value: bigint | number): void {
    let v = BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    if (v > 0xffff_ffff_ffff_ffffn) {
      throw new ValidationError('PROTO_VALUE_RANGE', 'varint value exceeds 64 bits');
    }
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > MAX_FIELD_NUMBER) {
      throw new ValidationError('PROTO_FIELD_NUMBER', `invalid field number ${field}`);
    }
    this.varint(field * 8 + wireType);
  }

  /** uint32/uint64/enum field (wire type 0). Numbers must be safe non-negative integers. */
  uint(field: number, value: number | bigint): this {
    if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0)) {
      throw new ValidationError('PROTO_VALUE_RANGE', `field ${field}: expected unsigned integer`);
    }
    if (typeof value === 'bigint' && value < 0n) {
      throw new ValidationError('PROTO_VALUE_RANGE', `field ${field}: expected unsigned integer`);
    }
    this.tag(field, WireType.VARINT);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** bytes field (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.BYTES);
    this.varint(value.length);
    this.flushScratch();
    this.chunks.push(value.slice());
    this.length += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** An embedded message field: `value` is the encoded submessage. */
  message(field: number, value: Uint8Array): this {
    return this.bytes(field, value);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/** One field as read off the wire. `value` is a bigint for varints and fixed64. */
export interface ProtoField {
  readonly field: number;
  readonly wireType: WireType;
  readonly varint?: bigint;
  readonly bytes?: Uint8Array;
}

/**
 * Reads a whole message into its fields, checking `maxBytes` before anything else. Sub-slices of
 * `bytes` are returned as views (callers keep the received bytes, e.g. to verify a signature).
 */
export function readProtoFields(
  bytes: Uint8Array,
  maxBytes: number,
  maxFields = 256,
): ProtoField[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new DecodeError('DECODE_NOT_BYTES', 'expected Uint8Array');
  }
  if (bytes.length > maxBytes) {
    throw new LimitError(
      'DECODE_TOO_LARGE',
      `message of ${bytes.length} bytes exceeds ${maxBytes}`,
    );
  }
  const fields: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new DecodeError('DECODE_TRUNCATED', 'truncated varint');
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffff_ffff_ffff_ffffn) {
          throw new DecodeError('DECODE_VARINT_OVERFLOW', 'varint exceeds 64 bits');
        }
        return result;
      }
    }
    throw new DecodeError('DECODE_VARINT_OVERFLOW', 'varint longer than 10 bytes');
  };
  const take = (n: number): Uint8Array => {
    if (n > bytes.length - pos) {
      throw new DecodeError(
        'DECODE_TRUNCATED',
        `field needs ${n} bytes, ${bytes.length - pos} left`,
      );
    }
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < bytes.length) {
    if (fields.length >= maxFields) {
      throw new LimitError('DECODE_TOO_MANY_FIELDS', `more than ${maxFields} fields`);
    }
    const key = readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field < 1 || field > MAX_FIELD_NUMBER) {
      throw new DecodeError('DECODE_FIELD_NUMBER', `invalid field number ${field}`);
    }
    switch (wireType) {
      case WireType.VARINT:
        fields.push({ field, wireType, varint: readVarint() });
        break;
      case WireType.FIXED64: {
        const b = take(8);
        const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
        fields.push({ field, wireType, varint: v, bytes: b });
        break;
      }
      case WireType.BYTES: {
        const len = readVarint();
        if (len > BigInt(bytes.length - pos)) {
          throw new DecodeError(
            'DECODE_TRUNCATED',
            `length ${len} exceeds the ${bytes.length - pos} bytes left`,
          );
        }
        fields.push({ field, wireType, bytes: take(Number(len)) });
        break;
      }
      case WireType.FIXED32: {
        const b = take(4);
        const v = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
        fields.push({ field, wireType, varint: BigInt(v), bytes: b });
        break;
      }
      default:
        throw new DecodeError(
          'DECODE_WIRE_TYPE',
          `unsupported wire type ${wireType} for field ${field}`,
        );
    }
  }
  return fields;
}

/**
 * Typed access to a message's fields by number. Each getter checks the wire type and that a
 * singular field appears at most once; `required*` getters throw DECODE_MISSING_FIELD.
 * `assertKnown` rejects fields not in the schema where a message must be exact (signed records).
 */
export class ProtoMessage {
  readonly fields: readonly ProtoField[];

  constructor(fields: readonly ProtoField[]) {
    this.fields = fields;
  }

  static decode(bytes: Uint8Array, maxBytes: number, maxFields?: number): ProtoMessage {
    return new ProtoMessage(readProtoFields(bytes, maxBytes, maxFields));
  }

  private single(field: number, wireType: WireType): ProtoField | undefined {
    let found: ProtoField | undefined;
    for (const f of this.fields) {
      if (f.field !== field) continue;
      if (f.wireType !== wireType) {
        throw new DecodeError(
          'DECODE_WIRE_TYPE',
          `field ${field} has wire type ${f.wireType}, expected ${wireType}`,
        );
      }
      if (found !== undefined) {
        throw new DecodeError('DECODE_DUPLICATE_FIELD', `field ${field} appears more than once`);
      }
      found = f;
    }
    return found;
  }

  /** An unsigned varint field that must fit in a safe integer (≤ 2^53 - 1). */
  uint(field: number): number | undefined {
    const f = this.single(field, WireType.VARINT);
    if (f === undefined) return undefined;
    const v = f.varint!;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DecodeError('DECODE_VALUE_RANGE', `field ${field} exceeds 2^53 - 1`);
    }
    return Number(v);
  }

  uint64(field: number): bigint | undefined {
    return this.single(field, WireType.VARINT)?.varint;
  }

  bool(field: number): boolean | undefined {
    const v = this.uint(field);
    if (v === undefined) return undefined;
    if (v > 1) throw new DecodeError('DECODE_VALUE_RANGE', `field ${field} is not a bool`);
    return v === 1;
  }

  /** A bytes field; `maxLength` (and an exact `length`) are checked. */
  bytes(
    field: number,
    limits: { maxLength?: number; length?: number } = {},
  ): Uint8Array | undefined {
    const b = this.single(field, WireType.BYTES)?.bytes;
    if (b === undefined) return undefined;
    checkLength(field, b, limits);
    return b;
  }

  string(field: number, maxLength?: number): string | undefined {
    const b = this.bytes(field, maxLength === undefined ? {} : { maxLength });
    if (b === undefined) return undefined;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      throw new DecodeError('DECODE_INVALID_UTF8', `field ${field} is not valid UTF-8`);
    }
  }

  /** Every occurrence of a repeated bytes/string/message field, at most `maxCount`. */
  repeatedBytes(
    field: number,
    maxCount: number,
    limits: { maxLength?: number; length?: number } = {},
  ): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of this.fields) {
      if (f.field !== field) continue;
      if (f.wireType !== WireType.BYTES) {
        throw new DecodeError(
          'DECODE_WIRE_TYPE',
          `field ${field} has wire type ${f.wireType}, expected 2`,
        );
      }
      if (out.length >= maxCount) {
        throw new LimitError(
          'DECODE_TOO_MANY_VALUES',
          `field ${field} has more than ${maxCount} values`,
        );
      }
      checkLength(field, f.bytes!, limits);
      out.push(f.bytes!);
    }
    return out;
  }

  requiredUint(field: number): number {
    return required(field, this.uint(field));
  }

  requiredUint64(field: number): bigint {
    return required(field, this.uint64(field));
  }

  requiredBytes(field: number, limits: { maxLength?: number; length?: number } = {}): Uint8Array {
    return required(field, this.bytes(field, limits));
  }

  requiredString(field: number, maxLength?: number): string {
    return required(field, this.string(field, maxLength));
  }

  /** Rejects any field number not in `known` (for messages that must be exact). */
  assertKnown(known: readonly number[]): void {
    for (const f of this.fields) {
      if (!known.includes(f.field)) {
        throw new DecodeError('DECODE_UNKNOWN_FIELD', `unknown field ${f.field}`);
      }
    }
  }
}

function required<T>(field: number, value: T | undefined): T {
  if (value === undefined)
    throw new DecodeError('DECODE_MISSING_FIELD', `field ${field} is missing`);
  return value;
}

function checkLength(
  field: number,
  b: Uint8Array,
  limits: { maxLength?: number; length?: number },
): void {
  if (limits.length !== undefined && b.length !== limits.length) {
    throw new DecodeError(
      'DECODE_FIELD_LENGTH',
      `field ${field} has ${b.length} bytes, expected ${limits.length}`,
    );
  }
  if (limits.maxLength !== undefined && b.length > limits.maxLength) {
    throw new DecodeError(
      'DECODE_FIELD_LENGTH',
      `field ${field} has ${b.length} bytes, at most ${limits.maxLength} allowed`,
    );
  }
}
