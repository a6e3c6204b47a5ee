export {
  BOLT04_PACKET_LENGTH,
  BOLT04_ROUTING_INFO_LENGTH,
  type Bolt04Hop,
  type Bolt04Peeled,
  bolt04Key,
  bolt04Profile,
  createBolt04Error,
  createBolt04Onion,
  decodeBolt04Error,
  peelBolt04Onion,
  wrapBolt04Error,
} from './bolt04';
export {
  COMMAND_TYPE,
  decodeCommand,
  encodeCommand,
  type NextHop,
  type RoutingCommand,
} from './commands';
export {
  ADDRESS_HINT_LENGTH,
  COMMAND_LENGTH,
  DEFAULT_MAX_HOPS,
  DEFAULT_PAYLOAD_LENGTH,
  HEADER_MAC_LENGTH,
  LABELS,
  MAILBOX_ID_LENGTH,
  MAX_REPLAY_CACHE_EPOCHS,
  PACKET_VERSION,
  PEER_ID_LENGTH,
  REPLAY_TAG_LENGTH,
  SURB_ID_LENGTH,
} from './constants';
export {
  deriveHopChain,
  type HeaderProfile,
  type HopKeys,
  type PeeledHeader,
  peelHeader,
  type WrappedHeader,
  wrapHeader,
} from './engine';
export {
  defaultEpochSchedule,
  EpochKeyRing,
  type EpochSchedule,
  epochAt,
  type OnionKeyStore,
} from './epoch';
export {
  montgomeryGroup,
  p256Group,
  type SphinxGroup,
  secp256k1Group,
} from './groups';
export { lionessDecrypt, lionessEncrypt } from './lioness';
export {
  buildHeader,
  type CreatedPacket,
  type CreatePacketInput,
  createPacket,
  type Destination,
  decodePayload,
  encodePayload,
  epochField,
  type HopResult,
  type OnionHop,
  type PeeledPacket,
  peelPacket,
  readPacketEpoch,
} from './packet';
export {
  chachaStream,
  ONION_SUITES,
  type OnionProfile,
  type OnionProfileOptions,
  type OnionSuite,
  onionProfile,
} from './profile';
export { OnionRelay, type OnionRelayInit } from './relay';
export { MemoryReplayCache, type MemoryReplayCacheInit, type ReplayCache } from './replay';
export {
  type CreatedSurb,
  type CreateSurbInput,
  createReplyPacket,
  createSurb,
  decodeSurb,
  decodeSurbSecret,
  encodeSurbSecret,
  openReply,
  type SurbSecret,
} from './surb';
