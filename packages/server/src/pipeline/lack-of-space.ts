/**
 * Whether an error, or any error in its `cause` chain, comes from a lack of space: a local write
 * refused with `ENOSPC` (or `EDQUOT`, a quota), DuckDB's "No space left on device" when its WAL or a
 * checkpoint cannot be written, or a ClickHouse server that cannot reserve room for a part
 * (`NOT_ENOUGH_SPACE`, code 243) or write a file (errno 28). Such a failure is never the fault of
 * what was being written: once there is room, the same write goes in.
 */
export function isLackOfSpace(error: unknown): boolean {
  // Store adapters wrap driver errors (`StoreError` with `cause`): a few links at most.
  let link = error;
  for (let depth = 0; depth < 8 && link !== null && link !== undefined; depth++) {
    if (typeof link === 'string') return NO_SPACE.test(link);
    if (typeof link !== 'object') return false;
    const { code, type, message, cause } = link as { code?: unknown; type?: unknown; message?: unknown; cause?: unknown };
    if (code === 'ENOSPC' || code === 'EDQUOT' || type === 'NOT_ENOUGH_SPACE') return true;
    if (typeof message === 'string' && NO_SPACE.test(message)) return true;
    link = cause;
  }
  return false;
}

/** The texts a lack of space shows in, where no code says so (a driver's message wrapped in another). */
const NO_SPACE = /no space left on device|disk quota exceeded|\bENOSPC\b|\bEDQUOT\b|\bNOT_ENOUGH_SPACE\b|\berrno: 28\b/i;
