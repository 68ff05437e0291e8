import type { AlertRuleListResponse } from '@spoor/model';
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
        <strong>{unroutedText(rules.unrouted)}</strong>: notifications go only to Spoor&apos;s own log (receivers: {rules.receivers.join(', ')}). Configure a receiver.
      </p>
      <details>
        <summary>How to configure a receiver</summary>
        <p>
          Start the server with <code>--alerts rules.yaml</code> holding a webhook or Slack receiver, and send the rules to it (see the README, “Alerting”, Notifications). Rules without{' '}
          <code>notify</code>, the default rules among them, go to <code>defaults.notify</code>:
        </p>
        <pre>{RECEIVER_EXAMPLE}</pre>
      </details>
    </div>
  );
}
