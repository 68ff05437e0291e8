import { Fragment, useState } from 'react';
import type { ChangedSpan, TraceDiff, TraceDiffSide } from '@spoor/model';
import { Link } from '../components/Link';
import { formatChange, formatCost, formatCostOf, formatCountOf, formatDuration, formatInteger } from '../format';
import { TextDiff } from './TextDiff';
import './compare.css';

const KIND_LABEL = { same: '', changed: 'changed', added: 'only in B', removed: 'only in A' } as const;

/**
 * Two runs side by side, span by span, differences marked; a changed span opens to show what
 * changed (its fields, its prompt and completion line by line). Shown by the trace comparison
 * page and by an experiment comparison's item.
 */
export function TraceDiffView({ diff }: { diff: TraceDiff }) {
  const [open, setOpen] = useState<string | null>(null);
  const changes = new Map(diff.changed.map((c) => [c.path, c]));
  return (
    <>
      <div className="compare-sides">
        <Side label="A" side={diff.a} />
        <Side label="B" side={diff.b} />
      </div>
      <p className="compare-summary" data-testid="compare-summary">
        {diff.changed.length} changed, {diff.added.length} only in B, {diff.removed.length} only in A · duration{' '}
        {formatChange(diff.deltas.durationMs, formatDuration)} · tokens {formatChange(sum(diff.deltas.inputTokens, diff.deltas.outputTokens), formatInteger)} ·
        cost {formatChange(diff.deltas.costUsd, formatCost)}
        {diff.a.unpricedCalls + diff.b.unpricedCalls > 0 ? ' (leaves out unpriced calls)' : ''}
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
          {diff.rows.map((row) => {
            const change = changes.get(row.path);
            return (
              <Fragment key={row.path}>
                <tr className={`compare-row kind-${row.kind}`} data-kind={row.kind}>
                  <td style={{ paddingLeft: `${8 + row.depth * 16}px` }}>
                    {change !== undefined ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setOpen(open === row.path ? null : row.path)}
                        aria-expanded={open === row.path}
                      >
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
  );
}

function Side({ label, side }: { label: string; side: TraceDiffSide }) {
  return (
    <div className="compare-side">
      <h2>
        {label}: <Link to={`/traces/${side.traceId}`}>{side.rootName || side.traceId}</Link>
      </h2>
      <p className="muted">
        {formatDuration(side.durationMs)} · {formatCountOf(side.spanCount, 'span')} · {formatCountOf(side.errorCount, 'error')} ·{' '}
        {formatInteger(sum(side.inputTokens, side.outputTokens))} tokens · {formatCostOf(side.costUsd, side.unpricedCalls)}
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
      {change.prompt !== null && (
        <>
          <h4>Prompt</h4>
          <TextDiff title="Prompt" lines={change.prompt} />
        </>
      )}
      {change.completion !== null && (
        <>
          <h4>Completion</h4>
          <TextDiff title="Completion" lines={change.completion} />
        </>
      )}
    </div>
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
