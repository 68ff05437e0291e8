import type {
  AlertListResponse,
  DatasetItemsResponse,
  Evaluator,
  ExperimentComparison,
  ExperimentListResponse,
  ScoreListResponse,
  TraceDetail,
  TraceListResponse,
} from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoEverything, runEverything } from '../src/cli/demo.js';
import { BIG_TRACE_SPANS } from '../src/cli/demo-extras.js';
import { DEMO_DATASET, DEMO_EVALUATORS } from '../src/cli/demo-seed.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';
import { HANG_MS, until } from './support/wait.js';

type EvaluatorListResponse = { evaluators: Evaluator[] };

/**
 * `spoor demo` as a newcomer runs it on a fresh server (`runEverything`, what the command runs):
 * every part the dashboard's pages show, made through the real SDK exporters and the REST API.
 */

let server: TestServer;
let made: DemoEverything;
const said: string[] = [];
const DAY_MS = 86_400_000;

beforeAll(async () => {
  server = await startTestServer({ alertInterval: '1s' });
  made = await runEverything({ endpoint: server.url, say: (line) => said.push(line) });
}, 3 * HANG_MS);

afterAll(async () => {
  await server?.stop();
});

const get = async <T>(path: string): Promise<T> => {
  const { status, body } = await getJson<T>(server.url, path);
  expect(status, path).toBe(200);
  return body;
};

async function demoRuns(): Promise<TraceListResponse['traces']> {
  const { traces } = await get<TraceListResponse>(`/api/traces?service=research-agent&limit=500&from=${Date.now() - 5 * DAY_MS}`);
  return traces.filter((t) => t.rootName?.startsWith('workflow '));
}

