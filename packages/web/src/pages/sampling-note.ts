import type { SamplingCount } from '@spoor/model';
import { formatInteger } from '../format';

/**
 * The trace list's header of a range tail sampling dropped traces of: "kept N of M traces whole",
 * with the share; `null` when the list says nothing of sampling (no trace of the range sampled out).
 */
export function samplingNote(sampling: SamplingCount | undefined): string | null {
  if (sampling === undefined || sampling.total === 0) return null;
  const share = (100 * sampling.kept) / sampling.total;
  const percent = share > 0 && share < 1 ? '<1' : String(Math.round(share));
  return `Kept ${formatInteger(sampling.kept)} of ${formatInteger(sampling.total)} traces whole (${percent}%); the rest are sampled out: their spans count in statistics (times, status, tokens and cost), their content and logs are not kept.`;
}
