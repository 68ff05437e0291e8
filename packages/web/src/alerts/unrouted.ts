/**
 * A rules file that gives every rule without its own `notify` (the default rules among them) a
 * webhook receiver: what the banner offers to copy (README, "Alerting").
 */
export const RECEIVER_EXAMPLE = `receivers:
  - name: oncall
    webhook: { url: "https://example.com/hooks/spoor", secret: "env:SPOOR_WEBHOOK_SECRET" }
  # or: slack: { url: "env:SLACK_WEBHOOK_URL" }
defaults: { notify: [oncall] }
rules: []`;

/** "1 alert is firing" / "3 alerts are firing", with nowhere to send it or them. */
export function unroutedText(count: number): string {
  return count === 1 ? '1 alert is firing with nowhere to send it' : `${count} alerts are firing with nowhere to send them`;
}

/** What the header shows: short, since it sits beside the page links. */
export function unroutedShortText(count: number): string {
  return count === 1 ? '1 alert unsent' : `${count} alerts unsent`;
}
