import type { AlertSeverity } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INHIBIT_RULES, type DispatchAlert, type GroupState, type InhibitRule, type SilenceRule, dispatch, matches } from './dispatcher.js';

const S = 1_000_000;

/** An alert of rule `r` named by `id` (its `set` label); `labels` are added to the rule's. */
function alert(id: string, status: 'firing' | 'resolved', overrides: Partial<DispatchAlert> & { extra?: Record<string, string> } = {}): DispatchAlert {
  const severity: AlertSeverity = overrides.severity ?? 'warning';
  const rule = overrides.rule ?? 'r';
  return {
    key: `${rule}/${id}`,
    rule,
    labels: { alertname: rule, severity, set: id, ...overrides.extra },
    status,
    severity,
    receivers: ['hook'],
    groupBy: ['alertname'],
    groupWaitUs: 30 * S,
    groupIntervalUs: 60 * S,
    repeatIntervalUs: 600 * S,
    ...overrides,
  };
}

type Step = { t: number; alerts: DispatchAlert[]; sent: string[]; silences?: SilenceRule[]; restart?: boolean };

/** A notification as `receiver:[set=status/severity, …]` for short expectations. */
function describeSent(n: { receiver: string; alerts: DispatchAlert[] }): string {
  return `${n.receiver}:[${n.alerts.map((a) => `${a.labels['set']}=${a.status}/${a.severity}`).join(',')}]`;
}

function run(steps: Step[], inhibit: readonly InhibitRule[] = DEFAULT_INHIBIT_RULES): void {
  let groups = new Map<string, GroupState>();
  for (const { t, alerts, sent, silences, restart } of steps) {
    // A restart keeps only what was persisted: the groups, as JSON.
    if (restart) groups = new Map(JSON.parse(JSON.stringify([...groups])) as Array<[string, GroupState]>);
    const out = dispatch(alerts, groups, silences ?? [], inhibit, t * S);
    groups = out.groups;
    expect(out.notifications.map(describeSent), `sent at ${t}s`).toEqual(sent);
  }
}

