/**
 * `p2pe-sync-v1`: vectors of @p2pe/sync (test-vectors/sync/*.json, written by
 * test-vectors/scripts/generate-sync.ts). History reconciliation (reconcile.json):
 * - `fingerprint`: a set of 32-byte ids, the count and 256-bit sum (mod 2^256, big-endian) of
 *   the whole set, its fingerprint, and the fingerprints of the 16 children of the root (ids
 *   whose first hex digit is 0..f);
 * - `reconcile`: two sets A and B, the frame size, the exact transcript (A sends first, then the
 *   sides alternate) and what each side learns (`aHave`: ids A holds that B lacks and A found,
 *   `aNeed`: ids B holds that A lacks and A found; likewise for B).
 * The protocol and the fingerprint are specified in packages/sync/README.md ("Reconciliation").
 * Delivery wire formats (delivery.json, schema packages/sync/src/delivery.proto):
 * - `envelope`: the fields of a DeliveryEnvelope and its encoding;
 * - `notice`: an ack or a deletion: the author's Ed25519 secret key (32-byte seed) and public
 *   key, the body's fields, the encoded body, the bytes the signature covers (label || 0x00 ||
 *   body), the (deterministic) signature, and the encoded SignedNotice.
 */
import type { CryptoBackend } from '@p2pe/crypto';
import {
  childNode,
  decodeEnvelope,
  decodeSignedNotice,
  encodeEnvelope,
  encodeNoticeBody,
  fingerprint,
  IdSet,
  NoticeKind,
  noticeSignedBytes,
  Reconciler,
  ROOT_NODE,
} from '@p2pe/sync';
import { fromHex, toHex } from '@p2pe/transport-interfaces';
import { emptyReport, type FileReport, type VectorFormat } from '../format';

export const SYNC_VECTOR_FORMAT = 'p2pe-sync-v1';

export interface SyncFingerprintCase {
  id: string;
  type: 'fingerprint';
  comment?: string;
  ids: string[];
  count: number;
  sum: string;
  fingerprint: string;
  children: string[];
}

export interface SyncReconcileCase {
  id: string;
  type: 'reconcile';
  comment?: string;
  maxMessageBytes: number;
  a: string[];
  b: string[];
  transcript: string[];
  aHave: string[];
  aNeed: string[];
  bHave: string[];
  bNeed: string[];
}

export interface SyncEnvelopeCase {
  id: string;
  type: 'envelope';
  comment?: string;
  messageId: string;
  seq: number;
  minSeq: number;
  expiresAt: number;
  payload?: string;
  notice?: string;
  encoded: string;
}

export interface SyncNoticeCase {
  id: string;
  type: 'notice';
  comment?: string;
  kind: 'ack' | 'deletion';
  secretKey: string;
  publicKey: string;
  conversationId: string;
  messageIds: string[];
  time: number;
  body: string;
  signedBytes: string;
  signature: string;
  notice: string;
}

export type SyncVectorCase =
  | SyncFingerprintCase
  | SyncReconcileCase
  | SyncEnvelopeCase
  | SyncNoticeCase;

export interface SyncVectorFile {
  format: typeof SYNC_VECTOR_FORMAT;
  suite: string;
  generator: string;
  seed: string;
  description: string;
  cases: SyncVectorCase[];
}

function isSyncFile(json: unknown): json is SyncVectorFile {
  return (
    typeof json === 'object' &&
    json !== null &&
    (json as { format?: unknown }).format === SYNC_VECTOR_FORMAT &&
    Array.isArray((json as { cases?: unknown }).cases)
  );
}

const sorted = (ids: readonly Uint8Array[]) => ids.map(toHex).sort();

function differs(what: string, got: unknown, want: unknown): string | undefined {
  return JSON.stringify(got) === JSON.stringify(want) ? undefined : what;
}

function checkFingerprint(c: SyncFingerprintCase, backend: CryptoBackend): string | undefined {
  const set = IdSet.from(c.ids.map(fromHex), backend);
  if (set.size !== c.count) return 'count';
  const sum = set.sum(0, set.size);
  if (toHex(sum) !== c.sum) return 'sum';
  if (toHex(fingerprint(set.size, sum, backend)) !== c.fingerprint) return 'fingerprint';
  if (toHex(set.nodeFingerprint(ROOT_NODE).fingerprint) !== c.fingerprint) return 'root node';
  const children = Array.from({ length: 16 }, (_, i) =>
    toHex(set.nodeFingerprint(childNode(ROOT_NODE, i)).fingerprint),
  );
  return differs('children', children, c.children);
}

