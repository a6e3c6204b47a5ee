/**
 * Reconciliation benchmark: bytes and round trips (not time) to find the difference of two id
 * sets, for N = 1,000, 100,000 and 1,000,000 ids and d = 0, 1, 10, 1,000 differing ids, against
 * (a) sending every id and (b) negentropy as implemented in nostr-tools (NIP-77), on identical
 * sets. Run: `pnpm exec tsx packages/sync/scripts/reconcile-bench.ts [--json out.json] [--quick]`.
 *
 * Counting, the same for every protocol: a message is one frame on the wire (its bytes as
 * encoded: ours protobuf, negentropy its binary frame, not the hex of NIP-77's JSON); a run ends
 * when both sides know the difference. Negentropy's responder always answers (as in the reference
 * NIP-77 flow), so when it has nothing left it sends its 1-byte version frame. Round trips are
 * ceil(messages / 2). "Send every id" is one message of 32 × N bytes (one round trip).
 * Sets: N random ids on side A; side B holds A minus ceil(d/2) ids plus floor(d/2) new ones.
 */
import { writeFileSync } from 'node:fs';
import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { toHex } from '@p2pe/transport-interfaces';
import { IdSet } from '../src/idset';
import { Reconciler } from '../src/reconcile';

interface Row {
  id: string;
  value: number;
  unit: string;
  compare?: { id: string; value: number; ratio: number };
}

interface Outcome {
  messages: number;
  bytes: number;
  found: number;
}

const args = process.argv.slice(2);
const jsonPath = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const quick = args.includes('--quick');
const SIZES = quick ? [1000, 100_000] : [1000, 100_000, 1_000_000];
const DIFFS = [0, 1, 10, 1000];

type NegentropyModule = {
  Negentropy: new (
    storage: unknown,
    frameSizeLimit?: number,
  ) => {
    initiate(): string;
    reconcile(
      msg: string,
      onhave?: (id: string) => void,
      onneed?: (id: string) => void,
    ): string | null;
  };
  NegentropyStorageVector: new () => {
    insert(timestamp: number, id: string): void;
    seal(): void;
  };
};

async function loadNegentropy(): Promise<NegentropyModule | undefined> {
  const url = new URL(
    '../../../bench/thirdparty/node_modules/nostr-tools/lib/esm/nip77.js',
    import.meta.url,
  );
  try {
    return (await import(url.href)) as NegentropyModule;
  } catch {
    console.log('note: nostr-tools is not installed under bench/thirdparty; negentropy skipped');
    return undefined;
  }
}

function makeSets(n: number, d: number): { a: Uint8Array[]; b: Uint8Array[] } {
  const random = deterministicRandomForTestsOnly(`p2pe/sync/bench/${n}/${d}`);
  const pool = random(32 * (n + d));
  const a: Uint8Array[] = [];
  for (let i = 0; i < n; i++) a.push(pool.subarray(32 * i, 32 * i + 32));
  const b = a.slice(0, n - Math.ceil(d / 2));
  for (let i = 0; i < Math.floor(d / 2); i++) b.push(pool.subarray(32 * (n + i), 32 * (n + i + 1)));
  return { a, b };
}

function runOurs(a: Uint8Array[], b: Uint8Array[]): Outcome {
  const ra = new Reconciler(IdSet.from(a));
  const rb = new Reconciler(IdSet.from(b));
  let message: Uint8Array | undefined = ra.initiate();
  let messages = 1;
  let bytes = message.length;
  let next = rb;
  while (message !== undefined) {
    message = next.receive(message);
    if (message !== undefined) {
      messages++;
      bytes += message.length;
    }
    next = next === rb ? ra : rb;
  }
  const found =
    ra.difference.have.length +
    ra.difference.need.length +
    rb.difference.have.length +
    rb.difference.need.length;
  return { messages, bytes, found };
}

