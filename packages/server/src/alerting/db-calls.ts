import type { Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { SeriesReader } from './series.js';

/**
 * The alert engine's calls on the database thread (`db.alerts.putRule(…)`): the series its rules
 * read, and its rules, state, history and silences (an `AlertStore`), answered as values.
 */
export const alertCalls = callGroup(({ store }: { store: Store }) => {
  const series = new SeriesReader(store);
  const alerts = store.alerts;
  return {
    series: series.read.bind(series),
    listRules: alerts.listRules.bind(alerts),
    putRule: alerts.putRule.bind(alerts),
    deleteRule: alerts.deleteRule.bind(alerts),
    readState: alerts.readState.bind(alerts),
    saveState: alerts.saveState.bind(alerts),
    listHistory: alerts.listHistory.bind(alerts),
    listSilences: alerts.listSilences.bind(alerts),
    putSilence: alerts.putSilence.bind(alerts),
    /** Default alert rules: a new project's, seeded once. */
    seedRules: alerts.seedRules.bind(alerts),
    rulesSeeded: alerts.rulesSeeded.bind(alerts),
  };
});
