/**
 * What the small mutable tables (`ReplacingMergeTree(version[, deleted])`: keys, rules, prices,
 * policies, silences, the alert state) share: a change is a new row with a higher version, read
 * back with `FINAL` (or `argMax(..., version)`).
 */

let lastVersion = 0;

/**
 * A version for a new row: microseconds of this process's clock, strictly rising within the
 * process, and above `after` (the version of the row a change was read from), so a change made
 * after reading a row replaces it even if the server that wrote that row had a clock running
 * ahead. `count` reserves that many consecutive versions (the first is returned). Across servers,
 * two changes of one row made at the same moment are ordered by their clocks: the later wins.
 */
export function nextVersion(after = 0, count = 1): number {
  const version = Math.max(Date.now() * 1000, lastVersion + 1, after + 1);
  lastVersion = version + count - 1;
  return version;
}
