import type { EntryAgreement, PairAgreement, QueueAgreement, ScoreConfig } from '@spoor/model';
import { type AgreementLevel, type Value, cohenKappa, krippendorffAlpha } from './agreement.js';
import type { ItemState } from './review-state.js';

/** Labels and booleans are categories (nominal); numbers are distances apart (interval). */
const levelOf = (config: ScoreConfig): AgreementLevel => (config.type === 'numeric' ? 'interval' : 'nominal');

/** Per item, per reviewer, the value each gave `config`'s entry (label for a categorical one). */
function valuesOf(states: Iterable<ItemState>, config: ScoreConfig): Map<string, Value>[] {
  const units: Map<string, Value>[] = [];
  for (const state of states) {
    const unit = new Map<string, Value>();
    for (const review of state.reviews.values()) {
      const score = review.scores.find((s) => s.name === config.name);
      const value = config.type === 'categorical' ? score?.label : score?.value;
      if (value !== undefined && value !== null) unit.set(review.reviewer, value);
    }
    if (unit.size > 0) units.push(unit);
  }
  return units;
}

/**
 * Agreement on each rubric entry over every item two or more reviewers scored (Krippendorff's
 * alpha, any number of reviewers, values missing where a reviewer left an entry out), and for each
 * pair of reviewers over the items both scored (alpha, and Cohen's kappa for nominal entries).
 */
export function agreementOf(rubric: readonly ScoreConfig[], states: Iterable<ItemState>): QueueAgreement {
  const all = [...states];
  const entries: EntryAgreement[] = [];
  const pairs: PairAgreement[] = [];
  for (const config of rubric) {
    const level = levelOf(config);
    const units = valuesOf(all, config);
    const pairable = units.filter((u) => u.size >= 2).map((u) => [...u.values()]);
    entries.push({ name: config.name, level, items: pairable.length, alpha: krippendorffAlpha(pairable, level) });
    const reviewers = [...new Set(units.flatMap((u) => [...u.keys()]))].sort();
    for (const [i, a] of reviewers.entries()) {
      for (const b of reviewers.slice(i + 1)) {
        const both = units.filter((u) => u.has(a) && u.has(b)).map((u) => [u.get(a)!, u.get(b)!] as const);
        if (both.length === 0) continue;
        pairs.push({
          reviewers: [a, b],
          name: config.name,
          items: both.length,
          alpha: krippendorffAlpha(both, level),
          kappa: level === 'nominal' ? cohenKappa(both) : null,
        });
      }
    }
  }
  return { entries, pairs };
}
