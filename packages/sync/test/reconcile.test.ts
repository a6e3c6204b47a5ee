import { deterministicRandomForTestsOnly } from '@p2pe/crypto';
import { P2peError, ProtoWriter, toHex } from '@p2pe/transport-interfaces';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  childNode,
  decodeReconcileFrame,
  encodeReconcileFrame,
  fingerprint,
  IdSet,
  Reconciler,
  ROOT_NODE,
} from '../src/index';

function ids(seed: string, n: number): Uint8Array[] {
  const pool = deterministicRandomForTestsOnly(seed)(32 * n);
  return Array.from({ length: n }, (_, i) => pool.slice(32 * i, 32 * i + 32));
}

/** Runs a whole reconciliation; returns the message count and both sides. */
function run(a: Uint8Array[], b: Uint8Array[], limits = {}) {
  const ra = new Reconciler(IdSet.from(a), limits);
  const rb = new Reconciler(IdSet.from(b), limits);
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
  return { ra, rb, messages, bytes };
}

function hexSet(list: readonly Uint8Array[]): string[] {
  return list.map(toHex).sort();
}

/** Checks that the found differences are exactly the symmetric difference, each found once. */
function checkUnion(a: Uint8Array[], b: Uint8Array[], ra: Reconciler, rb: Reconciler): void {
  const A = new Set(a.map(toHex));
  const B = new Set(b.map(toHex));
  const onlyA = [...A].filter((x) => !B.has(x)).sort();
  const onlyB = [...B].filter((x) => !A.has(x)).sort();
  // What A lacks is found either by A (need) or by B (have); never both.
  expect(hexSet([...ra.difference.have, ...rb.difference.need])).toEqual(onlyA);
  expect(hexSet([...rb.difference.have, ...ra.difference.need])).toEqual(onlyB);
  expect(ra.done && rb.done).toBe(true);
}

const idArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('reconciliation', () => {
  it('ends with both sides knowing the union, for any two id sets (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(idArb, { maxLength: 300, selector: toHex }),
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 300 }),
        fc.uniqueArray(idArb, { maxLength: 60, selector: toHex }),
        (common, placement, extra) => {
          // Each common id goes to A, B or both; extra ids go to one side only.
          const a: Uint8Array[] = [];
          const b: Uint8Array[] = [];
          common.forEach((id, i) => {
            const [inA, inB] = placement[i] ?? [true, true];
            if (inA || !inB) a.push(id);
            if (inB) b.push(id);
          });
          extra.forEach((id, i) => {
            (i % 2 === 0 ? a : b).push(id);
          });
          const { ra, rb } = run(a, b);
          checkUnion(a, b, ra, rb);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('handles ids clustered under one long prefix (skewed ids, deep trie)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 40 }), (n, d) => {
        const base = ids(`skew-${n}-${d}`, n + d).map((id) => {
          id.fill(0xab, 0, 28); // identical first 28 bytes
          return id;
        });
        const a = base.slice(0, n);
        const b = base.slice(d);
        const { ra, rb } = run(a, b);
        checkUnion(a, b, ra, rb);
      }),
      { numRuns: 30 },
    );
  });

  it('equal sets take one round trip (d = 0)', () => {
    const a = ids('equal', 5000);
    const { messages, ra, rb } = run(a, a.slice().reverse());
    expect(messages).toBe(2);
    expect(ra.difference.have.length + rb.difference.need.length).toBe(0);
  });

  it('one difference among 30,000 ids: at most 3 round trips and 1.5 KB', () => {
    const a = ids('one-diff', 30_000);
    const { messages, bytes, ra, rb } = run(a, a.slice(1));
    checkUnion(a, a.slice(1), ra, rb);
    expect(Math.ceil(messages / 2)).toBeLessThanOrEqual(3);
    expect(bytes).toBeLessThanOrEqual(1500);
  });

  it('an empty side learns everything in one message', () => {
    const a = ids('empty', 500);
    const { messages, ra, rb } = run([], a);
    expect(messages).toBe(1);
    checkUnion([], a, ra, rb);
  });

  it('small frames split the work over more messages without losing ids', () => {
    const a = ids('frames', 3000);
    const b = [...a.slice(400), ...ids('frames-b', 400)];
    const { ra, rb, messages } = run(a, b, { maxMessageBytes: 4096 });
    checkUnion(a, b, ra, rb);
    expect(messages).toBeGreaterThan(4);
  });

  it('fingerprints: empty range is zero; count and sum both matter', () => {
    expect(toHex(fingerprint(0, new Uint8Array(32)))).toBe('0000000000000000');
    const s = new Uint8Array(32);
    expect(toHex(fingerprint(1, s))).not.toBe(toHex(fingerprint(2, s)));
    const set = IdSet.from(ids('fp', 40));
    const [lo, hi] = set.range(ROOT_NODE);
    expect(toHex(set.nodeFingerprint(ROOT_NODE).fingerprint)).toBe(
      toHex(fingerprint(hi - lo, set.sum(lo, hi))),
    );
    // The 16 children partition the root.
    let total = 0;
    for (let i = 0; i < 16; i++) total += set.nodeFingerprint(childNode(ROOT_NODE, i)).count;
    expect(total).toBe(40);
  });
});

