import { DecodeError, LimitError, ValidationError } from './errors';
import type { Source, Transform } from './stream';

/**
 * Length-prefixed frames: each frame is an unsigned LEB128 varint length followed by that many
 * bytes (the framing of libp2p's `it-length-prefixed`). The decoder checks the announced length
 * against `maxFrameSize` before allocating anything, and holds at most one frame in memory.
 * Both are it-pipe transforms: `pipe(source, encodeFrames(), conn.sink)`.
 */
export const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024; // 1 MiB: far above any P2PE message

// A varint of 10 bytes covers 2^64; a frame limit below 2^53 needs at most 8.
const MAX_VARINT_BYTES = 8;

export interface FramingOptions {
  /** Largest frame payload accepted or produced, in bytes (default 1 MiB). */
  maxFrameSize?: number;
}

function maxSize(options: FramingOptions | undefined): number {
  const max = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  if (!Number.isSafeInteger(max) || max < 0 || max >= 2 ** 53) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `"maxFrameSize" expected a non-negative safe integer`,
    );
  }
  return max;
}

/** The varint length prefix of a frame of `length` bytes. */
export function encodeFrameLength(length: number): Uint8Array {
  const out: number[] = [];
  let v = length;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Prefixes each chunk with its length; throws LimitError FRAME_TOO_LARGE past the limit. */
export function encodeFrames(options?: FramingOptions): Transform<Uint8Array, Uint8Array> {
  const max = maxSize(options);
  return async function* (source: Source<Uint8Array>) {
    for await (const frame of source) {
      if (frame.length > max) {
        throw new LimitError('FRAME_TOO_LARGE', `frame of ${frame.length} bytes exceeds ${max}`);
      }
      const prefix = encodeFrameLength(frame.length);
      const out = new Uint8Array(prefix.length + frame.length);
      out.set(prefix);
      out.set(frame, prefix.length);
      yield out;
    }
  };
}

/**
 * Splits a byte stream, chunked at any boundaries, back into frames. Throws LimitError
 * FRAME_TOO_LARGE when a prefix announces more than the limit (before allocating it),
 * DecodeError FRAME_BAD_LENGTH for an over-long varint, and DecodeError FRAME_TRUNCATED when
 * the stream ends inside a frame.
 */
export function decodeFrames(options?: FramingOptions): Transform<Uint8Array, Uint8Array> {
  const max = maxSize(options);
  return async function* (source: Source<Uint8Array>) {
    // Bytes received but not yet consumed, as a queue of chunks (no re-concatenation per chunk).
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let frameLength = -1; // -1: reading a length prefix
    let lengthValue = 0;
    let lengthBytes = 0;
    let frame: Uint8Array | undefined;
    let frameFilled = 0;

    for await (const chunk of source) {
      if (chunk.length === 0) continue;
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes > 0) {
        if (frameLength < 0) {
          const head = pending[0]!;
          const byte = head[0]!;
          shift(1);
          lengthValue += (byte & 0x7f) * 2 ** (7 * lengthBytes);
          lengthBytes++;
          if (lengthValue > max) {
            throw new LimitError('FRAME_TOO_LARGE', `frame announces more than ${max} bytes`);
          }
          if (byte & 0x80) {
            if (lengthBytes >= MAX_VARINT_BYTES) {
              throw new DecodeError('FRAME_BAD_LENGTH', 'frame length prefix is too long');
            }
            continue;
          }
          frameLength = lengthValue;
          lengthValue = 0;
          lengthBytes = 0;
          frame = new Uint8Array(frameLength);
          frameFilled = 0;
        }
        if (frameFilled < frameLength) {
          if (pendingBytes === 0) break;
          const head = pending[0]!;
          const n = Math.min(head.length, frameLength - frameFilled);
          frame!.set(head.subarray(0, n), frameFilled);
          frameFilled += n;
          shift(n);
        }
        if (frameFilled === frameLength) {
          const done = frame!;
          frame = undefined;
          frameLength = -1;
          yield done;
        }
      }
    }
    if (frameLength >= 0 || lengthBytes > 0) {
      throw new DecodeError('FRAME_TRUNCATED', 'stream ended inside a frame');
    }

    function shift(n: number): void {
      const head = pending[0]!;
      if (n === head.length) pending.shift();
      else pending[0] = head.subarray(n);
      pendingBytes -= n;
    }
  };
}
