import { Fragment, useState } from 'react';
import type { DatasetItem } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatTime, shortId } from '../format';
import { pathWith } from '../router';
import { oneLine, valueText } from '../value-text';
import { ItemEditor } from './ItemEditor';
import { itemIdText } from './dataset-view';

interface ItemRowProps {
  dataset: string;
  item: DatasetItem;
  /** Only the newest version is edited: an edit or a deletion makes the next one. */
  mayEdit: boolean;
  mayDelete: boolean;
  onChanged: () => void;
}

const COLUMNS = 6;

/** An item: its input and expected output on a line, opened in full (or for editing) below it. */
export function ItemRow({ dataset, item, mayEdit, mayDelete, onChanged }: ItemRowProps) {
  const [open, setOpen] = useState<'view' | 'edit' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const remove = () => {
    setFailure(undefined);
    apiSend('DELETE', `/api/datasets/${encodeURIComponent(dataset)}/items/${item.itemId}`).then(onChanged, (error: Error) => {
      setConfirming(false);
      setFailure(error);
    });
  };
  return (
    <Fragment>
      <tr className="clickable" data-item-id={item.itemId} onClick={() => setOpen(open === null ? 'view' : null)}>
        <td className="mono" title={item.itemId}>
          {itemIdText(item.itemId)}
        </td>
        <td className="value">
          <div className="value-line" title={oneLine(valueText(item.input), 1000)}>
            {oneLine(valueText(item.input), 200)}
          </div>
        </td>
        <td className="value">
          <div className="value-line" title={item.expectedOutput === null ? undefined : oneLine(valueText(item.expectedOutput), 1000)}>
            {item.expectedOutput === null ? <span className="muted">–</span> : oneLine(valueText(item.expectedOutput), 200)}
          </div>
        </td>
        <td>
          {item.source === null ? (
            <span className="muted">–</span>
          ) : (
            <Link
              to={pathWith(`/traces/${item.source.traceId}`, { span: item.source.spanId })}
              onClick={(e) => e.stopPropagation()}
              className="mono"
              title="The trace it was taken from"
            >
              {shortId(item.source.traceId)}
              {item.source.spanId !== null && ` / ${shortId(item.source.spanId)}`}
            </Link>
          )}
        </td>
        <td className="num" title={`written by version ${item.version}, added ${formatTime(item.createdAt)}`}>
          {item.version}
        </td>
        <td onClick={(e) => e.stopPropagation()}>
          <div className="row-actions">
            {mayEdit && (
              <button type="button" onClick={() => setOpen(open === 'edit' ? null : 'edit')} aria-expanded={open === 'edit'}>
                Edit
              </button>
            )}
            {mayDelete && !confirming && (
              <button type="button" onClick={() => setConfirming(true)}>
                Delete
              </button>
            )}
            {confirming && (
              <>
                <button type="button" className="primary" onClick={remove} aria-label={`Delete item ${item.itemId}`}>
                  Delete it
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            )}
          </div>
          <ErrorBox error={failure} />
        </td>
      </tr>
      {open !== null && (
        <tr className="item-detail">
          <td colSpan={COLUMNS}>
            {open === 'edit' ? (
              <ItemEditor
                dataset={dataset}
                item={item}
                onCancel={() => setOpen(null)}
                onSaved={() => {
                  setOpen(null);
                  onChanged();
                }}
              />
            ) : (
              <dl className="kv">
                <dt>input</dt>
                <dd>{valueText(item.input, true)}</dd>
                <dt>expectedOutput</dt>
                <dd>{item.expectedOutput === null ? '–' : valueText(item.expectedOutput, true)}</dd>
                <dt>metadata</dt>
                <dd>{valueText(item.metadata, true)}</dd>
              </dl>
            )}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
