import { AbortError } from './errors';

/**
 * A bounded async queue: `push` waits while `capacity` items are unread, which is how a fast
 * writer is held back by a slow reader (backpressure). `end()` finishes the stream after the
 * queued items; `fail(err)` makes the next read throw.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private error: Error | undefined;
  private readers: Array<() => void> = [];
  private writers: Array<() => void> = [];

  constructor(private readonly capacity = 16) {}

  get isEnded(): boolean {
    return this.ended || this.error !== undefined;
  }

  async push(item: T, signal?: AbortSignal): Promise<void> {
    while (this.items.length >= this.capacity && !this.isEnded) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new AbortError(undefined, { cause: signal?.reason }));
        if (signal?.aborted === true) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.writers.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (this.error !== undefined) throw this.error;
    if (this.ended) return; // the reader is gone: drop, as a closed socket would
    this.items.push(item);
    this.wake(this.readers);
  }

  end(): void {
    this.ended = true;
    this.wake(this.readers);
    this.wake(this.writers);
  }

  fail(error: Error): void {
    if (this.error === undefined) this.error = error;
    this.wake(this.readers);
    this.wake(this.writers);
  }

  private wake(waiters: Array<() => void>): void {
    const pending = waiters.splice(0);
    for (const w of pending) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      const item = this.items.shift();
      if (item !== undefined) {
        this.wake(this.writers);
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }
}
