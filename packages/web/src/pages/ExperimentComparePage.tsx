import { useMemo } from 'react';
import type { Experiment, ExperimentComparison } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatTime } from '../format';
import { setSearch } from '../router';
import { useApi } from '../use-api';
import { ComparedItemsTable } from '../experiments/ComparedItemsTable';
import { ComparisonTotals } from '../experiments/ComparisonTotals';
import { nextSort, sortDirOf, sortKeyOf, sortKeyText, sortedItems } from '../experiments/compare-view';
import '../compare/compare.css';
import '../experiments/experiments.css';
import { targetText } from '../experiments/target-text.js';

/**
 * Experiment B against A (the baseline), `/experiments/:a/compare/:b`: the totals, then the items,
 * sorted by a column's change (`?sort=score:NAME|cost|latency&dir=asc|desc`), one opened
 * (`?item=ID`) with both outputs and its trace diff. The URL keeps all of it, to be shared.
 */
export function ExperimentComparePage({ a, b, search }: { a: string; b: string; search: URLSearchParams }) {
  const comparison = useApi<ExperimentComparison>(apiUrl(`/api/experiments/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`));
  const sortParam = search.get('sort');
  const sort = sortKeyOf(sortParam);
  const dir = sortDirOf(search.get('dir'), sort);
  const data = comparison.data;
  const items = useMemo(() => (data === undefined ? [] : sortedItems(data.items, sortKeyOf(sortParam), dir)), [data, sortParam, dir]);
  if (data === undefined) {
    return (
      <div>
        <h1>Compare experiments</h1>
        {comparison.error !== undefined ? <ErrorBox error={comparison.error} /> : <p className="muted">Comparing…</p>}
      </div>
    );
  }
  const onSort = (clicked: typeof sort) => {
    const next = nextSort(sort, dir, clicked);
    setSearch({ sort: sortKeyText(next.key), dir: next.dir });
  };
  return (
    <div className="experiment-compare-page">
      <h1>
        <Link to="/datasets">Datasets</Link> / <Link to={`/datasets/${encodeURIComponent(data.b.dataset)}`}>{data.b.dataset}</Link> / compare
      </h1>
      <div className="experiment-compare-head">
        <Side label="A (baseline)" run={data.a} />
        <Side label="B" run={data.b} />
      </div>
      <ComparisonTotals comparison={data} />
      <h2>Items</h2>
      <ComparedItemsTable
        a={data.a.id}
        b={data.b.id}
        items={items}
        scoreNames={data.scores.map((s) => s.name)}
        sort={sort}
        dir={dir}
        onSort={onSort}
        openItem={search.get('item')}
        onOpen={(itemId) => setSearch({ item: itemId })}
      />
    </div>
  );
}

function Side({ label, run }: { label: string; run: Experiment }) {
  return (
    <div>
      <h2>
        {label}: {run.name}
      </h2>
      <p className="muted">
        {targetText(run.target)} · version {run.datasetVersion} · {run.state} · {formatTime(run.createdAt)}
      </p>
    </div>
  );
}
