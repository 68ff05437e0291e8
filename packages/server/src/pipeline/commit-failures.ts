/** The failures the commit loop tells apart: whose entry a failed commit was, and how many records it held. */

/** A commit's failure while isolating, with the entry the transaction held alone (if one) and its records. */
export class EntryFailure<Entry> extends Error {
  constructor(
    override readonly cause: unknown,
    readonly entry: Entry | null,
    readonly records: number,
  ) {
    super(messageOf(cause));
  }
}

/** A commit's failure, with the records its transaction held. */
export class CommitFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly records: number,
  ) {
    super(messageOf(cause));
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
