// Waiting on one keyed value (a container) until a check over it says done: the check runs now and after every
// change the owner announces, and settles a promise with its first defined result (or its throw). The owner keeps
// the values; this keeps only who waits.

interface Watcher<V> {
  readonly changed: (value: V | undefined) => void;
  readonly fail: (err: Error) => void;
}

export class Watchers<V> {
  readonly #byKey = new Map<string, Set<Watcher<V>>>();

  /** `current` reads the value now; `check(undefined)` means it is gone. An abort rejects with "aborted". */
  until<T>(
    key: string,
    current: () => V | undefined,
    check: (value: V | undefined) => T | undefined,
    abort?: AbortSignal,
  ): Promise<T> {
    const now = check(current());
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const set = this.#byKey.get(key) ?? new Set<Watcher<V>>();
      this.#byKey.set(key, set);
      const done = () => {
        set.delete(watcher);
        if (!set.size && this.#byKey.get(key) === set) this.#byKey.delete(key);
        abort?.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        done();
        reject(err);
      };
      const watcher: Watcher<V> = {
        changed: (value) => {
          let result: T | undefined;
          try {
            result = check(value);
          } catch (err) {
            fail(err as Error);
            return;
          }
          if (result === undefined) return;
          done();
          resolve(result);
        },
        fail,
      };
      const onAbort = () => fail(new Error('aborted'));
      abort?.addEventListener('abort', onAbort, { once: true });
      set.add(watcher);
    });
  }

  /** The value changed (undefined: it is gone): every waiter's check runs again. */
  notify(key: string, value: V | undefined): void {
    const set = this.#byKey.get(key);
    if (set) for (const watcher of [...set]) watcher.changed(value);
  }

  /** The owner goes away: every waiter rejects with `err`, since nothing will announce a change again. */
  rejectAll(err: Error): void {
    const waiting = [...this.#byKey.values()].flatMap((set) => [...set]);
    for (const watcher of waiting) watcher.fail(err);
  }
}
