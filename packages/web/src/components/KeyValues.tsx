import { Fragment } from 'react';

/** `key value` rows as a `.kv` list; "None." when there are none. */
export function KeyValues({ rows }: { rows: ReadonlyArray<readonly [string, string]> }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <dl className="kv">
      {rows.map(([key, value]) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