describe('spoor demo on a fresh server', () => {
  it('records prompt and completion on every chat call, the call under the failing step included', async () => {
    const runs = await demoRuns();
    let calls = 0;
    for (const run of runs) {
      const detail = await get<TraceDetail>(`/api/traces/${run.traceId}`);
      for (const span of detail.spans.filter((s) => s.llm?.operation === 'chat')) {
        calls++;
        expect(span.attributes['gen_ai.input.messages'], `${span.name} of ${run.traceId}`).toEqual(expect.stringContaining('"role":"user"'));
        // A call the provider refused (429) has no answer to record.
        if (span.status.code !== 'error')
          expect(span.attributes['gen_ai.output.messages'], `${span.name} of ${run.traceId}`).toEqual(expect.stringContaining('assistant'));
      }
    }
    expect(calls).toBeGreaterThan(100);
    const main = await get<TraceDetail>(`/api/traces/${made.traceId}`);
    const write = main.spans.find((s) => s.name === 'step write')!;
    const call = main.spans.find((s) => s.parentSpanId === write.spanId && s.llm !== null)!;
    expect(call.attributes['gen_ai.output.messages']).toContain('Heat pumps in cold climates');
  });

  it('sends runs over four days under three releases, in sessions of several users', async () => {
    const runs = await demoRuns();
    expect(runs.length).toBe(24 + 3 * 12);
    const oldest = Math.min(...runs.map((r) => Date.parse(r.startTime)));
    expect(oldest).toBeLessThan(Date.now() - 2.5 * DAY_MS);
    const releases = new Set<string>();
    for (const run of runs.filter((_, i) => i % 3 === 0)) {
      const detail = await get<TraceDetail>(`/api/traces/${run.traceId}`);
      releases.add(String(detail.spans[0]!.resource['service.version']));
    }
    expect(releases).toEqual(new Set(['1.2.0', '1.3.0', '1.4.0']));
    expect(new Set(runs.map((r) => r.sessionId)).size).toBeGreaterThan(4);
    expect(new Set(runs.map((r) => r.userId)).size).toBe(3);
  });

  it('makes two evaluators, one a judge on the built-in demo provider, and their scores with the users’ feedback', async () => {
    const { evaluators } = await get<EvaluatorListResponse>('/api/evaluators');
    expect(evaluators.map((e) => [e.name, e.spec.kind]).sort()).toEqual([
      ['answer-length', 'length'],
      ['answer-relevance', 'llm-judge'],
    ]);
    for (const name of [...DEMO_EVALUATORS, 'user-feedback']) {
      const { scores } = await get<ScoreListResponse>(`/api/scores?name=${name}&limit=10`);
      expect(scores.length, name).toBeGreaterThan(0);
    }
    const { scores } = await get<ScoreListResponse>('/api/scores?name=answer-relevance&limit=10');
    expect(scores[0]!.comment).toMatch(/^demo judge \(canned, not a model\)/);
    expect(said.join('\n')).toContain('feedback scores');
  });

  it('makes a dataset of the runs’ answers, and two experiments on it, the second worse on some items', async () => {
    const items = await get<DatasetItemsResponse>(`/api/datasets/${DEMO_DATASET}/items`);
    expect(items.items).toHaveLength(8);
    const [a, b] = made.seeded.experiments;
    const comparison = await get<ExperimentComparison>(`/api/experiments/${a}/compare/${b}`);
    expect(comparison.verdicts.worse).toBeGreaterThan(0);
    expect(comparison.verdicts.same).toBeGreaterThan(0);
    expect(comparison.verdicts.errored).toBe(0);
    expect(comparison.scores.find((s) => s.name === 'answer-relevance')!.delta).toBeLessThan(0);
    // The demo provider's model is priced (at $0): no call counts as unpriced.
    expect(comparison.a.unpricedCalls).toBe(0);
  });

  it('sends the app’s metrics and a trace of 20,000 spans', async () => {
    const { metrics } = await get<{ metrics: Array<{ name: string; points: number }> }>('/api/metrics');
    expect(
      metrics
        .filter((m) => m.name.startsWith('agent.'))
        .map((m) => m.name)
        .sort(),
    ).toEqual(['agent.queue.depth', 'agent.run.duration', 'agent.runs']);
    const { traces } = await get<TraceListResponse>('/api/traces?service=knowledge-indexer');
    expect(traces.find((t) => t.traceId === made.bigTraceId)?.spanCount).toBe(BIG_TRACE_SPANS);
  });

  it('makes a rule that fires on the demo’s failures', async () => {
    await until('the demo rule to fire', async () => {
      const { alerts } = await get<AlertListResponse>('/api/alerts');
      return alerts.some((alert) => alert.rule === 'demo-failing-runs' && alert.state === 'firing') ? true : undefined;
    });
  });

  it('run again, keeps what it made: the same evaluators, dataset and experiments', { timeout: 3 * HANG_MS }, async () => {
    const again = await runEverything({ endpoint: server.url, say: () => undefined });
    expect(again.seeded.experiments).toEqual(made.seeded.experiments);
    expect((await get<DatasetItemsResponse>(`/api/datasets/${DEMO_DATASET}/items`)).items).toHaveLength(8);
    expect((await get<EvaluatorListResponse>('/api/evaluators')).evaluators).toHaveLength(2);
    expect((await get<ExperimentListResponse>(`/api/experiments?dataset=${DEMO_DATASET}`)).experiments).toHaveLength(2);
  });

  it('with live minutes, keeps the agent running, each run sent as it goes, until stopped', { timeout: 3 * HANG_MS }, async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const done = runEverything({
      endpoint: server.url,
      liveMinutes: 5,
      signal: stop.signal,
      say: (line) => {
        lines.push(line);
        if (line.startsWith('live run 2:')) stop.abort();
      },
    });
    // The first live run is stored while the agent goes on with the next.
    const first = await until('the first live run', () => /^live run 1: ([0-9a-f]{32})$/m.exec(lines.join('\n'))?.[1]);
    const detail = await until('the first live run to be stored', async () => {
      const { status, body } = await getJson<TraceDetail>(server.url, `/api/traces/${first}`);
      return status === 200 && body.spans.length >= 9 ? body : undefined;
    });
    expect(detail.spans[0]).toMatchObject({ name: 'workflow research-report', sessionId: 'demo-session-live' });
    expect((await done).liveRuns).toBe(2);
  });
});
