import { headerText, labelPairs, sampleText } from '../metrics/exposition.js';
import { type AlertEngine, alertLabels } from './engine.js';

/** A label name Prometheus accepts: `service.version` becomes `service_version`. */
function labelName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(safe) || safe.startsWith('__') || safe === 'le' ? `label_${safe}` : safe;
}

/**
 * Alert states on `/metrics`, as Prometheus exposes its own: `spoor_alerts` is 1 per pending or
 * firing alert, with the alert's labels and `alertstate`; per rule, whether its last evaluation
 * failed and how long it took. Series exist only while alerts do, so their number stays that of
 * the active alerts.
 */
export function alertMetricsText(engine: AlertEngine): string {
  let text = headerText('spoor_alerts', 'Pending and firing alerts: 1 per alert, with its labels and alertstate (like Prometheus ALERTS).', 'gauge');
  for (const { entry, instance } of engine.alerts()) {
    if (instance.state === 'resolved' || entry.rule === null) continue;
    const labels = alertLabels(entry.rule, instance);
    const pairs = new Map<string, string>();
    for (const [name, value] of Object.entries(labels)) pairs.set(labelName(name), value);
    pairs.set('alertstate', instance.state);
    text += sampleText('spoor_alerts', labelPairs([...pairs.keys()], [...pairs.values()]), 1);
  }
  text += headerText('spoor_alert_evaluations_total', 'Alert evaluation rounds completed (every rule, once per interval).', 'counter');
  text += sampleText('spoor_alert_evaluations_total', '', engine.rounds);
  if (engine.lastRoundMs !== null) {
    text += headerText(
      'spoor_alert_last_evaluation_seconds',
      'How long the last alert evaluation round took, from the first read to the saved state.',
      'gauge',
    );
    text += sampleText('spoor_alert_last_evaluation_seconds', '', engine.lastRoundMs / 1000);
  }
  const entries = engine.ruleEntries();
  text += headerText('spoor_alert_rule_healthy', 'Whether an alert rule compiled and its last evaluation succeeded (1) or not (0).', 'gauge');
  for (const e of entries)
    text += sampleText('spoor_alert_rule_healthy', labelPairs(['rule', 'source'], [e.name, e.source]), e.invalid === null && e.lastError === null ? 1 : 0);
  text += headerText('spoor_alert_rule_evaluation_seconds', 'How long the last evaluation of an alert rule took, its reads included.', 'gauge');
  for (const e of entries) {
    if (e.lastDurationMs !== null) text += sampleText('spoor_alert_rule_evaluation_seconds', labelPairs(['rule'], [e.name]), e.lastDurationMs / 1000);
  }
  return text;
}
