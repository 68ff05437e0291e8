import { Fragment, useState } from 'react';
import type { ChangedSpan, TextDiffLine, TraceDiff, TraceDiffSide } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatChange, formatCost, formatDuration, formatInteger } from '../format';
import { useApi } from '../use-api';
import './compare.css';

const KIND_LABEL = { same: '', changed: 'changed', added: 'only in B', removed: 'only in A' } as const;

/** Two runs side by side, span by span, differences marked: `/compare?a=TRACE&b=TRACE`. */
export function ComparePage({ search }: { search: URLSearchParams }) {
  const a = search.get('a');
  const b = search.get('b');
  const { data, error, loading } = useApi<TraceDiff>(a === null || b === null ? null : apiUrl(`/api/traces/${a}/diff/${b}`));
  const [open, setOpen] = useState<string | null>(null);
  if (a === null || b === null) return <div className="empty">Name two traces to compare: /compare?a=TRACE_ID&amp;b=TRACE_ID</div>;
  const changes = new Map((data?.changed ?? []).map((c) => [c.path, c]));
  return (
    <div className="compare-page">
      <h1>Compare runs</h1>
      <ErrorBox error={error} />
      {data === undefined && loading && <p className="muted">Comparing…</p>}
      {data !== undefined && (
        <>
          <div className="compare-sides">
            <Side label="A" side={data.a} />
            <Side label="B" side={data.b} />
          </div>
          <p className="compare-summary" data-testid="compare-summary">
            {data.changed.length} changed, {data.added.length} only in B, {data.removed.length} only in A · duration {formatChange(data.deltas.durationMs, formatDuration)} · tokens{' '}
            {formatChange(sum(data.deltas.inputTokens, data.deltas.outputTokens), formatInteger)} · cost {formatChange(data.deltas.costUsd, formatCost)}
          </p>
          <table className="compare-table">
            <thead>
              <tr>
                <th>Span</th>
                <th>A</th>
                <th>B</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row) => {
                const change = changes.get(row.path);
                return (
                  <Fragment key={row.path}>
                    <tr className={`compare-row kind-${row.kind}`} data-kind={row.kind}>
                      <td style={{ paddingLeft: `${8 + row.depth * 16}px` }}>
                        {change !== undefined ? (
                          <button type="button" className="link-button" onClick={() => setOpen(open === row.path ? null : row.path)} aria-expanded={open === row.path}>
                            {row.name}
                          </button>
                        ) : (
                          row.name
                        )}
                      </td>
                      <td>{row.aSpanId === null ? '' : formatDuration(row.aDurationMs)}</td>
                      <td>{row.bSpanId === null ? '' : formatDuration(row.bDurationMs)}</td>
                      <td className="compare-kind">{KIND_LABEL[row.kind]}</td>
                    </tr>
                    {change !== undefined && open === row.path && (
                      <tr className="compare-detail">
                        <td colSpan={4}>
                          <ChangeDetail change={change} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function Side({ label, side }: { label: string; side: TraceDiffSide }) {
  return (
    <div className="compare-side">
      <h2>
        {label}: <Link to={`/traces/${side.traceId}`}>{side.rootName || side.traceId}</Link>
      </h2>
      <p className="muted">
        {formatDuration(side.durationMs)} · {side.spanCount} spans · {side.errorCount} errors · {formatInteger(sum(side.inputTokens, side.outputTokens))} tokens · {formatCost(side.costUsd)}
      </p>
    </div>
  );
}

function ChangeDetail({ change }: { change: ChangedSpan }) {
  return (
    <div className="compare-change">
      <dl>
        {Object.entries(change.fields).map(([field, { a, b }]) => (
          <div key={field}>
            <dt>{field}</dt>
            <dd>
              <span className="diff-del">{fieldText(field, a)}</span> → <span className="diff-add">{fieldText(field, b)}</span>
            </dd>
          </div>
        ))}
      </dl>
      {change.prompt !== null && <Lines title="Prompt" lines={change.prompt} />}
      {change.completion !== null && <Lines title="Completion" lines={change.completion} />}
    </div>
  );
}

function Lines({ title, lines }: { title: string; lines: TextDiffLine[] }) {
  return (
    <>
      <h4>{title}</h4>
      <pre className="text-diff" aria-label={`${title} diff`}>
        {lines.map((line, i) => (
          <div key={i} className={line.op === '+' ? 'diff-add' : line.op === '-' ? 'diff-del' : undefined}>
            {line.op === '=' ? ' ' : line.op} {line.text}
          </div>
        ))}
      </pre>
    </>
  );
}

/** A changed field's value as the rest of the dashboard writes it. */
function fieldText(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'number') return field === 'costUsd' ? formatCost(value) : formatInteger(value);
  return String(value);
}

function sum(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}
