import type { LevelDatabase, LevelIterator, LevelOperation } from '@p2pe/sync';

/**
 * A tiny in-memory database with the part of the abstract-level interface `EncryptedStore` uses
 * (open, close, get, batch, ordered iterator). It stands in for memory-level or classic-level so
 * the demo needs nothing but the P2PE packages; everything it holds is already sealed by the store.
 */
export class InMemoryDatabase implements LevelDatabase {
  private readonly entries = new Map<string, { key: Uint8Array; value: Uint8Array }>();

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.entries.get(hexKey(key))?.value.slice();
  }

  async batch(operations: LevelOperation[]): Promise<void> {
    // All or nothing: the operations are applied together, after the whole batch was read.
    for (const op of operations) {
      if (op.type === 'put')
        this.entries.set(hexKey(op.key), { key: op.key.slice(), value: op.value.slice() });
      else this.entries.delete(hexKey(op.key));
    }
  }

  iterator(options: { gte?: Uint8Array; lt?: Uint8Array }): LevelIterator {
    const low = options.gte === undefined ? undefined : hexKey(options.gte);
    const high = options.lt === undefined ? undefined : hexKey(options.lt);
    // Hex of bytes sorts like the bytes themselves.
    const rows = [...this.entries.entries()]
      .filter(([k]) => (low === undefined || k >= low) && (high === undefined || k < high))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => row);
    let at = 0;
    return {
      next: async () => {
        const row = rows[at++];
        return row === undefined ? undefined : [row.key.slice(), row.value.slice()];
      },
      close: async () => {},
    };
  }

  /** Bytes held (keys and sealed values): what "the disk" holds. */
  get size(): number {
    let n = 0;
    for (const { key, value } of this.entries.values()) n += key.length + value.length;
    return n;
  }
}

function hexKey(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
