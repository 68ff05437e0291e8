import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScoreRecord, type SpanRecord, scoreIdOf } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { point, sid, span, tid } from '../../test/support/record-fixtures.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { type AlertStore, batchOf } from '../store/store.js';
import { alertBackendIn } from './data-service.js';
import { AlertEngine } from './engine.js';
import type { NotificationLogFields } from './notify/log.js';
import { readRulesFile } from './rules-file.js';

/**
 * The engine over a real DuckDB store, in process, on a fake clock: rules read real spans and
 * metric points, and notifications go to the log receiver, whose lines are captured.
 */

const SEC = 1_000_000;
const MIN = 60 * SEC;
const NOW = 1_763_719_200_000_000 + 17 * SEC;

let dir: string;
let store: DuckDbStore;
let lines: Array<{ msg: string; fields: Record<string, unknown> }>;

const logger = {
  info: (fields: object, msg: string) => lines.push({ msg, fields: fields as Record<string, unknown> }),
  warn: (fields: object, msg: string) => lines.push({ msg, fields: fields as Record<string, unknown> }),
  error: (fields: object, msg: string) => lines.push({ msg, fields: fields as Record<string, unknown> }),
};

/** What the log receiver wrote: one entry per notification. */
const notified = () => lines.filter((l) => l.fields['receiver'] === 'log' && 'alerts' in l.fields).map((l) => l.fields as unknown as NotificationLogFields);

async function engineWith(rulesYaml: string): Promise<AlertEngine> {
  const engine = await AlertEngine.open({ projectId: 'default', ...alertBackendIn(store, 'default'), logger, externalUrl: () => 'http://spoor.test' });
  engine.useRulesFile(readRulesFile(rulesYaml, 'rules.yaml'), NOW);
  return engine;
}

let nextId = 1;
function spansAt(endUs: number, count: number, overrides: Partial<SpanRecord> = {}): SpanRecord[] {
  return Array.from({ length: count }, () => {
    const n = nextId++;
    return span({ traceId: tid(n), spanId: sid(n), startTimeUs: endUs - 1000, endTimeUs: endUs, ...overrides });
  });
}

/** The store's alert store, with `saveState` replaced. */
function withSaveState(saveState: AlertStore['saveState']): AlertStore {
  const alerts = store.alerts;
  return {
    listRules: alerts.listRules.bind(alerts),
    putRule: alerts.putRule.bind(alerts),
    deleteRule: alerts.deleteRule.bind(alerts),
    readState: alerts.readState.bind(alerts),
    listHistory: alerts.listHistory.bind(alerts),
    listSilences: alerts.listSilences.bind(alerts),
    putSilence: alerts.putSilence.bind(alerts),
    seedRules: alerts.seedRules.bind(alerts),
    rulesSeeded: alerts.rulesSeeded.bind(alerts),
    saveState,
  };
}

const write = (spans: SpanRecord[], metricPoints = [] as ReturnType<typeof point>[]) => store.writer.write(batchOf({ spans, logs: [], metricPoints }), null);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-engine-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  lines = [];
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const DEFAULTS = `defaults: { groupWait: 0s, groupInterval: 1m, repeatInterval: 1h }\n`;

