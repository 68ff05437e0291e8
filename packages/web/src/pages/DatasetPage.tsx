import type { Dataset, DatasetItem, DatasetItemsResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { LoadMore } from '../components/LoadMore';
import { ItemRow } from '../datasets/ItemRow';
import { DatasetExperiments } from '../experiments/DatasetExperiments';
import { versionChoices } from '../datasets/dataset-view';
import { formatCountOf, formatTime } from '../format';
import { setSearch } from '../router';
import { mayScore, useSession } from '../session-context';
import { useApi } from '../use-api';
import { usePages } from '../use-pages';
import '../datasets/datasets.css';

const pickItems = (page: DatasetItemsResponse) => ({ items: page.items, nextCursor: page.nextCursor });
const itemKey = (item: DatasetItem) => item.itemId;

/**
 * One dataset: its items at a chosen version (`?version=N`, default the newest), each opened in
 * full, edited or deleted at the newest version; and the experiments run on it.
 */
export function DatasetPage({ name, search }: { name: string; search: URLSearchParams }) {
  const path = `/api/datasets/${encodeURIComponent(name)}`;
  const newest = useApi<Dataset>(path);
  const asked = Number(search.get('version'));
  const version = Number.isInteger(asked) && asked > 0 ? asked : null;
  const shown = useApi<Dataset>(version === null ? null : apiUrl(path, { version }));
  const items = usePages(`${path}/items`, newest.data === undefined ? null : { version: version ?? newest.data.version, limit: 50 }, pickItems, itemKey);
  const session = useSession();

  if (newest.error !== undefined) {
    return (
      <div>
        <h1>Dataset {name}</h1>
        <ErrorBox error={newest.error} />
        <Link to="/datasets">All datasets</Link>
      </div>
    );
  }
  if (newest.data === undefined) return <div className="empty">Loading dataset {name}…</div>;
  const latest = newest.data;
  const dataset = version === null ? latest : shown.data;
  const atNewest = version === null || version === latest.version;
  const changed = () => {
    // A change made the next version: show it.
    setSearch({ version: null });
    newest.reload();
    items.reload();
  };
  return (
    <div className="dataset-page">
      <h1>
        <Link to="/datasets">Datasets</Link> / {latest.name}
      </h1>
      {latest.description !== '' && <p>{latest.description}</p>}
      <div className="dataset-head">
        <label>
          Version{' '}
          <select
            aria-label="Version"
            value={version ?? latest.version}
            onChange={(e) => setSearch({ version: Number(e.target.value) === latest.version ? null : e.target.value })}
          >
            {versionChoices(latest.version).map((v) => (
              <option key={v} value={v}>
                {v}
                {v === latest.version ? ' (newest)' : ''}
              </option>
            ))}
          </select>
        </label>
        {dataset !== undefined && (
          <>
            <span data-testid="dataset-item-count">{formatCountOf(dataset.itemCount, 'item')}</span>
            <span>made {formatTime(dataset.createdAt)}</span>
            <span>this version {formatTime(dataset.updatedAt)}</span>
          </>
        )}
        {!atNewest && <span>An older version: edits are made to the newest.</span>}
        <a href="#experiments">Experiments</a>
      </div>
      <ErrorBox error={shown.error ?? items.error} />
      <h2>Items</h2>
      {items.loaded && items.items.length === 0 && (
        <div className="empty">No items at this version. Add runs with “Add to dataset” on a trace, an LLM call or the trace list.</div>
      )}
      {items.items.length > 0 && (
        <table className="list dataset-items">
          <thead>
            <tr>
              <th>Item</th>
              <th>Input</th>
              <th>Expected output</th>
              <th>Source</th>
              <th className="num" title="The version that wrote the item as it reads">
                Version
              </th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.items.map((item) => (
              <ItemRow
                key={`${item.itemId}@${item.version}`}
                dataset={latest.name}
                item={item}
                mayEdit={atNewest && session !== null && mayScore(session)}
                mayDelete={atNewest && session?.role === 'admin'}
                onChanged={changed}
              />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pages={items} />
      <DatasetExperiments dataset={latest.name} />
    </div>
  );
}
