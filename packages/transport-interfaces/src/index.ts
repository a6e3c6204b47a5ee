export {
  AbortError,
  DecodeError,
  type ErrorCategory,
  InternalError,
  IoError,
  LimitError,
  P2peError,
  StateError,
  ValidationError,
  VerificationError,
  throwIfAborted,
} from './errors';
export { assertBytes, concatBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes';
export { type Clock, ManualClock, sleepWith, systemClock, type TimerHandle } from './clock';
export { type RandomBytes, systemRandomBytes } from './random';
export type { Duplex, Sink, Source, Transform } from './stream';
export {
  type AbortOptions,
  type Address,
  type Connection,
  type ConnectionHandler,
  type ListenOptions,
  type Listener,
  MAX_ADDRESS_LENGTH,
  type Transport,
} from './transport';
