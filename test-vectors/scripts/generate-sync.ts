/**
 * Writes test-vectors/sync/reconcile.json (`p2pe-sync-v1`) from fixed seeds:
 *   pnpm exec tsx test-vectors/scripts/generate-sync.ts
 * Every id is drawn from @p2pe/crypto's seeded test DRBG and written into the file, so other
 * implementations need only the file.
 */
import { writeFileSync } from 'node:fs';
import { deterministicRandomForTestsOnly, nobleBackend } from '@p2pe/crypto';
import { childNode, fingerprint, IdSet, Reconciler, ROOT_NODE } from '@p2pe/sync';
import { toHex } from '@p2pe/transport-interfaces';
import {
  SYNC_VECTOR_FORMAT,
  type SyncFingerprintCase,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../sync/reconcile.json', import.meta.url);
  writeFileSync(path, `${JSON.stringify(generateSyncVectors(), null, 2)}\n`);
  console.log('wrote sync/reconcile.json');
}
