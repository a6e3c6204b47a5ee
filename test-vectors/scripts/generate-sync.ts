/**
 * Writes test-vectors/sync/reconcile.json and test-vectors/sync/delivery.json (`p2pe-sync-v1`)
 * from fixed seeds:
 *   pnpm exec tsx test-vectors/scripts/generate-sync.ts
 * Every id is drawn from @p2pe/crypto's seeded test DRBG and written into the file, so other
 * implementations need only the file.
 */
import { writeFileSync } from 'node:fs';
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import {
  childNode,
  encodeEnvelope,
  encodeNoticeBody,
  fingerprint,
  IdSet,
  NoticeKind,
  noticeSignedBytes,
  Reconciler,
  ROOT_NODE,
} from '@p2pe/sync';
import { fromHex, ProtoWriter, toHex, utf8 } from '@p2pe/transport-interfaces';
import {
  SYNC_VECTOR_FORMAT,
  type SyncEnvelopeCase,
  type SyncFingerprintCase,
  type SyncNoticeCase,
  type SyncReconcileCase,
  type SyncVectorFile,
} from '../src/formats/sync';

const SEED = 'p2pe/sync/vectors/v1';

function idsFrom(label: string, n: number, mutate?: (id: Uint8Array) => void): Uint8Array[] {
  const random = deterministicRandomForTestsOnly(`${SEED}/${label}`);
  return Array.from({ length: n }, () => {
    const id = random(32);
    mutate?.(id);
    return id;
  });
}

function fingerprintCase(id: string, ids: Uint8Array[], comment: string): SyncFingerprintCase {
  const set = IdSet.from(ids, nobleBackend);
  const sum = set.sum(0, set.size);
  return {
    id,
    type: 'fingerprint',
    comment,
    ids: ids.map(toHex),
    count: set.size,
    sum: toHex(sum),
    fingerprint: toHex(fingerprint(set.size, sum, nobleBackend)),
    children: Array.from({ length: 16 }, (_, i) =>
      toHex(set.nodeFingerprint(childNode(ROOT_NODE, i)).fingerprint),
    ),
  };
}

function reconcileCase(
  id: string,
  a: Uint8Array[],
  b: Uint8Array[],
  comment: string,
  maxMessageBytes = 60_000,
): SyncReconcileCase {
  const ra = new Reconciler(IdSet.from(a, nobleBackend), { maxMessageBytes });
  const rb = new Reconciler(IdSet.from(b, nobleBackend), { maxMessageBytes });
  const transcript: string[] = [];
  let message: Uint8Array | undefined = ra.initiate();
  let next = rb;
  while (message !== undefined) {
    transcript.push(toHex(message));
    message = next.receive(message);
    next = next === rb ? ra : rb;
  }
  const sorted = (ids: readonly Uint8Array[]) => ids.map(toHex).sort();
  return {
    id,
    type: 'reconcile',
    comment,
    maxMessageBytes,
    a: sorted(a),
    b: sorted(b),
    transcript,
    aHave: sorted(ra.difference.have),
    aNeed: sorted(ra.difference.need),
    bHave: sorted(rb.difference.have),
    bNeed: sorted(rb.difference.need),
  };
}

export function generateSyncVectors(): SyncVectorFile {
  const base = idsFrom('base', 250);
  const extraA = idsFrom('extra-a', 20);
  const extraB = idsFrom('extra-b', 20);
  const skew = idsFrom('skew', 80, (id) => id.fill(0x5a, 0, 29));
  const cases = [
    fingerprintCase('fp-empty', [], 'the empty set: count 0, sum 0, fingerprint all zero'),
    fingerprintCase('fp-one', base.slice(0, 1), 'one id: the sum is the id'),
    fingerprintCase(
      'fp-overflow',
      [new Uint8Array(32).fill(0xff), Uint8Array.of(...new Uint8Array(31), 2)],
      'the sum wraps modulo 2^256',
    ),
    fingerprintCase('fp-100', base.slice(0, 100), '100 random ids'),
    reconcileCase(
      'equal-small',
      base.slice(0, 20),
      base.slice(0, 20),
      'under 32 ids: A sends its list; one message',
    ),
    reconcileCase('equal-250', base, base, 'equal sets: one round trip'),
    reconcileCase(
      'a-empty',
      [],
      base.slice(0, 120),
      'A holds nothing: its empty list is the whole exchange',
    ),
    reconcileCase(
      'b-empty',
      base.slice(0, 120),
      [],
      'B holds nothing: B learns from empty fingerprints',
    ),
    reconcileCase('one-missing', base, base.slice(1), 'B lacks one id'),
    reconcileCase(
      'both-extra',
      [...base, ...extraA],
      [...base.slice(10), ...extraB],
      'each side holds ids the other lacks',
    ),
    reconcileCase(
      'skewed-prefix',
      skew.slice(0, 60),
      skew.slice(20),
      'ids sharing a 29-byte prefix: a deep trie',
    ),
    reconcileCase(
      'small-frames',
      [...base, ...extraA],
      [...base.slice(100), ...extraB],
      'a 4096-byte frame spreads the work over more messages',
      4096,
    ),
  ];
  return {
    format: SYNC_VECTOR_FORMAT,
    suite: 'trie16-sha256-fp8',
    generator: 'test-vectors/scripts/generate-sync.ts',
    seed: SEED,
    description:
      'Range-based set reconciliation over a trie of 4-bit id prefixes (packages/sync/README.md): fingerprints and exact transcripts.',
    cases,
  };
}

