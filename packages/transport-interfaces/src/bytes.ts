import { DecodeError, ValidationError } from './errors';

/**
 * Checks that `value` is a Uint8Array (of `length`, when given). Errors read like noble's:
 * `"key" expected Uint8Array of length 32, got length=31`.
 */
export function assertBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"${name}" expected Uint8Array, got ${typeOf(value)}`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw new ValidationError(
      'INVALID_LENGTH',
      `"${name}" expected Uint8Array of length ${length}, got length=${value.length}`,
    );
  }
  return value;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes from hex (either case); throws ValidationError on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ValidationError('INVALID_HEX', `expected even-length hex, got length=${hex.length}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A string from UTF-8 bytes; throws DecodeError `INVALID_UTF8` on malformed input. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DecodeError('INVALID_UTF8', `invalid UTF-8 in ${bytes.length} bytes`);
  }
}
