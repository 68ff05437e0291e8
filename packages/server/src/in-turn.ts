/**
 * Runs the calls given one key one after another, in the order given, and calls of different keys
 * side by side. It keeps a check and the write it decides together (is the name free? then make
 * it): when each of 8 POSTs of one alert rule name at once checked before any wrote, 4 made the rule.
 */
export class InTurn {
  /** Per key, the last call queued, settled either way: what the next one waits for. */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const done = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = done.then(
      () => undefined,
      // The call's caller hears of its failure; the next call only waits for it to end.
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return done;
  }
}
