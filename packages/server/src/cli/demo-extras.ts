import { type HrTime, SpanKind, ValueType } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Random } from './demo-history.js';
import { CURRENT_RELEASE, type DemoTelemetry, keyHeaders } from './demo-telemetry.js';

/*
 * The parts of the demo beyond its runs: the app's own metrics over the last hour, and one very
 * big trace (a nightly re-index of 20,000 spans) for the trace view to show what it does at scale.
 */

/** Spans of the big trace. */
export const BIG_TRACE_SPANS = 20_000;
const BIG_BATCHES = 100;
/** Spans recorded between two flushes: within the demo's span queue (`DemoTelemetry`). */
const FLUSH_EVERY = 4_000;

/**
 * Records the nightly re-index of the knowledge base, `BIG_TRACE_SPANS` spans in all: a workflow,
 * a step per batch of documents, and in each an embedding call per chunk and a vector upsert now
 * and then. Starts at `startMs` and lasts some eight minutes. Returns its trace id.
 */
export async function recordBigTrace(telemetry: DemoTelemetry, startMs: number): Promise<string> {
  const { indexer: agent, retrieval } = telemetry;
  const random = new Random(0xb16);
  const root = telemetry.span(
    agent,
    'workflow reindex-knowledge-base',
    null,
    startMs,
    {
      'spoor.kind': 'workflow',
      'workflow.name': 'reindex-knowledge-base',
      'workflow.run_id': `run-${startMs}`,
      'user.id': 'scheduler',
    },
    SpanKind.SERVER,
  );
  let recorded = 1;
  let t = startMs + 10;
  const children = BIG_TRACE_SPANS - 1 - BIG_BATCHES;
  for (let b = 0; b < BIG_BATCHES; b++) {
    const step = telemetry.span(agent, `step batch-${String(b + 1).padStart(3, '0')}`, root, t, { 'spoor.kind': 'step', 'step.number': b + 1 });
    recorded++;
    // The children shared out evenly, the first batches taking one more while any are left over.
    const count = Math.floor(children / BIG_BATCHES) + (b < children % BIG_BATCHES ? 1 : 0);
    let c = t + 2;
    for (let i = 0; i < count; i++) {
      if (i % 20 === 19) {
        const upsert = { 'db.system.name': 'qdrant', 'db.collection.name': 'web-pages', 'db.operation.batch.size': 20 };
        telemetry.span(retrieval, 'vector.upsert', step, c, upsert, SpanKind.CLIENT).end(c + random.int(8, 30));
      } else {
        const tokens = random.int(180, 520);
        telemetry
          .llmSpan(agent, step, c, {
            operation: 'embeddings',
            provider: 'openai',
            model: 'text-embedding-3-small',
            responseModel: 'text-embedding-3-small',
            inputTokens: tokens,
          })
          .end(c + random.int(12, 40));
      }
      c += random.int(20, 26);
      if (++recorded % FLUSH_EVERY === 0) await telemetry.flush();
    }
    step.end(c + 2);
    t = c + 4;
  }
  root.end(t + 5);
  await telemetry.flush();
  return root.spanContext().traceId;
}

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

/**
 * The agent's own metrics for the last hour, a point a minute, as its OpenTelemetry SDK would have
 * sent them: runs by workflow (a counter), the work queue's depth (a gauge) and run durations by
 * workflow (a histogram), exported by the SDK's OTLP/protobuf metric exporter. The points are
 * made here rather than by a meter, which stamps every point with the time it is read.
 */
export async function sendAppMetrics(endpoint: string, endMs: number): Promise<void> {
  const random = new Random(0x3e7);
  const minutes = 60;
  const startMs = endMs - minutes * 60_000;
  const workflows = ['answer-question', 'research-report', 'summarize-thread'];
  const runs = new Map(workflows.map((w) => [w, 0]));
  const counter: Array<MetricData['dataPoints'][number]> = [];
  const gauge: Array<MetricData['dataPoints'][number]> = [];
  const histogram: Array<MetricData['dataPoints'][number]> = [];
  const bounds = [0.5, 1, 2.5, 5, 10, 30, 60];
  for (let m = 1; m <= minutes; m++) {
    const at = startMs + m * 60_000;
    // Busier in the second half hour, as the main run's session is.
    const load = m > 30 ? 2 : 1;
    for (const [w, i] of workflows.map((w, i) => [w, i] as const)) {
      const n = random.int(0, 2 + load * (3 - i));
      runs.set(w, runs.get(w)! + n);
      counter.push({ startTime: hr(startMs), endTime: hr(at), attributes: { workflow: w }, value: runs.get(w)! });
      const counts = bounds.map(() => 0).concat(0);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const seconds = (i === 1 ? 8 : 2) + random.next() * (i === 1 ? 20 : 6);
        sum += seconds;
        const bucket = bounds.findIndex((b) => seconds <= b);
        counts[bucket === -1 ? bounds.length : bucket]!++;
      }
      const value = { buckets: { boundaries: bounds, counts }, count: n, sum, min: undefined, max: undefined };
      histogram.push({ startTime: hr(at - 60_000), endTime: hr(at), attributes: { workflow: w }, value });
    }
    gauge.push({ startTime: hr(at), endTime: hr(at), attributes: {}, value: Math.max(0, Math.round(3 * load + 4 * Math.sin(m / 6) + random.int(-2, 2))) });
  }
  const { CUMULATIVE, DELTA } = AggregationTemporality;
  const metrics = [
    {
      descriptor: { name: 'agent.runs', description: 'Workflow runs started, by workflow.', unit: '{run}', valueType: ValueType.INT },
      aggregationTemporality: CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: counter,
    },
    {
      descriptor: { name: 'agent.queue.depth', description: 'Requests waiting for a worker.', unit: '{request}', valueType: ValueType.INT },
      aggregationTemporality: CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: gauge,
    },
    {
      descriptor: { name: 'agent.run.duration', description: 'How long a workflow run took, by workflow.', unit: 's', valueType: ValueType.DOUBLE },
      aggregationTemporality: DELTA,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: histogram,
    },
  ] as MetricData[];
  const resourceMetrics: ResourceMetrics = {
    resource: resourceFromAttributes({ 'service.name': 'research-agent', 'service.version': CURRENT_RELEASE, 'deployment.environment.name': 'demo' }),
    scopeMetrics: [{ scope: { name: 'spoor-demo', version: '0.1.0' }, metrics }],
  };
  const exporter = new OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, headers: keyHeaders() });
  try {
    await new Promise<void>((resolve, reject) =>
      exporter.export(resourceMetrics, (result) =>
        result.code === ExportResultCode.SUCCESS
          ? resolve()
          : reject(new Error(`the server refused the demo's metrics: ${result.error?.message ?? 'unknown error'}`)),
      ),
    );
  } finally {
    await exporter.shutdown();
  }
}