const DELIVERY_SEED = 'p2pe/sync/vectors/delivery/v1';

function noticeCase(
  id: string,
  kind: 'ack' | 'deletion',
  author: string,
  conversationId: Uint8Array,
  messageIds: Uint8Array[],
  time: number,
  comment: string,
): SyncNoticeCase {
  const secret = deterministicRandomForTestsOnly(`${DELIVERY_SEED}/${author}`)(32);
  const keys = nobleBackend.ed25519.keyPairFromSecret(secret);
  const k = kind === 'ack' ? NoticeKind.ACK : NoticeKind.DELETION;
  const body = encodeNoticeBody({ kind: k, conversationId, messageIds, time });
  const signedBytes = noticeSignedBytes(k, body);
  const signature = nobleBackend.ed25519.sign(keys.secretKey, signedBytes);
  return {
    id,
    type: 'notice',
    comment,
    kind,
    secretKey: toHex(secret),
    publicKey: toHex(keys.publicKey),
    conversationId: toHex(conversationId),
    messageIds: messageIds.map(toHex),
    time,
    body: toHex(body),
    signedBytes: toHex(signedBytes),
    signature: toHex(signature),
    // SignedNotice: field 1 the body, field 2 the signature.
    notice: toHex(new ProtoWriter().bytes(1, body).bytes(2, signature).finish()),
  };
}

function envelopeCase(
  id: string,
  fields: { messageId: Uint8Array; seq: number; minSeq: number; expiresAt: number } & (
    | { payload: Uint8Array }
    | { notice: Uint8Array }
  ),
  comment: string,
): SyncEnvelopeCase {
  return {
    id,
    type: 'envelope',
    comment,
    messageId: toHex(fields.messageId),
    seq: fields.seq,
    minSeq: fields.minSeq,
    expiresAt: fields.expiresAt,
    ...('payload' in fields ? { payload: toHex(fields.payload) } : {}),
    ...('notice' in fields ? { notice: toHex(fields.notice) } : {}),
    encoded: toHex(encodeEnvelope(fields)),
  };
}

export function generateDeliveryVectors(): SyncVectorFile {
  const random = deterministicRandomForTestsOnly(`${DELIVERY_SEED}/ids`);
  const conversation = utf8('conversation-1');
  const ids = Array.from({ length: 3 }, () => random(32));
  const ack = noticeCase(
    'ack-one',
    'ack',
    'bob',
    conversation,
    ids.slice(0, 1),
    1_767_225_600_000,
    'the recipient acknowledges one message',
  );
  const deletion = noticeCase(
    'deletion-two',
    'deletion',
    'alice',
    conversation,
    ids.slice(1),
    1_767_225_660_000,
    'the sender deletes two messages',
  );
  const cases = [
    ack,
    deletion,
    envelopeCase(
      'envelope-message',
      {
        messageId: ids[0]!,
        seq: 7,
        minSeq: 5,
        expiresAt: 1_767_830_400_000,
        payload: utf8('hello'),
      },
      'a message: seq 7, everything below 5 settled at the sender',
    ),
    envelopeCase(
      'envelope-deletion',
      {
        messageId: random(32),
        seq: 0,
        minSeq: 5,
        expiresAt: 1_767_830_400_000,
        notice: fromHex(deletion.notice),
      },
      'a control envelope (seq 0) carrying the signed deletion above',
    ),
  ];
  return {
    format: SYNC_VECTOR_FORMAT,
    suite: 'ed25519-proto',
    generator: 'test-vectors/scripts/generate-sync.ts',
    seed: DELIVERY_SEED,
    description:
      'Delivery wire formats of @p2pe/sync (packages/sync/src/delivery.proto): envelopes, and acks and deletions signed with Ed25519 over "p2pe/sync/v1/ack" or "p2pe/sync/v1/deletion" || 0x00 || body.',
    cases,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../sync/reconcile.json', import.meta.url);
  writeFileSync(path, `${JSON.stringify(generateSyncVectors(), null, 2)}\n`);
  console.log('wrote sync/reconcile.json');
  const delivery = new URL('../sync/delivery.json', import.meta.url);
  writeFileSync(delivery, `${JSON.stringify(generateDeliveryVectors(), null, 2)}\n`);
  console.log('wrote sync/delivery.json');
}
