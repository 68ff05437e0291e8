import type { Dataset, DatasetListResponse } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatAgo, formatInteger, formatTime } from '../format';
import { navigate } from '../router';
import { mayScore, useSession } from '../session-context';
import { useApi } from '../use-api';
import { NewDatasetForm } from '../datasets/NewDatasetForm';
import '../datasets/datasets.css';

/** Datasets: what each holds at its newest version; make one (an ingest or admin key). */
export function DatasetsPage() {
  const list = useApi<DatasetListResponse>('/api/datasets');
  const session = useSession();
  const datasets = list.data?.datasets ?? [];
  return (
    <div className="datasets-page">
      <h1>Datasets</h1>
      <p className="muted">
        Sets of inputs, with the output expected of each, that experiments run a new version of your app on. Add runs and calls to one with “Add to dataset” on
        a trace, an LLM call or the trace list.
      </p>
      {session !== null && mayScore(session) && <NewDatasetForm existing={datasets.map((d) => d.name)} />}
      <ErrorBox error={list.error} />
      {list.data !== undefined && datasets.length === 0 && <div className="empty">No datasets yet.</div>}
      {datasets.length > 0 && (
        <table className="list datasets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th className="num">Version</th>
              <th className="num">Items</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <DatasetRow key={d.name} dataset={d} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DatasetRow({ dataset }: { dataset: Dataset }) {
  const to = `/datasets/${encodeURIComponent(dataset.name)}`;
  return (
    <tr className="clickable" onClick={() => navigate(to)}>
      <td>
        <Link to={to} onClick={(e) => e.stopPropagation()}>
          {dataset.name}
        </Link>
      </td>
      <td>{dataset.description === '' ? <span className="muted">–</span> : dataset.description}</td>
      <td className="num">{dataset.version}</td>
      <td className="num">{formatInteger(dataset.itemCount)}</td>
      <td title={formatTime(dataset.updatedAt)}>{formatAgo(dataset.updatedAt)}</td>
    </tr>
  );
}