describe('dispatch on a fake clock', () => {
  it.each<[string, Step[]]>([
    [
      'waits groupWait before the first notification, then notifies once',
      [
        { t: 0, alerts: [alert('a', 'firing')], sent: [] },
        { t: 15, alerts: [alert('a', 'firing')], sent: [] },
        { t: 30, alerts: [alert('a', 'firing')], sent: ['hook:[a=firing/warning]'] },
        { t: 45, alerts: [alert('a', 'firing')], sent: [] },
      ],
    ],
    [
      'batches what fires within groupWait into one notification',
      [
        { t: 0, alerts: [alert('a', 'firing')], sent: [] },
        { t: 15, alerts: [alert('a', 'firing'), alert('b', 'firing')], sent: [] },
        { t: 30, alerts: [alert('a', 'firing'), alert('b', 'firing')], sent: ['hook:[a=firing/warning,b=firing/warning]'] },
      ],
    ],
    [
      'does not repeat an unchanged group inside repeatInterval, and repeats it after',
      [
        { t: 0, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: ['hook:[a=firing/warning]'] },
        { t: 300, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: [] },
        { t: 599, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: [] },
        { t: 600, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: ['hook:[a=firing/warning]'] },
        { t: 615, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: [] },
      ],
    ],
    [
      'tells of an alert joining the group after groupInterval, not before',
      [
        { t: 0, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: ['hook:[a=firing/warning]'] },
        { t: 15, alerts: [alert('a', 'firing', { groupWaitUs: 0 }), alert('b', 'firing', { groupWaitUs: 0 })], sent: [] },
        {
          t: 60,
          alerts: [alert('a', 'firing', { groupWaitUs: 0 }), alert('b', 'firing', { groupWaitUs: 0 })],
          sent: ['hook:[a=firing/warning,b=firing/warning]'],
        },
      ],
    ],
    [
      'tells of a resolved alert once, then forgets the group',
      [
        { t: 0, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: ['hook:[a=firing/warning]'] },
        { t: 30, alerts: [alert('a', 'resolved', { groupWaitUs: 0 })], sent: [] },
        { t: 60, alerts: [alert('a', 'resolved', { groupWaitUs: 0 })], sent: ['hook:[a=resolved/warning]'] },
        { t: 120, alerts: [alert('a', 'resolved', { groupWaitUs: 0 })], sent: [] },
        { t: 900, alerts: [alert('a', 'resolved', { groupWaitUs: 0 })], sent: [] },
      ],
    ],
    [
      'says nothing of an alert that resolved before it was ever notified',
      [
        { t: 0, alerts: [alert('a', 'firing')], sent: [] },
        { t: 15, alerts: [alert('a', 'resolved')], sent: [] },
        { t: 30, alerts: [alert('a', 'resolved')], sent: [] },
        { t: 60, alerts: [], sent: [] },
      ],
    ],
    [
      'tells of a severity change as a change',
      [
        { t: 0, alerts: [alert('a', 'firing', { groupWaitUs: 0 })], sent: ['hook:[a=firing/warning]'] },
        { t: 60, alerts: [alert('a', 'firing', { groupWaitUs: 0, severity: 'critical' })], sent: ['hook:[a=firing/critical]'] },
      ],
    ],
    [
      'keeps groups apart by groupBy labels, and receivers apart',
      [
        {
          t: 0,
          alerts: [
            alert('a', 'firing', { groupWaitUs: 0, groupBy: ['service'], extra: { service: 'rag' }, receivers: ['hook', 'slack'] }),
            alert('b', 'firing', { groupWaitUs: 0, groupBy: ['service'], extra: { service: 'chat' } }),
          ],
          sent: ['hook:[a=firing/warning]', 'slack:[a=firing/warning]', 'hook:[b=firing/warning]'],
        },
      ],
    ],
    [
      'leaves silenced alerts out while the silence lasts',
      [
        {
          t: 0,
          alerts: [alert('a', 'firing', { groupWaitUs: 0 })],
          silences: [{ matchers: [{ name: 'set', op: '=~', value: 'a|c' }], startsUs: 0, endsUs: 100 * S }],
          sent: [],
        },
        {
          t: 60,
          alerts: [alert('a', 'firing', { groupWaitUs: 0 })],
          silences: [{ matchers: [{ name: 'set', op: '=~', value: 'a|c' }], startsUs: 0, endsUs: 100 * S }],
          sent: [],
        },
        {
          t: 120,
          alerts: [alert('a', 'firing', { groupWaitUs: 0 })],
          silences: [{ matchers: [{ name: 'set', op: '=~', value: 'a|c' }], startsUs: 0, endsUs: 100 * S }],
          sent: ['hook:[a=firing/warning]'],
        },
      ],
    ],
    [
      'ignores a silence that has not started',
      [
        {
          t: 0,
          alerts: [alert('a', 'firing', { groupWaitUs: 0 })],
          silences: [{ matchers: [{ name: 'set', op: '=', value: 'a' }], startsUs: 10 * S, endsUs: 100 * S }],
          sent: ['hook:[a=firing/warning]'],
        },
      ],
    ],
    [
      'a restart between evaluations neither repeats nor forgets a notification',
      [
        { t: 0, alerts: [alert('a', 'firing')], sent: [] },
        { t: 15, alerts: [alert('a', 'firing')], sent: [], restart: true },
        { t: 30, alerts: [alert('a', 'firing')], sent: ['hook:[a=firing/warning]'] },
        { t: 45, alerts: [alert('a', 'firing')], sent: [], restart: true },
        { t: 120, alerts: [alert('a', 'resolved')], sent: ['hook:[a=resolved/warning]'], restart: true },
        { t: 240, alerts: [alert('a', 'resolved')], sent: [], restart: true },
      ],
    ],
  ])('%s', (_name, steps) => run(steps));

  const critical = (id: string, extra: Record<string, string>) => alert(id, 'firing', { rule: 'crit', severity: 'critical', groupWaitUs: 0, extra });
  const warning = (id: string, extra: Record<string, string>) => alert(id, 'firing', { groupWaitUs: 0, extra });

  it('mutes a warning of the same service and span name while a critical fires', () => {
    const out = dispatch(
      [critical('c', { service: 'rag', name: 'retrieve' }), warning('w', { service: 'rag', name: 'retrieve' })],
      new Map(),
      [],
      DEFAULT_INHIBIT_RULES,
      0,
    );
    expect(out.notifications.map(describeSent)).toEqual(['hook:[c=firing/critical]']);
    expect([...out.inhibited]).toEqual(['r/w']);
  });

  it.each(['constructor', 'toString'])('groups by a label named %s that the alerts lack as empty, and inhibits on it only when both have it', (name) => {
    const out = dispatch([alert('a', 'firing', { groupWaitUs: 0, groupBy: ['alertname', name] })], new Map(), [], [], 0);
    expect(out.notifications.map((n) => n.groupLabels)).toEqual([{ alertname: 'r', [name]: '' }]);
    const rule: InhibitRule = {
      source: [{ name: 'severity', op: '=', value: 'critical' }],
      target: [{ name: 'severity', op: '=', value: 'warning' }],
      equal: [name],
    };
    expect(dispatch([critical('c', {}), warning('w', {})], new Map(), [], [rule], 0).inhibited.size).toBe(0);
    expect(dispatch([critical('c', { [name]: 'x' }), warning('w', { [name]: 'x' })], new Map(), [], [rule], 0).inhibited.size).toBe(1);
  });

  it.each<[string, DispatchAlert[], SilenceRule[]]>([
    ['of another service', [critical('c', { service: 'chat', name: 'retrieve' }), warning('w', { service: 'rag', name: 'retrieve' })], []],
    ['without the labels compared', [critical('c', {}), warning('w', {})], []],
    [
      'when the critical is resolved',
      [{ ...critical('c', { service: 'rag', name: 'x' }), status: 'resolved' }, warning('w', { service: 'rag', name: 'x' })],
      [],
    ],
    [
      'when the critical is silenced',
      [critical('c', { service: 'rag', name: 'x' }), warning('w', { service: 'rag', name: 'x' })],
      [{ matchers: [{ name: 'severity', op: '=', value: 'critical' }], startsUs: 0, endsUs: S }],
    ],
  ])('does not mute a warning for a critical %s', (_name, alerts, silences) => {
    expect(dispatch(alerts, new Map(), silences, DEFAULT_INHIBIT_RULES, 0).inhibited.size).toBe(0);
  });
});

describe('matches', () => {
  it.each<[string, '=' | '!=' | '=~' | '!~', string, boolean]>([
    ['rag', '=', 'rag', true],
    ['rag', '!=', 'rag', false],
    ['rag-2', '=~', 'rag', false],
    ['rag-2', '=~', 'rag.*', true],
    ['rag-2', '!~', 'chat|rag-.', false],
    ['', '=', '', true],
  ])('%j %s %j is %s', (value, op, pattern, want) => {
    expect(matches({ service: value }, [{ name: 'service', op, value: pattern }])).toBe(want);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('reads a label named %s only when the alert has one of its own', (name) => {
    expect(matches({}, [{ name, op: '=', value: '' }])).toBe(true);
    expect(matches({}, [{ name, op: '=~', value: '.+' }])).toBe(false);
    expect(matches({}, [{ name, op: '!=', value: '' }])).toBe(false);
    expect(matches({ [name]: 'x' }, [{ name, op: '=', value: 'x' }])).toBe(true);
  });

  it('reads a missing label as empty', () => {
    expect(matches({}, [{ name: 'service', op: '=', value: '' }])).toBe(true);
    expect(matches({}, [{ name: 'service', op: '!=', value: 'rag' }])).toBe(true);
  });
});
