export {
  DEVICE_SECRET_LENGTH,
  defaultOutboxConfig,
  defaultReconcileLimits,
  FINGERPRINT_LENGTH,
  LIST_THRESHOLD,
  MAX_CONVERSATION_ID_LENGTH,
  MAX_IDS_PER_NOTICE,
  MAX_PAYLOAD_LENGTH,
  MESSAGE_ID_LENGTH,
  type OutboxConfig,
  RECONCILE_BRANCHING,
  type ReconcileLimits,
} from './constants';
export {
  type DeliveryEnvelope,
  decodeEnvelope,
  decodeSignedNotice,
  encodeEnvelope,
  encodeNoticeBody,
  type NoticeBody,
  NoticeKind,
  type NoticeSigner,
  noticeSignedBytes,
  type SignedNotice,
  signNotice,
} from './delivery';
export {
  decodeHistoryTransfer,
  encodeHistoryTransfer,
  type HistoryTransfer,
  historyIdSet,
  historyRecords,
  MAX_TRANSFER_ITEMS,
} from './history';
export {
  childNode,
  compareIds,
  fingerprint,
  IdSet,
  nodeContains,
  ROOT_NODE,
  type TrieNode,
} from './idset';
export {
  type DeliveredMessage,
  type DeliveryHandler,
  Inbox,
  type InboxOptions,
  type ReceiveResult,
  type ReceiveStatus,
} from './inbox';
export {
  type Argon2idParams,
  argon2idKdf,
  DEFAULT_ARGON2ID_PARAMS,
  DEFAULT_SCRYPT_PARAMS,
  defaultStoreKdfLimits,
  type ScryptParams,
  type StoreKdf,
  type StoreKdfLimits,
  scryptKdf,
  TEST_ONLY_WEAK_STORE_KDF,
} from './kdf';
export {
  type Dispatcher,
  type DispatchResult,
  type OutboundDelivery,
  Outbox,
  type OutboxOptions,
  type PeerKeyLookup,
  type PendingMessage,
  type Route,
  type Router,
  routedDispatcher,
  type SessionSealer,
} from './outbox';
export {
  decodeReconcileFrame,
  encodeReconcileFrame,
  type ReconcileDifference,
  type ReconcileFrame,
  Reconciler,
  type ReconcileStats,
} from './reconcile';
export type { MessageRecord } from './records';
export {
  EncryptedStore,
  type LevelDatabase,
  type LevelIterator,
  type LevelOperation,
  RecordKind,
  recordName,
  type StoreOptions,
  type StoreSecret,
  type ViewEncodings,
} from './store';
