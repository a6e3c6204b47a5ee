/**
 * A minimal EventEmitter for third-party code that imports Node's `events` module (abstract-level,
 * under memory-level). The browser check hands this shim to third-party importers only; a P2PE
 * package that imports `events` fails the check. Apps bundling memory-level for a browser need the
 * same, or the `events` package from npm.
 */
type Listener = (...args: unknown[]) => void;

export class EventEmitter {
  #listeners = new Map<string | symbol, Listener[]>();

  /** Like Node's: 'newListener' is emitted before a listener is added. */
  on(name: string | symbol, listener: Listener): this {
    if (this.#listeners.has('newListener')) this.emit('newListener', name, listener);
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
    return this;
  }

  addListener(name: string | symbol, listener: Listener): this {
    return this.on(name, listener);
  }

  once(name: string | symbol, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(name, wrapped);
      listener.apply(this, args);
    };
    return this.on(name, wrapped);
  }

  off(name: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(name);
    if (list === undefined) return this;
    const index = list.indexOf(listener);
    if (index < 0) return this;
    list.splice(index, 1);
    // Like Node's: 'removeListener' is emitted after a listener is removed.
    if (this.#listeners.has('removeListener')) this.emit('removeListener', name, listener);
    return this;
  }

  removeListener(name: string | symbol, listener: Listener): this {
    return this.off(name, listener);
  }

  removeAllListeners(name?: string | symbol): this {
    if (name === undefined) this.#listeners.clear();
    else this.#listeners.delete(name);
    return this;
  }

  emit(name: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(name);
    if (list === undefined || list.length === 0) {
      if (name === 'error') throw args[0] instanceof Error ? args[0] : new Error('unhandled error');
      return false;
    }
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }

  listenerCount(name: string | symbol): number {
    return this.#listeners.get(name)?.length ?? 0;
  }

  listeners(name: string | symbol): Listener[] {
    return [...(this.#listeners.get(name) ?? [])];
  }

  setMaxListeners(): this {
    return this;
  }
}

export default { EventEmitter };
