/**
 * Which keys this server changed since a moment, for what it keeps in memory and refreshes by
 * reading the store whole (another server sharing the store may have changed it). A read that
 * began before a change and answered after it holds the row as it was; taken up whole, it undid
 * the change (a policy deleted with a 204 was back in force for the next GET). Such a read leaves
 * the keys changed since it began as the changes left them; the next read, begun after the
 * changes, takes them up from the store.
 */
export class ChangedSince {
  private changes = 0;
  /** Per key, the number of its last change. One entry per key ever changed here: a few names. */
  private readonly last = new Map<string, number>();

  /** The moment to ask about: taken before the read starts. */
  mark(): number {
    return this.changes;
  }

  /** Notes a change of `key`: once it is written to the store, as it is put in force here. */
  changed(key: string): void {
    this.last.set(key, ++this.changes);
  }

  /** Whether `key` changed after `mark`. */
  since(mark: number, key: string): boolean {
    return (this.last.get(key) ?? 0) > mark;
  }

  /** The keys changed after `mark`. */
  keysSince(mark: number): string[] {
    return [...this.last].filter(([, n]) => n > mark).map(([key]) => key);
  }
}
