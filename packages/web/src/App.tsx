import { type ReactNode, useEffect, useRef } from 'react';
import { AccessGate, AccountMenu } from './access';
import { UnroutedNotice } from './alerts/UnroutedNotice';
import { AlertsPage } from './pages/AlertsPage';
import { AuditPage } from './pages/AuditPage';
import { ComparePage } from './pages/ComparePage';
import { DatasetPage } from './pages/DatasetPage';
import { DatasetsPage } from './pages/DatasetsPage';
import { DashboardsPage } from './pages/DashboardsPage';
import { ExperimentComparePage } from './pages/ExperimentComparePage';
import { ExperimentsPage } from './pages/ExperimentsPage';
import { PromptPage } from './pages/PromptPage';
import { PromptsPage } from './pages/PromptsPage';
import { FlowsPage } from './pages/FlowsPage';
import { ErrorGroupPage } from './pages/ErrorGroupPage';
import { ErrorsPage } from './pages/ErrorsPage';
import { EvaluatorsPage } from './pages/EvaluatorsPage';
import { LogsPage } from './pages/LogsPage';
import { MetricsPage } from './pages/MetricsPage';
import { SessionPage } from './pages/SessionPage';
import { SessionsPage } from './pages/SessionsPage';
import { UsersPage } from './pages/UsersPage';
import { ReviewPage } from './review/ReviewPage';
import { PlaygroundPage } from './playground/PlaygroundPage';
import { SettingsPage } from './pages/SettingsPage';
import { TracePage } from './pages/TracePage';
import { TracesPage } from './pages/TracesPage';
import { Link } from './components/Link';
import { docsLinkFor } from './docs-links';
import { matchRoute, useLocation } from './router';
import { SessionContext } from './session-context';

/**
 * Path pattern -> page. `/traces` is the home page too: alert notifications link to it. The
 * metrics page is `/charts` because `/metrics` is the Prometheus endpoint on the same port.
 */
const ROUTES = [
  ['/', 'traces'],
  ['/traces', 'traces'],
  ['/traces/:traceId', 'trace'],
  ['/charts', 'metrics'],
  ['/dashboards', 'dashboards'],
  ['/dashboards/:name', 'dashboard'],
  ['/sessions', 'sessions'],
  ['/flows', 'flows'],
  ['/sessions/:sessionId', 'session'],
  ['/users', 'users'],
  ['/errors', 'errors'],
  ['/errors/:fingerprint', 'error'],
  ['/alerts', 'alerts'],
  ['/evaluators', 'evaluators'],
  ['/datasets', 'datasets'],
  ['/datasets/:name', 'dataset'],
  ['/experiments', 'experiments'],
  ['/experiments/:a/compare/:b', 'experiment-compare'],
  ['/prompts', 'prompts'],
  ['/prompts/:name', 'prompt'],
  ['/logs', 'logs'],
  ['/audit', 'audit'],
  ['/compare', 'compare'],
  ['/playground', 'playground'],
  ['/settings', 'settings'],
  ['/review', 'review'],
  ['/review/:name', 'review-queue'],
] as const;

const NAV = [
  ['/', 'Traces', ['traces', 'trace']],
  ['/charts', 'Metrics', ['metrics']],
  ['/dashboards', 'Dashboards', ['dashboards', 'dashboard']],
  ['/sessions', 'Sessions', ['sessions', 'session']],
  ['/flows', 'Flows', ['flows']],
  ['/users', 'Users', ['users']],
  ['/errors', 'Errors', ['errors', 'error']],
  ['/alerts', 'Alerts', ['alerts']],
  ['/evaluators', 'Evaluators', ['evaluators']],
  ['/datasets', 'Datasets', ['datasets', 'dataset']],
  ['/experiments', 'Experiments', ['experiments', 'experiment-compare']],
  ['/prompts', 'Prompts', ['prompts', 'prompt']],
  ['/review', 'Review', ['review', 'review-queue']],
  ['/playground', 'Playground', ['playground']],
  ['/logs', 'Logs', ['logs']],
  ['/audit', 'Audit', ['audit']],
  ['/settings', 'Settings', ['settings']],
] as const;