describe('AlertEngine over DuckDB', () => {
  it('fires an anomaly on a burst of spans against an hour of steady traffic, and notifies once', async () => {
    // Five spans in every 5-minute window of the past hour, then 60 in the last minute.
    const past: SpanRecord[] = [];
    for (let k = 2; k <= 13; k++) past.push(...spansAt(NOW - k * 5 * MIN + 30 * SEC, 5 + (k % 2)));
    await write([...past, ...spansAt(NOW - 30 * SEC, 60)]);
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: traffic-burst
    expr: anomaly(count(spans)[5m] by (service))[1h] > 5
    annotations: { summary: "{{ $labels.service }} scores {{ $value }}" }
`);
    await engine.evaluate(NOW);
    const [alert] = [...engine.alerts()];
    expect(alert!.instance).toMatchObject({ state: 'firing', labels: { service: 'checkout' } });
    expect(alert!.instance.value!).toBeGreaterThan(50);
    expect(notified()).toEqual([
      expect.objectContaining({
        status: 'firing',
        alerts: [expect.objectContaining({ rule: 'traffic-burst', labels: { service: 'checkout', alertname: 'traffic-burst', severity: 'warning' } })],
      }),
    ]);
    await engine.evaluate(NOW + 15 * SEC);
    expect(notified()).toHaveLength(1);
    await engine.close(1000);
  });

  it('alerts on an app metric with matchers and `by`, and reports a function that does not fit it', async () => {
    const gauge = (route: string, value: number, atUs: number) => point({ name: 'queue.depth', attributes: { route }, value, timeUs: atUs, startTimeUs: null });
    await write([], [gauge('/a', 3, NOW - 2 * MIN), gauge('/a', 14, NOW - MIN), gauge('/b', 50, NOW - MIN), gauge('/c', 99, NOW - 10 * MIN)]);
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: deep-queue
    expr: max(queue.depth{route!="/b"})[5m] by (route) > 10
  - name: wrong-function
    expr: rate(queue.depth)[5m] > 1
`);
    await engine.evaluate(NOW);
    const alerts = [...engine.alerts()].map((a) => [a.entry.name, a.instance.labels, a.instance.value, a.instance.state]);
    expect(alerts).toEqual([['deep-queue', { route: '/a' }, 14, 'firing']]);
    const wrong = engine.rule('wrong-function')!;
    expect(wrong.lastError).toMatch(/^evaluation failed: metric queue.depth: rate needs a counter/);
    expect(engine.rule('deep-queue')!.lastError).toBeNull();
    await engine.close(1000);
  });

  it('fires on the mean of a score over an hour and on a count of thumbs down, each score counted in its newest version', async () => {
    const score = (n: number, over: Partial<ScoreRecord>): ScoreRecord => {
      const s = {
        projectId: 'default',
        timeUs: NOW - MIN,
        traceId: tid(n),
        spanId: null,
        sessionId: null,
        responseId: null,
        name: 'faithfulness',
        value: null,
        label: null,
        comment: null,
        source: 'evaluator' as const,
        author: 'faithfulness@1',
        ...over,
      };
      return { ...s, scoreId: scoreIdOf(s) };
    };
    const thumb = (n: number, vote: string, atUs: number) => score(n, { name: 'thumbs', label: vote, source: 'human', author: `user-${n}`, timeUs: atUs });
    await store.scores.addScores(
      [
        score(1, { value: 0.5, timeUs: NOW - 50 * MIN }),
        score(2, { value: 0.6 }),
        score(3, { value: 0.1, timeUs: NOW - 2 * MIN }),
        // Trace 4's thumbs: five down in the last 15 minutes, one down before them, one up.
        ...[1, 2, 3, 4, 5].map((k) => thumb(10 + k, 'down', NOW - k * MIN)),
        thumb(16, 'down', NOW - 20 * MIN),
        thumb(17, 'up', NOW - MIN),
      ],
      NOW - 2 * MIN,
    );
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: unfaithful
    expr: avg(score{name="faithfulness"})[1h] < 0.7
  - name: thumbs-down
    expr: count(score{name="thumbs", label="down"})[15m] > 5
`);
    const states = () =>
      [...engine.alerts()].map((a) => [a.entry.name, a.instance.value, a.instance.state]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    // A mean of 0.4 fires; five thumbs down in the last 15 minutes are not more than 5.
    await engine.evaluate(NOW);
    expect(states()).toEqual([['unfaithful', expect.closeTo(0.4, 9), 'firing']]);
    // Trace 3 judged again, 0.9: its newest version counts alone, a mean of (0.5 + 0.6 + 0.9) / 3.
    await store.scores.addScores([score(3, { value: 0.9, timeUs: NOW - 30 * SEC })], NOW - 30 * SEC);
    await engine.evaluate(NOW + 15 * SEC);
    expect(states()).toEqual([['unfaithful', expect.closeTo(2 / 3, 9), 'firing']]);
    await store.scores.addScores([thumb(18, 'down', NOW + 20 * SEC)], NOW + 20 * SEC);
    await engine.evaluate(NOW + 30 * SEC);
    expect(states()).toEqual([
      ['thumbs-down', 6, 'firing'],
      ['unfaithful', expect.closeTo(2 / 3, 9), 'firing'],
    ]);
    expect(
      notified()
        .flatMap((n) => n.alerts.map((a) => a.rule))
        .sort(),
    ).toEqual(['thumbs-down', 'unfaithful']);
    await engine.close(1000);
  });

  it("keeps a `by` label named like one Spoor sets as exported_<name>, so alerts by an app's own severity stay apart", async () => {
    const failures = (severity: string, value: number) =>
      point({ name: 'job.failures', attributes: { severity }, value, timeUs: NOW - MIN, startTimeUs: null });
    await write([], [failures('low', 20), failures('high', 30)]);
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: failing-jobs
    expr: max(job.failures)[5m] by (severity) > 10
    severity: critical
`);
    await engine.evaluate(NOW);
    const labels = notified()
      .flatMap((n) => n.alerts.map((a) => a.labels))
      .sort((a, b) => a.exported_severity!.localeCompare(b.exported_severity!));
    expect(labels).toEqual([
      { exported_severity: 'high', alertname: 'failing-jobs', severity: 'critical' },
      { exported_severity: 'low', alertname: 'failing-jobs', severity: 'critical' },
    ]);
    await engine.close(1000);
  });

  it('keeps alerts firing while their rule cannot be read, and resolves them once it can again', async () => {
    await write(spansAt(NOW - 10 * SEC, 3, { status: { code: 'error', message: 'boom' } }));
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: errors
    expr: errors(spans)[1m] > 0
`);
    await engine.evaluate(NOW);
    expect([...engine.alerts()].map((a) => a.instance.state)).toEqual(['firing']);
    await store.close(); // every read now fails
    await engine.evaluate(NOW + 15 * SEC).catch(() => {});
    expect([...engine.alerts()].map((a) => a.instance.state)).toEqual(['firing']);
    await engine.close(0).catch(() => {}); // its last delivery record cannot be saved either
    store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
    const reopened = await AlertEngine.open({ projectId: 'default', ...alertBackendIn(store, 'default'), logger, externalUrl: () => 'http://spoor.test' });
    reopened.useRulesFile(readRulesFile(`${DEFAULTS}rules:\n  - name: errors\n    expr: errors(spans)[1m] > 0\n`, 'rules.yaml'), NOW);
    expect([...reopened.alerts()].map((a) => a.instance.state)).toEqual(['firing']);
    await reopened.evaluate(NOW + 2 * MIN);
    expect([...reopened.alerts()].map((a) => a.instance.state)).toEqual(['resolved']);
    expect(notified().map((n) => n.status)).toEqual(['firing', 'resolved']);
    await reopened.close(1000);
  });

  it('takes back a round whose state could not be saved: the next round fires and notifies as if it had not happened', async () => {
    await write(spansAt(NOW - 10 * SEC, 2, { status: { code: 'error', message: 'boom' } }));
    const { readSeries } = alertBackendIn(store, 'default');
    let failSaves = 1;
    const alerts = store.alerts;
    const flaky = withSaveState((...args) => (failSaves-- > 0 ? Promise.reject(new Error('disk full')) : alerts.saveState(...args)));
    const engine = await AlertEngine.open({ projectId: 'default', readSeries, store: flaky, logger, externalUrl: () => 'http://spoor.test' });
    engine.useRulesFile(readRulesFile(`${DEFAULTS}rules:\n  - name: errors\n    expr: errors(spans)[1m] > 0\n`, 'rules.yaml'), NOW);
    await expect(engine.evaluate(NOW)).rejects.toThrow('disk full');
    expect([...engine.alerts()]).toEqual([]);
    expect(notified()).toEqual([]);
    await engine.evaluate(NOW + 15 * SEC);
    expect([...engine.alerts()].map((a) => a.instance.state)).toEqual(['firing']);
    expect(notified().map((n) => n.status)).toEqual(['firing']);
    const history = await alerts.listHistory('default', { fromUs: null, toUs: null }, 'errors', 0, 10);
    expect(history.map((h) => [h.kind, h.timeUs])).toEqual([['firing', NOW + 15 * SEC]]);
    await engine.close(1000);
  });

  it('shows a round only once its save committed, so an alert seen firing is already in the history', async () => {
    await write(spansAt(NOW - 10 * SEC, 2, { status: { code: 'error', message: 'boom' } }));
    const { readSeries } = alertBackendIn(store, 'default');
    const alerts = store.alerts;
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let saving!: () => void;
    const saveStarted = new Promise<void>((resolve) => (saving = resolve));
    const slow = withSaveState(async (...args) => {
      saving();
      await committing;
      return alerts.saveState(...args);
    });
    const engine = await AlertEngine.open({ projectId: 'default', readSeries, store: slow, logger, externalUrl: () => 'http://spoor.test' });
    engine.useRulesFile(readRulesFile(`${DEFAULTS}rules:\n  - name: errors\n    expr: errors(spans)[1m] > 0\n`, 'rules.yaml'), NOW);
    const round = engine.evaluate(NOW);
    await saveStarted;
    expect([...engine.alerts()]).toEqual([]);
    commit();
    await round;
    expect([...engine.alerts()].map((a) => a.instance.state)).toEqual(['firing']);
    const history = await alerts.listHistory('default', { fromUs: null, toUs: null }, 'errors', 0, 10);
    expect(history.map((h) => h.kind)).toEqual(['firing']);
    await engine.close(1000);
  });

  it('mutes the warning of a service and span name while its critical fires, and notifies silenced alerts not at all', async () => {
    await write(spansAt(NOW - 10 * SEC, 4, { name: 'retrieve', status: { code: 'error', message: 'x' } }));
    const engine = await engineWith(`${DEFAULTS}rules:
  - name: errors-warning
    expr: errors(spans)[1m] by (service, name) > 1
    severity: warning
  - name: errors-critical
    expr: errors(spans)[1m] by (service, name) > 3
    severity: critical
  - name: errors-info
    expr: errors(spans)[1m] by (service) > 0
    severity: info
`);
    await store.alerts.putSilence('default', {
      id: 's',
      matchers: [{ name: 'alertname', op: '=', value: 'errors-info' }],
      startsUs: NOW - MIN,
      endsUs: NOW + MIN,
      createdBy: 'test',
      comment: '',
    });
    await engine.evaluate(NOW);
    const states = Object.fromEntries(
      [...engine.alerts()].map((a) => [a.entry.name, { state: a.instance.state, silenced: a.silenced, inhibited: a.inhibited }]),
    );
    expect(states).toEqual({
      'errors-warning': { state: 'firing', silenced: false, inhibited: true },
      'errors-critical': { state: 'firing', silenced: false, inhibited: false },
      // No `name` label: the default inhibition needs both service and name to be equal.
      'errors-info': { state: 'firing', silenced: true, inhibited: false },
    });
    expect(notified().map((n) => n.alerts.map((a) => a.rule))).toEqual([['errors-critical']]);
    await engine.close(1000);
  });

  it('keeps an API rule that no longer compiles listed with its error, and does not evaluate it', async () => {
    const engine = await engineWith(`receivers:\n  - { name: team, log: {} }\nrules: []\n`);
    const rule = engine.compile({ name: 'api-rule', expr: 'count(spans)[1m] >= 0', notify: ['team'] });
    await store.alerts.putRule('default', rule.name, JSON.stringify(rule.spec), NOW);
    engine.setApiRule(rule, NOW, NOW);
    engine.useRulesFile(readRulesFile('rules: []\n', 'rules.yaml'), NOW);
    const entry = engine.rule('api-rule')!;
    expect(entry.rule).toBeNull();
    expect(entry.invalid).toMatch(/notify: names no receiver 'team'/);
    await engine.evaluate(NOW);
    expect([...engine.alerts()]).toEqual([]);
    expect(engine.rule('api-rule')!.lastEvaluatedUs).toBeNull();
    await engine.close(1000);
  });
});
