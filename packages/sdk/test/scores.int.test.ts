import type { Score, ScoreListResponse, TraceDetail } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, metricValue, startTestServer, type TestServer } from '../../server/test/support/server.js';
import { feedback, init, score, shutdown, step, workflow } from '../src/index.js';

/**
 * Scores and feedback sent by the SDK to a real Spoor server over OTLP, and read back through
 * `GET /api/scores`: the OTel events reach the scores table, each about what the app scored.
 */

const SERVICE = 'scores-e2e-agent';
const SESSION = 'chat-e2e-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer | undefined;
let traceId = '';
let rootSpanId = '';
let writeSpanId = '';
let detail: TraceDetail;
let rejected = -1;
let scores: Score[] = [];
let sessionScores: Score[] = [];

beforeAll(async () => {
  server = await startTestServer();
  init({ serviceName: SERVICE, endpoint: server.url, logFormat: 'json', logDestination: { write: () => undefined }, metricsIntervalMs: 60_000 });
  await workflow('answer', { sessionId: SESSION }, async (root) => {
    ({ traceId, spanId: rootSpanId } = root.spanContext());
    await step('write', async (span) => {
      writeSpanId = span.spanContext().spanId;
      score({ name: 'grounded', value: 0.9, comment: 'cites 3 of 3 sources' });
    });
    score({ name: 'on_topic', label: 'yes', target: 'trace' });
    score({ name: 'resolved', label: 'yes', target: 'session' });
  });
  // Later, outside any span, as a feedback endpoint would: the user changes their vote.
  feedback({ traceId, spanId: rootSpanId, value: 'down', comment: 'wrong year', userId: 'u-1' });
  await sleep(5);
  feedback({ traceId, spanId: rootSpanId, value: 'up', userId: 'u-1' });
  feedback({ traceId, value: 4, name: 'stars', userId: 'u-2' });
  await shutdown();

  detail = (await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`)).body;
  rejected = await metricValue(server.url, 'spoor_ingest_records_rejected_total');
  scores = (await getJson<ScoreListResponse>(server.url, `/api/scores?traceId=${traceId}&limit=100`)).body.scores;
  sessionScores = (await getJson<ScoreListResponse>(server.url, `/api/scores?sessionId=${SESSION}&limit=100`)).body.scores;
});

afterAll(async () => {
  await shutdown();
  await server?.stop();
});

const shape = (s: Score) => ({
  name: s.name,
  traceId: s.traceId,
  spanId: s.spanId,
  value: s.value,
  label: s.label,
  comment: s.comment,
  source: s.source,
  author: s.author,
});

describe('scores sent by the SDK, as the Spoor server stores them', () => {
  it('takes every evaluation record, refusing none, beside the trace it scores', () => {
    expect(rejected).toBe(0);
    expect(detail.spans.map((span) => span.spanId).sort()).toEqual([rootSpanId, writeSpanId].sort());
  });

  it("stores the SDK's scores of the span and the trace, and the user's latest vote per target", () => {
    expect(scores.map(shape).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'grounded', traceId, spanId: writeSpanId, value: 0.9, label: null, comment: 'cites 3 of 3 sources', source: 'sdk', author: '' },
      { name: 'on_topic', traceId, spanId: null, value: null, label: 'yes', comment: null, source: 'sdk', author: '' },
      { name: 'stars', traceId, spanId: null, value: 4, label: null, comment: null, source: 'human', author: 'u-2' },
      { name: 'thumbs', traceId, spanId: rootSpanId, value: 1, label: 'up', comment: null, source: 'human', author: 'u-1' },
    ]);
  });

  it("stores a session score against the workflow's session, not its trace", () => {
    expect(sessionScores.map((s) => ({ name: s.name, traceId: s.traceId, sessionId: s.sessionId, label: s.label, source: s.source }))).toEqual([
      { name: 'resolved', traceId: null, sessionId: SESSION, label: 'yes', source: 'sdk' },
    ]);
  });
});
