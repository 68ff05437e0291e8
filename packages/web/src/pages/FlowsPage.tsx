import type { FlowComparison, FlowMap, FlowStats } from '@spoor/model';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { RangePicker } from '../components/RangePicker';
import { type FlowView, flowView } from '../flows/flow-view';
import { NODE_HEIGHT, NODE_WIDTH, layoutFlow } from '../flows/flow-layout';
import { formatCost, formatCount, formatDuration, formatPercent, shortId } from '../format';
import { pathWith, setSearch } from '../router';
import { resolveRange } from '../time-range';
import { useApi } from '../use-api';
import { useNow } from '../use-now';
import './flows.css';

/**
 * The flow map: the runs matching a filter folded into one graph (`GET /api/flows`), or two
 * releases laid over each other (`GET /api/flows/compare`, with `a` and `b`). Nodes are drawn
 * layered by depth; a node or an edge opens its numbers and the runs through it.
 */
export function FlowsPage({ search }: { search: URLSearchParams }) {
  const nowMs = useNow(null, search);
  const range = resolveRange(search, nowMs, '24h');
  const filter = {
    from: range.from,
    to: range.to,
    name: search.get('name'),
    root: search.get('name') === null ? null : (search.get('root') ?? 'true'),
    attr: search.get('release') === null ? null : `service.version=${search.get('release')}`,
  };
  const a = search.get('a');
  const b = search.get('b');
  const comparing = a !== null && b !== null;
  const map = useApi<FlowMap>(comparing ? null : pathWith('/api/flows', filter));
  const comparison = useApi<FlowComparison>(comparing ? pathWith('/api/flows/compare', { ...filter, attr: null, a, b }) : null);
  const view = comparing ? (comparison.data === undefined ? null : flowView(comparison.data)) : map.data === undefined ? null : flowView(map.data);
  const [selected, setSelected] = useState<string | null>(null);
  const loading = comparing ? comparison.loading : map.loading;

  return (
    <div className="flows-page">
      <h1>Flows</h1>
      <div className="toolbar">
        <RangePicker range={range} />
        <FilterForm search={search} />
        {view !== null && <span className="muted">{view.summary}</span>}
      </div>
      <ErrorBox error={comparing ? comparison.error : map.error} />
      {view === null && loading && <p className="muted">Folding runs…</p>}
      {view !== null && view.nodes.length === 0 && <div className="empty">No runs match in this range.</div>}
      {view !== null && view.nodes.length > 0 && (
        <div className="flows-body">
          <FlowGraph view={view} selected={selected} onSelect={setSelected} />
          <FlowDetail view={view} selected={selected} />
        </div>
      )}
    </div>
  );
}

function FilterForm({ search }: { search: URLSearchParams }) {
  const field = (name: string, label: string, placeholder: string) => (
    <label>
      {label} <input name={name} defaultValue={search.get(name) ?? ''} placeholder={placeholder} size={12} />
    </label>
  );
  return (
    <form
      className="flow-filter"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const value = (name: string) => (String(form.get(name) ?? '').trim() === '' ? null : String(form.get(name)).trim());
        setSearch({ name: value('name'), release: value('release'), a: value('a'), b: value('b') }, { replace: false });
      }}
    >
      {field('name', 'Workflow', 'root span name')}
      {field('release', 'Release', 'service.version')}
      {field('a', 'Compare', 'release a')}
      {field('b', 'with', 'release b')}
      <button type="submit">Show</button>
    </form>
  );
}

function FlowGraph({ view, selected, onSelect }: { view: FlowView; selected: string | null; onSelect: (key: string) => void }) {
  const layout = layoutFlow(view.nodes, view.edges);
  return (
    <svg className="flow-map" data-testid="flow-map" width={layout.width} height={layout.height} role="img" aria-label="Flow map">
      <defs>
        <marker id="flow-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L8,4 L0,8 z" />
        </marker>
      </defs>
      {layout.edges.map((laid) => {
        const edge = view.edgeByKey.get(laid.key)!;
        return (
          <g
            key={laid.key}
            className={`flow-edge ${edge.kind} change-${edge.change} ${selected === laid.key ? 'selected' : ''}`}
            data-edge-key={laid.key}
            onClick={() => onSelect(laid.key)}
          >
            <path d={laid.d} markerEnd="url(#flow-arrow)" />
            <text x={laid.labelX} y={laid.labelY}>
              {formatCount(edge.stats.runs)}
            </text>
          </g>
        );
      })}
      {view.nodes.map((node) => {
        const at = layout.nodes.get(node.id)!;
        return (
          <g
            key={node.id}
            className={`flow-node ${node.category} change-${node.change} ${selected === node.id ? 'selected' : ''}`}
            data-node-id={node.id}
            transform={`translate(${at.x},${at.y})`}
            onClick={() => onSelect(node.id)}
          >
            <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
            <text x={8} y={17} className="flow-node-name">
              {node.category}: {node.name.length > 22 ? `${node.name.slice(0, 21)}…` : node.name}
            </text>
            <text x={8} y={35} className="flow-node-numbers">
              {formatCount(node.stats.runs)} runs · p95 {formatDuration(node.stats.p95Ms)}
              {node.stats.errorRate > 0 ? ` · ${formatPercent(node.stats.errorRate)} err` : ''}
              {node.stats.loop === null ? '' : ` · ↻${node.stats.loop.maxRepeats}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function FlowDetail({ view, selected }: { view: FlowView; selected: string | null }) {
  const node = selected === null ? undefined : view.nodes.find((n) => n.id === selected);
  const edge = selected === null ? undefined : view.edgeByKey.get(selected);
  const item = node ?? edge;
  if (item === undefined) return <aside className="flow-detail muted">Select a step or an arrow to see its numbers and its runs.</aside>;
  const s: FlowStats = item.stats;
  return (
    <aside className="flow-detail" data-testid="flow-detail">
      <h2>{node !== undefined ? `${node.category}: ${node.name}` : `${edge!.kind} → ${edge!.to.split('/').at(-1)}`}</h2>
      <p className="muted path">{node?.id ?? `${edge!.from} → ${edge!.to}`}</p>
      {item.change !== 'same' && <p className={`change-${item.change}`}>{item.changeText}</p>}
      <dl>
        <dt>Runs</dt>
        <dd>{formatCount(s.runs)}</dd>
        <dt>Spans</dt>
        <dd>{formatCount(s.spans)}</dd>
        <dt>p50 / p95</dt>
        <dd>
          {formatDuration(s.p50Ms)} / {formatDuration(s.p95Ms)}
        </dd>
        <dt>Error rate</dt>
        <dd>{formatPercent(s.errorRate)}</dd>
        <dt>Cost</dt>
        <dd>{formatCost(s.costUsd)}</dd>
        <dt>Loops</dt>
        <dd>{s.loop === null ? 'none' : `${formatCount(s.loop.runs)} runs, up to ${s.loop.maxRepeats} times`}</dd>
      </dl>
      <h3>Runs through it</h3>
      <ul className="flow-runs">
        {s.traceIds.map((traceId) => (
          <li key={traceId}>
            <Link to={`/traces/${traceId}`}>{shortId(traceId, 12)}</Link>
          </li>
        ))}
      </ul>
    </aside>
  );
}
