import type { AlertRuleListResponse } from '@spoor/model';
import { Link } from '../components/Link';
import { RECEIVER_EXAMPLE, unroutedText } from './unrouted';

/**
 * On the Alerts page while firing alerts go to Spoor's own log alone (`unrouted`, as the server
 * counts it): says so and how to give them a receiver. Gone once every firing alert has one.
 */
export function UnroutedBanner({ rules }: { rules: AlertRuleListResponse | undefined }) {
  if (rules === undefined || rules.unrouted === 0) return null;
  return (
    <div className="unrouted-banner" role="status">
      <p>
        <strong>{unroutedText(rules.unrouted)}</strong>: notifications go only to Spoor&apos;s own log (receivers: {rules.receivers.join(', ')}). Configure a
        receiver.
      </p>
      <details>
        <summary>How to configure a receiver</summary>
        <p>
          Make a webhook or Slack receiver in <Link to="/settings?tab=alerting">Settings, Alerting</Link> (in force at once) and name it in the rules&apos;{' '}
          <code>notify</code>. Or start the server with <code>--alerts rules.yaml</code> holding one (see{' '}
          <a href="/docs/alerting#alerting" target="_blank" rel="noreferrer">
            the docs, “Alerting”
          </a>
          ): rules without <code>notify</code>, the default rules among them, go to its <code>defaults.notify</code>:
        </p>
        <pre>{RECEIVER_EXAMPLE}</pre>
      </details>
    </div>
  );
}
