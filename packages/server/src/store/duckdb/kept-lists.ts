/** The small tables whose whole lists servers read on timers, kept by `KeptLists`. */
export type KeptTable = 'api_keys' | 'evaluators' | 'sampling_policies' | 'masking_policies';

/**
 * Lists of small tables as this store read them last, answered again until it writes the table or
 * attaches its file anew. Sound on DuckDB alone: one process writes a file (DuckDB locks it;
 * `spoor keys` beside a running server asks its API), one store in it (the database thread's: a
 * second store on the file in the same process is not refused, and would write past these lists),
 * and every write of these tables goes through `write`. A server reads `api_keys` every 500 ms and the evaluators and sampling policies every
 * 2 s, for what other servers write (on ClickHouse, which reads each time); kept here, an idle
 * server with an empty store used 0.31-0.40 s of CPU per 30 s, against 0.55-0.57 s reading them.
 *
 * A read is kept from the moment it starts, and a write forgets the table once it settles: a read
 * begun before a write ended, which may have missed it, is never answered after it.
 */
export class KeptLists {
  /** Per table, each list's read (by its key: a project, or `''` for the whole table). */
  private readonly reads = new Map<KeptTable, Map<string, Promise<readonly unknown[]>>>();

  /** The list `load` reads, or the one it read last since `table` was written; a new array each call, which callers may change. */
  async read<T>(table: KeptTable, key: string, load: () => Promise<T[]>): Promise<T[]> {
    let lists = this.reads.get(table);
    if (lists === undefined) this.reads.set(table, (lists = new Map()));
    let rows = lists.get(key) as Promise<readonly T[]> | undefined;
    if (rows === undefined) {
      const loading = load();
      lists.set(key, loading);
      loading.catch(() => {
        // A failed read is not kept (its caller hears of it): the next one reads again.
        if (lists.get(key) === loading) lists.delete(key);
      });
      rows = loading;
    }
    return [...(await rows)];
  }

  /** Runs a write of `table`: once it settles, done or failed, the table's lists are read again. */
  async write<T>(table: KeptTable, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.reads.delete(table);
    }
  }

  /** Forgets every list: the file was attached anew. */
  forgetAll(): void {
    this.reads.clear();
  }
}
