import { type KeyboardEvent, useMemo } from 'react';
import type { AlertListResponse, AlertRuleListResponse } from '@spoor/model';
import { ActiveTab } from '../alerts/ActiveTab';
import { HistoryTab } from '../alerts/HistoryTab';
import { RulesTab } from '../alerts/RulesTab';
import { SilencesTab } from '../alerts/SilencesTab';
import { UnroutedBanner } from '../alerts/UnroutedBanner';
import { ALERT_TABS, alertTabFrom, type AlertTab } from '../alerts/alert-tabs';
import { ruleUnits } from '../alerts/alert-units';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import './alerts.css';

/** Active alerts are asked for this often, whichever tab is open: the tab shows their count. */
const ALERTS_REFRESH_MS = 5_000;

/** Alerts: what fires now, the rules, what happened, and the silences. `?rule=` narrows to one rule. */
export function AlertsPage({ search }: { search: URLSearchParams }) {
  const tab = alertTabFrom(search.get('tab'));
  const rule = search.get('rule') || null;
  const active = useApi<AlertListResponse>('/api/alerts', { refreshMs: ALERTS_REFRESH_MS });
  // Whether firing alerts have somewhere to go: the server counts those that do not.
  const routing = useApi<AlertRuleListResponse>('/api/alerts/rules', { refreshMs: ALERTS_REFRESH_MS });
  const alerts = active.data?.alerts;
  const units = useMemo(() => ruleUnits(routing.data?.rules), [routing.data]);
  const firing = alerts?.filter((a) => a.state === 'firing').length ?? 0;
  const pending = alerts?.filter((a) => a.state === 'pending').length ?? 0;

  // A click is a move worth a back-button step; stepping through with the arrow keys is not.
  const select = (key: AlertTab, replace = false) => setSearch({ tab: key === 'active' ? null : key }, { replace });
  // Arrow keys move between tabs, as in every tab list (WAI-ARIA); Tab moves on to the panel.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const index = ALERT_TABS.findIndex((t) => t.key === tab);
    const next = ALERT_TABS[(index + step + ALERT_TABS.length) % ALERT_TABS.length]!.key;
    select(next, true);
    document.getElementById(`alerts-tab-${next}`)?.focus();
  };
  return (
    <div className="alerts-page">
      <h1>Alerts</h1>
      <UnroutedBanner rules={routing.data} />
      {rule !== null && (
        <p className="alerts-rule-filter">
          Showing rule <code>{rule}</code>{' '}
          <button type="button" onClick={() => setSearch({ rule: null })}>
            Show all rules
          </button>
        </p>
      )}
      <div className="alerts-tabs" role="tablist" aria-label="Alert views" onKeyDown={onKeyDown}>
        {ALERT_TABS.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`alerts-tab-${t.key}`}
            aria-selected={tab === t.key}
            aria-controls="alerts-panel"
            tabIndex={tab === t.key ? 0 : -1}
            onClick={() => select(t.key)}
          >
            {t.label}
            {t.key === 'active' && firing + pending > 0 && (
              <span className={`alerts-count ${firing > 0 ? 'status-error' : 'status-warn'}`}>
                <span aria-hidden="true">{firing > 0 ? '✕' : '▲'}</span>{' '}
                {[firing > 0 ? `${firing} firing` : '', pending > 0 ? `${pending} pending` : ''].filter(Boolean).join(', ')}
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="alerts-panel" role="tabpanel" id="alerts-panel" aria-labelledby={`alerts-tab-${tab}`}>
        {tab === 'active' && <ActiveTab alerts={alerts} error={active.error} rule={rule} units={units} reload={active.reload} />}
        {tab === 'rules' && <RulesTab alerts={alerts ?? []} rule={rule} onChange={active.reload} />}
        {tab === 'history' && <HistoryTab rule={rule} units={units} />}
        {tab === 'silences' && <SilencesTab rule={rule} onChange={active.reload} />}
      </div>
    </div>
  );
}
