import type { Alert, AlertListResponse } from '@spoor/model';
import { RulesTab } from '../alerts/RulesTab';
import { Link } from '../components/Link';
import { setSearch } from '../router';
import { useSession } from '../session-context';
import { KeysTab } from '../settings/KeysTab';
import { PolicyTab } from '../settings/PolicyTab';
import { PricesTab } from '../settings/PricesTab';
import { ProvidersTab } from '../settings/ProvidersTab';
import { ReceiversSection } from '../settings/ReceiversSection';
import { useApi } from '../use-api';
import './alerts.css';
import './settings.css';

const TABS = [
  ['keys', 'Keys'],
  ['alerting', 'Alerting'],
  ['providers', 'Providers'],
  ['masking', 'Masking'],
  ['sampling', 'Sampling'],
  ['prices', 'Prices'],
] as const;
type Tab = (typeof TABS)[number][0];
/** Tabs that change who may do what, or where alerts and their tokens go: an admin's. */
const ADMIN_TABS: readonly Tab[] = ['keys', 'alerting'];

const tabFrom = (value: string | null): Tab => TABS.find(([key]) => key === value)?.[0] ?? 'keys';

/** The project's settings, each in force as soon as it is saved: no restart, no file. `?tab=` picks one. */
export function SettingsPage({ search }: { search: URLSearchParams }) {
  const tab = tabFrom(search.get('tab'));
  const session = useSession();
  const project = session?.projectId ?? 'default';
  const readOnly = session !== null && session.role !== 'admin';
  return (
    <div className="settings-page">
      <h1>Settings</h1>
      <div className="alerts-tabs" role="tablist" aria-label="Settings">
        {TABS.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            id={`settings-tab-${key}`}
            aria-selected={tab === key}
            aria-controls="settings-panel"
            onClick={() => setSearch({ tab: key === 'keys' ? null : key }, { replace: false })}
          >
            {label}
          </button>
        ))}
      </div>
      <div id="settings-panel" role="tabpanel" aria-labelledby={`settings-tab-${tab}`}>
        {readOnly && (
          <p className="muted settings-role">
            Signed in with a {session.role} key: {ADMIN_TABS.includes(tab) ? 'this needs an admin key.' : 'changes need an admin key.'}
          </p>
        )}
        {tab === 'keys' && <KeysTab />}
        {tab === 'alerting' && <AlertingTab />}
        {tab === 'providers' && <ProvidersTab />}
        {tab === 'masking' && (
          <PolicyTab
            key={`masking-${project}`}
            path={`/api/projects/${encodeURIComponent(project)}/masking`}
            label="Masking"
            fileFlag="--mask"
            about={
              'What is masked in the telemetry this project sends, before it is stored: built-in detectors (emails, cards, keys…), your patterns ' +
              'and secret keys. It applies to what arrives after it is saved.'
            }
            example='{ "detectors": ["email", "credit_card"], "mode": "mask", "rules": [{ "name": "ticket", "pattern": "TCK-[0-9]+" }] }'
          />
        )}
        {tab === 'sampling' && (
          <PolicyTab
            key={`sampling-${project}`}
            path={`/api/projects/${encodeURIComponent(project)}/sampling`}
            label="Sampling"
            fileFlag="--sampling"
            about="Tail sampling: the share of ordinary traces kept, and the traces always kept whole (errors, slow ones, costly ones, low scores, a filter)."
            example='{ "rate": 0.1, "keep": { "errors": true, "slowerThan": { "llm": "30s" }, "costOverUsd": 1 } }'
          />
        )}
        {tab === 'prices' && <PricesTab />}
      </div>
    </div>
  );
}

/** Receivers and rules together: a receiver made here can be named by a rule made next, and both are in force at once. */
function AlertingTab() {
  const active = useApi<AlertListResponse>('/api/alerts', { refreshMs: 5_000 });
  const alerts: Alert[] = active.data?.alerts ?? [];
  return (
    <>
      <ReceiversSection onChange={active.reload} />
      <section aria-label="Rules" className="settings-rules">
        <h2>Rules</h2>
        <p className="muted">
          Name receivers in a rule&apos;s <code>notify</code> (under Other fields: <code>{'{ "notify": ["oncall"] }'}</code>). What fires is on the{' '}
          <Link to="/alerts">Alerts</Link> page.
        </p>
        <RulesTab alerts={alerts} rule={null} onChange={active.reload} />
      </section>
    </>
  );
}