export function App() {
  return (
    <AccessGate>
      {(session, actions) => (
        <SessionContext.Provider value={session}>
          <Dashboard menu={<AccountMenu session={session} actions={actions} />} />
        </SessionContext.Provider>
      )}
    </AccessGate>
  );
}

function Dashboard({ menu }: { menu: ReactNode }) {
  const location = useLocation();
  const route = matchRoute(location.pathname, ROUTES);
  const page = route?.page ?? 'missing';
  // The bar's links scroll sideways when they do not fit: the current page's is kept in view.
  const navRef = useRef<HTMLElement>(null);
  useEffect(() => {
    navRef.current?.querySelector('a.active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [page]);
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          Spoor
        </Link>
        <nav aria-label="Pages" ref={navRef}>
          {NAV.map(([to, label, pages]) => (
            <Link
              key={to}
              to={to}
              className={(pages as readonly string[]).includes(page) ? 'active' : undefined}
              aria-current={(pages as readonly string[]).includes(page) ? 'page' : undefined}
            >
              {label}
            </Link>
          ))}
          <a href={docsLinkFor(page)} target="_blank" rel="noreferrer" title="The docs on this page (opens a new tab)">
            Docs
          </a>
        </nav>
        {page !== 'alerts' && <UnroutedNotice />}
        {menu}
      </header>
      <main>{render(route?.page, route?.params ?? {}, location.search)}</main>
    </div>
  );
}

function render(page: string | undefined, params: Record<string, string>, search: URLSearchParams) {
  switch (page) {
    case 'traces':
      return <TracesPage search={search} />;
    case 'trace':
      return <TracePage key={params['traceId']} traceId={params['traceId']!} search={search} />;
    case 'metrics':
      return <MetricsPage search={search} />;
    case 'dashboards':
      return <DashboardsPage name={null} search={search} />;
    case 'dashboard':
      return <DashboardsPage key={params['name']} name={params['name']!} search={search} />;
    case 'sessions':
      return <SessionsPage search={search} />;
    case 'flows':
      return <FlowsPage search={search} />;
    case 'users':
      return <UsersPage search={search} />;
    case 'playground':
      return <PlaygroundPage search={search} />;
    case 'session':
      return <SessionPage key={params['sessionId']} sessionId={params['sessionId']!} search={search} />;
    case 'errors':
      return <ErrorsPage search={search} />;
    case 'error':
      return <ErrorGroupPage key={params['fingerprint']} fingerprint={params['fingerprint']!} search={search} />;
    case 'alerts':
      return <AlertsPage search={search} />;
    case 'evaluators':
      return <EvaluatorsPage />;
    case 'datasets':
      return <DatasetsPage />;
    case 'dataset':
      return <DatasetPage key={params['name']} name={params['name']!} search={search} />;
    case 'experiments':
      return <ExperimentsPage />;
    case 'experiment-compare':
      return <ExperimentComparePage key={`${params['a']}/${params['b']}`} a={params['a']!} b={params['b']!} search={search} />;
    case 'prompts':
      return <PromptsPage />;
    case 'prompt':
      return <PromptPage key={params['name']} name={params['name']!} />;
    case 'logs':
      return <LogsPage search={search} />;
    case 'audit':
      return <AuditPage />;
    case 'compare':
      return <ComparePage search={search} />;
    case 'settings':
      return <SettingsPage search={search} />;
    case 'review':
      return <ReviewPage name={null} search={search} />;
    case 'review-queue':
      return <ReviewPage key={params['name']} name={params['name']!} search={search} />;
    default:
      return (
        <div className="empty">
          <h1>Not found</h1>
          <p>
            Nothing lives at this address. <Link to="/">Go to the traces.</Link>
          </p>
        </div>
      );
  }
}
