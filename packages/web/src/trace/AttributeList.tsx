import type { Attributes } from '@spoor/model';

/** Attributes as a sorted key/value list; objects and arrays as JSON. */
export function AttributeList({ attributes, empty = 'none' }: { attributes: Attributes; empty?: string }) {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return <p className="muted">{empty}</p>;
  return (
    <dl className="kv">
      {keys.map((key) => (
        <div key={key} style={{ display: 'contents' }}>
          <dt>{key}</dt>
          <dd>{valueText(attributes[key])}</dd>
        </div>
      ))}
    </dl>
  );
}

export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}
