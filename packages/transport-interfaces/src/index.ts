export { assertBytes, concatBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes';
export { Channel } from './channel';
export {
  type Clock,
  checkedNow,
  ManualClock,
  sleepWith,
  systemClock,
  type TimerHandle,
} from './clock';
export {
  AbortError,
  DecodeError,
  type ErrorCategory,
  InternalError,
  IoError,
  LimitError,
  P2peError,
  StateError,
  throwIfAborted,
  ValidationError,
  VerificationError,
} from './errors';
export {
  DEFAULT_MAX_FRAME_SIZE,
  decodeFrames,
  encodeFrameLength,
  encodeFrames,
  type FramingOptions,
} from './framing';
export { duplexPair, MemoryNetwork } from './memory';
export {
  type ProtoField,
  ProtoMessage,
  ProtoWriter,
  readProtoFields,
  WireType,
} from './proto';
export { type RandomBytes, systemRandomBytes } from './random';
export type { Duplex, Sink, Source, Transform } from './stream';
export {
  type AbortOptions,
  type Address,
  type Connection,
  type ConnectionHandler,
  type Listener,
  type ListenOptions,
  MAX_ADDRESS_LENGTH,
  type Transport,
} from './transport';
