/** One scheduled event: a callback and its argument, due at `at`, ordered by (`at`, `seq`). */
export interface SimEvent {
  at: number;
  seq: number;
  fn: (arg: unknown) => unknown;
  arg: unknown;
  cancelled: boolean;
}

/**
 * A binary min-heap of events keyed by (time, sequence number). The sequence number is the order
 * of scheduling, so events due at the same virtual time run in the order they were scheduled:
 * ties never depend on heap layout, and the same scenario gives the same order every run.
 * Cancellation is lazy: a cancelled event stays in the heap and is skipped when popped.
 *
 * The keys live in typed arrays beside the event objects, so sifting compares numbers in
 * contiguous memory instead of chasing an object per comparison (this matters from about 10^5
 * queued events, where the heap no longer fits in the CPU caches).
 */
export class EventQueue {
  private at = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private events: SimEvent[] = [];
  private n = 0;
  private seq = 0;

  get size(): number {
    return this.n;
  }

  push(at: number, fn: (arg: unknown) => unknown, arg: unknown): SimEvent {
    const seq = this.seq++;
    const ev: SimEvent = { at, seq, fn, arg, cancelled: false };
    if (this.n === this.at.length) this.grow();
    const ats = this.at;
    const seqs = this.seqs;
    const events = this.events;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = ats[parent]!;
      if (pa < at || (pa === at && seqs[parent]! < seq)) break;
      ats[i] = pa;
      seqs[i] = seqs[parent]!;
      events[i] = events[parent]!;
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    events[i] = ev;
    return ev;
  }

  peek(): SimEvent | undefined {
    return this.n === 0 ? undefined : this.events[0];
  }

  pop(): SimEvent | undefined {
    if (this.n === 0) return undefined;
    const events = this.events;
    const top = events[0]!;
    const last = --this.n;
    const n = last;
    if (n > 0) {
      const ats = this.at;
      const seqs = this.seqs;
      const lastAt = ats[last]!;
      const lastSeq = seqs[last]!;
      const lastEv = events[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n) {
          const ar = ats[r]!;
          const al = ats[l]!;
          if (ar < al || (ar === al && seqs[r]! < seqs[l]!)) c = r;
        }
        const ac = ats[c]!;
        if (lastAt < ac || (lastAt === ac && lastSeq < seqs[c]!)) break;
        ats[i] = ac;
        seqs[i] = seqs[c]!;
        events[i] = events[c]!;
        i = c;
      }
      ats[i] = lastAt;
      seqs[i] = lastSeq;
      events[i] = lastEv;
    }
    events[last] = undefined as unknown as SimEvent;
    return top;
  }

  private grow(): void {
    const at = new Float64Array(this.at.length * 2);
    at.set(this.at);
    this.at = at;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