describe('reconciliation against a malformed or lying peer', () => {
  const a = ids('victim', 2000);

  it('rejects truncated, bit-flipped, random and oversized messages with typed errors, state unchanged', () => {
    const peer = new Reconciler(IdSet.from(a.slice(10)));
    const first = peer.initiate();
    const victimState = () => new Reconciler(IdSet.from(a));
    const bad: Uint8Array[] = [
      first.subarray(0, first.length - 1),
      new Uint8Array(70_000),
      Uint8Array.of(0xff, 0xff, 0xff),
      new ProtoWriter().uint(1, 2).finish(), // unknown version
      new ProtoWriter().uint(1, 1).uint(9, 1).finish(), // unknown field
    ];
    for (let i = 0; i < first.length; i++) {
      const flipped = first.slice();
      flipped[i]! ^= 0x01;
      bad.push(flipped);
    }
    const rnd = deterministicRandomForTestsOnly('garbage');
    for (let i = 0; i < 50; i++) bad.push(rnd(1 + (rnd(1)[0]! % 200)));
    let rejected = 0;
    for (const message of bad) {
      const victim = victimState();
      try {
        victim.receive(message);
      } catch (err) {
        expect(P2peError.is(err)).toBe(true);
        rejected++;
        // The same object still accepts the genuine message afterwards (nothing half-applied).
        const reply = victim.receive(first);
        expect(reply === undefined || reply instanceof Uint8Array).toBe(true);
        continue;
      }
      // A flipped fingerprint byte parses; it only changes what we conclude, never our set.
      expect(victim.difference.have.every((id) => IdSet.from(a).has(id))).toBe(true);
      expect(victim.difference.need.every((id) => !IdSet.from(a).has(id))).toBe(true);
    }
    expect(rejected).toBeGreaterThan(40);
  });

  it('a rejected first message leaves a fresh side fresh: it can still initiate', () => {
    const victim = new Reconciler(IdSet.from(a));
    expect(() => victim.receive(Uint8Array.of(0xff, 0xff, 0xff))).toThrowError(
      expect.objectContaining({ code: expect.any(String) }),
    );
    const peer = new Reconciler(IdSet.from(a.slice(1)));
    let message: Uint8Array | undefined = victim.initiate();
    for (let turn = 0; message !== undefined; turn++) {
      message = (turn % 2 === 0 ? peer : victim).receive(message);
    }
    checkUnion(a, a.slice(1), victim, peer);
  });

  it('a peer listing invented ids cannot make us hold more than maxDifferences of them', () => {
    const victim = new Reconciler(IdSet.from(a.slice(0, 10)), { maxDifferences: 100 });
    // The peer lists the root with 1,000 ids we do not hold.
    const invented = IdSet.from(ids('invented', 1000));
    const flood = encodeReconcileFrame({
      version: 1,
      bitmaps: new Uint8Array(0),
      addressed: 1,
      modes: Uint8Array.of(0),
      fingerprints: new Uint8Array(0),
      lists: Uint8Array.from([0xe8, 0x07, ...invented.toArray().flatMap((id) => [...id])]),
    });
    expect(() => victim.receive(flood)).toThrowError(
      expect.objectContaining({ code: 'RECONCILE_TOO_MANY_DIFFERENCES' }),
    );
    expect(victim.difference.need).toHaveLength(0);
    // Within the limit the same list is accepted.
    const roomy = new Reconciler(IdSet.from(a.slice(0, 10)), { maxDifferences: 2000 });
    expect(roomy.receive(flood)).toBeUndefined();
    expect(roomy.difference.need).toHaveLength(1000);
  });

  it('a peer that never addresses its queue is rejected (no stalling loop)', () => {
    const victim = new Reconciler(IdSet.from(a));
    const stall = encodeReconcileFrame({
      version: 1,
      bitmaps: new Uint8Array(0),
      addressed: 0,
      modes: new Uint8Array(0),
      fingerprints: new Uint8Array(0),
      lists: new Uint8Array(0),
    });
    expect(() => victim.receive(stall)).toThrowError(
      expect.objectContaining({ code: 'RECONCILE_ADDRESSED' }),
    );
  });

  it('a peer lying with random fingerprints ends within the limits and never costs us an id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 3 }),
        (seed, mode) => {
          const rnd = deterministicRandomForTestsOnly(`liar-${seed}`);
          const victimSet = IdSet.from(a);
          const victim = new Reconciler(victimSet, { maxMessages: 200 });
          const liar = new Reconciler(IdSet.from(mode === 0 ? [] : a.slice(mode * 100)));
          // The liar follows the protocol's structure but replaces every fingerprint with noise.
          const lie = (m: Uint8Array) => {
            const f = decodeReconcileFrame(m, 1 << 20);
            return encodeReconcileFrame({ ...f, fingerprints: rnd(f.fingerprints.length) });
          };
          let outcome: unknown;
          let message: Uint8Array | undefined = lie(liar.initiate());
          try {
            for (let round = 0; message !== undefined && round < 1000; round++) {
              message = victim.receive(message);
              if (message === undefined) break;
              message = liar.receive(message);
              if (message !== undefined) message = lie(message);
            }
          } catch (err) {
            outcome = err;
          }
          if (outcome !== undefined) expect(P2peError.is(outcome)).toBe(true);
          expect(victim.stats.messagesReceived + victim.stats.messagesSent).toBeLessThanOrEqual(
            200,
          );
          // Whatever it concluded, "have" names only our ids and "need" only ids we lack.
          expect(victim.difference.have.every((id) => victimSet.has(id))).toBe(true);
          expect(victim.difference.need.every((id) => !victimSet.has(id))).toBe(true);
          expect(victimSet.size).toBe(a.length);
        },
      ),
      { numRuns: 20 },
    );
  });
});