function checkReconcile(c: SyncReconcileCase, backend: CryptoBackend): string | undefined {
  const limits = { maxMessageBytes: c.maxMessageBytes };
  const ra = new Reconciler(IdSet.from(c.a.map(fromHex), backend), limits);
  const rb = new Reconciler(IdSet.from(c.b.map(fromHex), backend), limits);
  const transcript: string[] = [];
  let message: Uint8Array | undefined = ra.initiate();
  let next = rb;
  while (message !== undefined) {
    transcript.push(toHex(message));
    if (transcript.length > c.transcript.length)
      return `transcript longer than ${c.transcript.length}`;
    if (transcript.at(-1) !== c.transcript[transcript.length - 1]) {
      return `transcript message ${transcript.length - 1}`;
    }
    // Each side also accepts the expected message as received (it is what we just compared).
    message = next.receive(fromHex(c.transcript[transcript.length - 1]!));
    next = next === rb ? ra : rb;
  }
  return (
    differs('transcript length', transcript.length, c.transcript.length) ??
    differs('aHave', sorted(ra.difference.have), c.aHave) ??
    differs('aNeed', sorted(ra.difference.need), c.aNeed) ??
    differs('bHave', sorted(rb.difference.have), c.bHave) ??
    differs('bNeed', sorted(rb.difference.need), c.bNeed)
  );
}

function checkEnvelope(c: SyncEnvelopeCase): string | undefined {
  const fields = {
    messageId: fromHex(c.messageId),
    seq: c.seq,
    minSeq: c.minSeq,
    expiresAt: c.expiresAt,
    ...(c.payload === undefined ? {} : { payload: fromHex(c.payload) }),
    ...(c.notice === undefined ? {} : { notice: fromHex(c.notice) }),
  };
  if (toHex(encodeEnvelope(fields)) !== c.encoded) return 'encoding';
  const decoded = decodeEnvelope(fromHex(c.encoded));
  const back = {
    messageId: toHex(decoded.messageId),
    seq: decoded.seq,
    minSeq: decoded.minSeq,
    expiresAt: decoded.expiresAt,
    payload: decoded.payload === undefined ? undefined : toHex(decoded.payload),
    notice: decoded.notice === undefined ? undefined : toHex(decoded.notice),
  };
  return differs('decoded fields', back, {
    messageId: c.messageId,
    seq: c.seq,
    minSeq: c.minSeq,
    expiresAt: c.expiresAt,
    payload: c.payload,
    notice: c.notice,
  });
}

function checkNotice(c: SyncNoticeCase, backend: CryptoBackend): string | undefined {
  const kind = c.kind === 'ack' ? NoticeKind.ACK : NoticeKind.DELETION;
  const keys = backend.ed25519.keyPairFromSecret(fromHex(c.secretKey));
  if (toHex(keys.publicKey) !== c.publicKey) return 'public key';
  const body = encodeNoticeBody({
    kind,
    conversationId: fromHex(c.conversationId),
    messageIds: c.messageIds.map(fromHex),
    time: c.time,
  });
  if (toHex(body) !== c.body) return 'body';
  const signed = noticeSignedBytes(kind, body);
  if (toHex(signed) !== c.signedBytes) return 'signed bytes';
  if (toHex(backend.ed25519.sign(keys.secretKey, signed)) !== c.signature) return 'signature';
  const decoded = decodeSignedNotice(fromHex(c.notice));
  if (toHex(decoded.bodyBytes) !== c.body || toHex(decoded.signature) !== c.signature) {
    return 'notice';
  }
  if (!backend.ed25519.verify(decoded.signature, signed, keys.publicKey)) return 'verification';
  return undefined;
}

export const p2peSync: VectorFormat = {
  name: SYNC_VECTOR_FORMAT,
  detect: (file) => isSyncFile(file.json),
  verify(file, backend: CryptoBackend): FileReport {
    const report = emptyReport();
    if (!isSyncFile(file.json)) {
      report.failed++;
      report.failures.push('not a p2pe-sync-v1 file');
      return report;
    }
    for (const c of file.json.cases) {
      let failure: string | undefined;
      try {
        if (c.type === 'fingerprint') failure = checkFingerprint(c, backend);
        else if (c.type === 'reconcile') failure = checkReconcile(c, backend);
        else if (c.type === 'envelope') failure = checkEnvelope(c);
        else if (c.type === 'notice') failure = checkNotice(c, backend);
        else failure = `unknown case type ${(c as { type: unknown }).type}`;
      } catch (err) {
        failure = `threw ${(err as { code?: string }).code ?? (err as Error).name}`;
      }
      if (failure === undefined) report.passed++;
      else {
        report.failed++;
        report.failures.push(`${c.id}: ${failure} differs`);
      }
    }
    return report;
  },
};
