import { Fragment, useState } from 'react';
import type { Alert } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatAgo, formatTime } from '../format';
import { pathWith } from '../router';
import { AlertLabels } from './AlertLabels';
import { SeverityStatus } from './SeverityStatus';
import { SilenceForm } from './SilenceForm';
import { type AlertUnit, formatAlertValueIn, rawValueTitle } from './alert-units';
import { alertStateKind } from './alert-view';

const alertKey = (a: Alert): string =>
  `${a.rule}\u0000${Object.entries(a.labels)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}=${v}`)
    .join('\u0000')}`;

interface ActiveTabProps {
  /** Pending and firing alerts, polled by the page. */
  alerts: Alert[] | undefined;
  error: Error | undefined;
  /** Only this rule's alerts, when set. */
  rule: string | null;
  /** Each rule's unit (`ruleUnits`): a value shows as it reads. */
  units: ReadonlyMap<string, AlertUnit>;
  reload: () => void;
}

/** The alerts pending or firing now, with what they measured and a way to silence them. */
export function ActiveTab({ alerts, error, rule, units, reload }: ActiveTabProps) {
  const [silencing, setSilencing] = useState<string | null>(null);
  const [silenced, setSilenced] = useState<string | null>(null);
  const shown = (alerts ?? []).filter((a) => rule === null || a.rule === rule);
  const nowMs = Date.now();

  return (
    <>
      <ErrorBox error={error} />
      {silenced !== null && (
        <p className="alerts-notice" role="status">
          Silence created: {silenced}. <Link to={pathWith('/alerts', { tab: 'silences', rule })}>See silences</Link>
        </p>
      )}
      {alerts === undefined && error === undefined && <p className="muted">Loading alerts…</p>}
      {alerts !== undefined && shown.length === 0 && (
        <div className="empty">{rule === null ? 'No alert is pending or firing.' : `No alert of rule ${rule} is pending or firing.`}</div>
      )}
      {shown.length > 0 && (
        <table className="list alerts-table">
          <thead>
            <tr>
              <th>State</th>
              <th>Severity</th>
              <th>Rule</th>
              <th>Labels</th>
              <th className="num">Value</th>
              <th>Since</th>
              <th>Summary</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {shown.map((alert) => {
              const key = alertKey(alert);
              const since = alert.firingSince ?? alert.activeSince;
              return (
                <Fragment key={key}>
                  <tr className={alert.silenced || alert.inhibited ? 'alert-muted' : undefined}>
                    <td>
                      <Status kind={alertStateKind(alert.state)}>{alert.state}</Status>
                      {alert.silenced && <span className="tag alert-flag">silenced</span>}
                      {alert.inhibited && (
                        <span className="tag alert-flag" title="A firing critical alert with the same service and name mutes this one">
                          inhibited
                        </span>
                      )}
                    </td>
                    <td>
                      <SeverityStatus severity={alert.severity} />
                    </td>
                    <td>
                      <Link to={pathWith('/alerts', { tab: 'rules', rule: alert.rule })}>{alert.rule}</Link>
                    </td>
                    <td>
                      <AlertLabels labels={alert.labels} />
                    </td>
                    <td className="num" title={rawValueTitle(alert.value, alert.threshold)}>
                      {formatAlertValueIn(alert.value, units.get(alert.rule))}
                      {alert.threshold !== null && (
                        <div className="muted alert-threshold">limit {formatAlertValueIn(alert.threshold, units.get(alert.rule))}</div>
                      )}
                    </td>
                    <td title={formatTime(since)}>
                      {formatAgo(since, nowMs)}
                      {alert.state === 'firing' && alert.firingSince !== alert.activeSince && (
                        <div className="muted alert-threshold">pending from {formatTime(alert.activeSince)}</div>
                      )}
                    </td>
                    <td className="alert-annotations">
                      {alert.annotations['summary'] !== undefined && <div>{alert.annotations['summary']}</div>}
                      {alert.annotations['description'] !== undefined && <div className="muted">{alert.annotations['description']}</div>}
                    </td>
                    <td>
                      <button type="button" onClick={() => setSilencing(silencing === key ? null : key)} aria-expanded={silencing === key}>
                        Silence
                      </button>
                    </td>
                  </tr>
                  {silencing === key && (
                    <tr className="silence-row">
                      <td colSpan={8}>
                        <SilenceForm
                          labels={alert.labels}
                          onCancel={() => setSilencing(null)}
                          onDone={(silence) => {
                            setSilencing(null);
                            setSilenced(`until ${formatTime(silence.endsAt)}`);
                            reload();
                          }}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
