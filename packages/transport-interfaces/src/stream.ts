/**
 * Streams in the shape `it-pipe` uses: a source is an async iterable; a sink consumes one.
 * A duplex has both. Backpressure is pull-based: a source produces the next chunk only when
 * the consumer asks for it.
 */
export type Source<T> = AsyncIterable<T> | Iterable<T>;

export type Sink<T, R = Promise<void>> = (source: Source<T>) => R;

export interface Duplex<TSource = Uint8Array, TSink = TSource> {
  source: AsyncIterable<TSource>;
  sink: Sink<TSink>;
}

/** A stream transform, usable as a stage of `pipe(a, transform, b)`. */
export type Transform<A, B> = (source: Source<A>) => AsyncIterable<B>;
