import { displayLabels } from './alert-view';

/** An alert's labels (but `alertname` and `severity`) as `name=value` tags. */
export function AlertLabels({ labels }: { labels: Record<string, string> }) {
  const entries = displayLabels(labels);
  if (entries.length === 0) return <span className="muted">–</span>;
  return (
    <span className="alert-labels">
      {entries.map(([name, value]) => (
        <span key={name} className="tag mono" title={`${name}=${value}`}>
          {name}={value}
        </span>
      ))}
    </span>
  );
}