function runNegentropy(neg: NegentropyModule, a: Uint8Array[], b: Uint8Array[]): Outcome {
  const storage = (ids: Uint8Array[]) => {
    const s = new neg.NegentropyStorageVector();
    for (const id of ids) s.insert(0, toHex(id));
    s.seal();
    return s;
  };
  const na = new neg.Negentropy(storage(a), 60_000);
  const nb = new neg.Negentropy(storage(b), 60_000);
  let found = 0;
  const count = () => {
    found++;
  };
  let message: string | null = na.initiate();
  let messages = 1;
  let bytes = message.length / 2;
  for (;;) {
    const reply: string | null = nb.reconcile(message, count, count);
    if (reply === null) {
      // The responder always answers; an empty answer is its 1-byte version frame.
      messages++;
      bytes += 1;
      break;
    }
    messages++;
    bytes += reply.length / 2;
    message = na.reconcile(reply, count, count);
    if (message === null) break;
    messages++;
    bytes += message.length / 2;
  }
  return { messages, bytes, found };
}

const rows: Row[] = [];
const table: string[][] = [
  ['N', 'd', 'ours B', 'ours RT', 'negentropy B', 'neg. RT', 'all ids B', 'B vs neg.'],
];
const neg = await loadNegentropy();
for (const n of SIZES) {
  for (const d of DIFFS) {
    const { a, b } = makeSets(n, d);
    const ours = runOurs(a, b);
    if (ours.found !== d) throw new Error(`ours found ${ours.found} of ${d} differences`);
    const naive: Outcome = { messages: 1, bytes: 32 * n, found: d };
    const theirs = neg === undefined ? undefined : runNegentropy(neg, a, b);
    if (theirs !== undefined && theirs.found !== d) {
      throw new Error(`negentropy found ${theirs.found} of ${d} differences`);
    }
    const rt = (o: Outcome) => Math.ceil(o.messages / 2);
    const base = `sync/reconcile/n=${n}/d=${d}`;
    const cmp = (id: string, value: number, mine: number) => ({
      id,
      value,
      ratio: value === 0 ? 0 : mine / value,
    });
    rows.push({
      id: `${base}/bytes/ours`,
      value: ours.bytes,
      unit: 'B',
      compare:
        theirs === undefined
          ? cmp(`${base}/bytes/all-ids`, naive.bytes, ours.bytes)
          : cmp(`${base}/bytes/negentropy`, theirs.bytes, ours.bytes),
    });
    rows.push({ id: `${base}/bytes/all-ids`, value: naive.bytes, unit: 'B' });
    rows.push({
      id: `${base}/round-trips/ours`,
      value: rt(ours),
      unit: 'RT',
      ...(theirs === undefined
        ? {}
        : { compare: cmp(`${base}/round-trips/negentropy`, rt(theirs), rt(ours)) }),
    });
    rows.push({ id: `${base}/messages/ours`, value: ours.messages, unit: 'msg' });
    if (theirs !== undefined) {
      rows.push({ id: `${base}/bytes/negentropy`, value: theirs.bytes, unit: 'B' });
      rows.push({ id: `${base}/round-trips/negentropy`, value: rt(theirs), unit: 'RT' });
      rows.push({ id: `${base}/messages/negentropy`, value: theirs.messages, unit: 'msg' });
    }
    table.push([
      String(n),
      String(d),
      String(ours.bytes),
      `${rt(ours)} (${ours.messages} msg)`,
      theirs === undefined ? '-' : String(theirs.bytes),
      theirs === undefined ? '-' : `${rt(theirs)} (${theirs.messages} msg)`,
      String(naive.bytes),
      theirs === undefined ? '-' : (ours.bytes / theirs.bytes).toFixed(3),
    ]);
    console.log(table[table.length - 1]!.join('\t'));
  }
}

const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
console.log('');
for (const r of table) console.log(r.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
if (jsonPath !== undefined) {
  writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`wrote ${rows.length} rows to ${jsonPath}`);
}
