/**
 * The base of every error P2PE throws. Each subclass has a stable `code` that callers branch on
 * (`P2peError.is(err, 'DECODE_TRUNCATED')`), and a `category` that groups codes by what went wrong.
 * Messages carry counts, lengths and versions only: never key material, plaintext or user data.
 */
export type ErrorCategory =
  | 'validation' // a caller passed an argument that cannot be right
  | 'decode' // bytes from outside failed to parse
  | 'verification' // a MAC, tag or signature did not verify
  | 'state' // the operation is not valid in the current state
  | 'limit' // a configured bound would be exceeded
  | 'io' // a transport or store failed
  | 'aborted' // an AbortSignal fired
  | 'internal'; // a bug: an invariant of our own code did not hold

export class P2peError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;

  constructor(code: string, category: ErrorCategory, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.category = category;
    this.name = new.target.name;
  }

  /** Type guard: `err` is a P2PE error, and has `code` when one is given. */
  static is(err: unknown, code?: string): err is P2peError {
    return err instanceof P2peError && (code === undefined || err.code === code);
  }
}

/** An argument that cannot be right (wrong length, wrong type, out of range). */
export class ValidationError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'validation', message, options);
  }
}

/** Received bytes that do not parse: truncated, oversized, wrong version, malformed field. */
export class DecodeError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'decode', message, options);
  }
}

/** A MAC, AEAD tag or signature that did not verify. */
export class VerificationError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'verification', message, options);
  }
}

/** An operation that is not valid in the current state (closed, expired, replayed). */
export class StateError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'state', message, options);
  }
}

/** A configured bound that the operation would exceed (frame size, skipped keys, queue length). */
export class LimitError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'limit', message, options);
  }
}

/** A transport, socket or store failure. */
export class IoError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'io', message, options);
  }
}

/** The operation's AbortSignal fired; `cause` holds the signal's reason. */
export class AbortError extends P2peError {
  constructor(message = 'the operation was aborted', options?: ErrorOptions) {
    super('ABORTED', 'aborted', message, options);
  }
}

/** An invariant of our own code did not hold: a bug to report. */
export class InternalError extends P2peError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, 'internal', message, options);
  }
}

/** Throws AbortError if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason });
}
