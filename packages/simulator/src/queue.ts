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
 */
export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, fn: (arg: unknown) => unknown, arg: unknown): SimEvent {
    const ev: SimEvent = { at, seq: this.seq++, fn, arg, cancelled: false };
    const heap = this.heap;
    let i = heap.length;
    heap.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.at < at || (p.at === at && p.seq < ev.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = ev;
    return ev;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const cl = heap[l]!;
        if (r < n) {
          const cr = heap[r]!;
          if (cr.at < cl.at || (cr.at === cl.at && cr.seq < cl.seq)) c = r;
        }
        const child = heap[c]!;
        if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
