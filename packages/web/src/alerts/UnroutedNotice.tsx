import type { AlertRuleListResponse } from '@spoor/model';
import { Link } from '../components/Link';
import { pathWith } from '../router';
import { useApi } from '../use-api';
import { unroutedShortText, unroutedText } from './unrouted';

/** The header's small notice: firing alerts that go nowhere, asked for every 30 s. */
const NOTICE_REFRESH_MS = 30_000;

/** A link to the Alerts page while firing alerts go to Spoor's own log alone; nothing otherwise. */
export function UnroutedNotice() {
  const { data } = useApi<AlertRuleListResponse>('/api/alerts/rules', { refreshMs: NOTICE_REFRESH_MS });
  if (data === undefined || data.unrouted === 0) return null;
  return (
    <Link to={pathWith('/alerts')} className="unrouted-notice" title={`${unroutedText(data.unrouted)}: configure a receiver`}>
      <span aria-hidden="true">▲</span> {unroutedShortText(data.unrouted)}
    </Link>
  );
}
