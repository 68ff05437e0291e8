import { Fragment } from 'react';
import type { ComparedItem } from '@spoor/model';
import { Status } from '../components/Status';
import { itemIdText } from '../datasets/dataset-view';
import { formatChange, formatCost, formatDuration } from '../format';
import { scoreNumberText } from '../scores/score-view';
import { oneLine, valueText } from '../value-text';
import { type SortDir, type SortKey, VERDICTS, changeTone, sortKeyText } from './compare-view';
import { ComparedItemPanel } from './ComparedItemPanel';

interface ComparedItemsTableProps {
  a: string;
  b: string;
  /** Already sorted. */
  items: readonly ComparedItem[];
  scoreNames: readonly string[];
  sort: SortKey;
  dir: SortDir;
  onSort: (key: SortKey) => void;
  openItem: string | null;
  onOpen: (itemId: string | null) => void;
}

/**
 * The items of a comparison, one a row: its input, each score as `A → B` with the change, the
 * cost and latency changes, and its verdict. A column header sorts by its change (again turns it
 * round); a row opens below it, with both outputs and the trace diff of its two runs.
 */
export function ComparedItemsTable({ a, b, items, scoreNames, sort, dir, onSort, openItem, onOpen }: ComparedItemsTableProps) {
  const columns = 5 + scoreNames.length;
  const header = (key: SortKey, label: string, title: string) => {
    const active = sortKeyText(key) === sortKeyText(sort);
    return (
      <th className="num" aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort-button" title={title} onClick={() => onSort(key)}>
          {label}
          {active ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </button>
      </th>
    );
  };
  return (
    <table className="list compared-items">
      <thead>
        <tr>
          <th>Item</th>
          <th>Input</th>
          {scoreNames.map((name) => (
            <Fragment key={name}>{header({ by: 'score', name }, name, `Sort by the change of ${name} (B − A)`)}</Fragment>
          ))}
          {header({ by: 'cost' }, 'Cost Δ', 'Sort by the change of cost (B − A)')}
          {header({ by: 'latency' }, 'Latency Δ', 'Sort by the change of latency (B − A)')}
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => {
          const open = openItem === item.itemId;
          const verdict = VERDICTS[item.verdict];
          return (
            <Fragment key={item.itemId}>
              <tr
                className={open ? 'clickable open' : 'clickable'}
                data-item-id={item.itemId}
                aria-expanded={open}
                onClick={() => onOpen(open ? null : item.itemId)}
              >
                <td className="mono" title={item.itemId}>
                  {itemIdText(item.itemId)}
                </td>
                <td className="input">
                  <div className="value-line">{oneLine(valueText(item.input), 200)}</div>
                </td>
                {scoreNames.map((name) => {
                  const s = item.scores.find((x) => x.name === name);
                  return (
                    <td key={name} className="num" data-score={name}>
                      {s === undefined ? (
                        <span className="muted">–</span>
                      ) : (
                        <>
                          {side(s.a)} → {side(s.b)}{' '}
                          <span className={`delta-${changeTone(s.delta, true) ?? 'none'}`}>({formatChange(s.delta, scoreNumberText)})</span>
                        </>
                      )}
                    </td>
                  );
                })}
                <td className={`num delta-${changeTone(item.deltas.costUsd, false) ?? 'none'}`}>{formatChange(item.deltas.costUsd, formatCost)}</td>
                <td className={`num delta-${changeTone(item.deltas.latencyMs, false) ?? 'none'}`}>{formatChange(item.deltas.latencyMs, formatDuration)}</td>
                <td title={verdict.title} data-testid="verdict">
                  <Status kind={verdict.kind}>{verdict.text}</Status>
                </td>
              </tr>
              {open && (
                <tr className="compared-item-row">
                  <td colSpan={columns}>
                    <ComparedItemPanel a={a} b={b} itemId={item.itemId} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

const side = (value: number | null) => (value === null ? '–' : scoreNumberText(value));
