import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../sdk/test/support/fake-llm.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';
import { llmTraceBody } from './support/trace-bodies.js';
import { until } from './support/wait.js';

/**
 * A judge's call is paid for: one that answers while the server stops is still recorded as judged
 * (its score, its own trace, no error), because what a judge needs to store its trace (the decode
 * thread, the ingest queue, the store) closes only after the evaluators have finished their round.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

describe('a judge answering while the server stops', () => {
  let fake: FakeLlm;
  let dir: string;
  const servers: TestServer[] = [];
  let release = (): void => undefined;

  beforeEach(async () => {
    fake = await startFakeLlm();
    dir = await mkdtemp(join(tmpdir(), 'spoor-judge-shutdown-'));
    await writeFile(join(dir, 'provider-key'), 'sk-judge-shutdown');
  });
  afterEach(async () => {
    release();
    for (const server of servers) await server.stop({ keepData: true });
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is recorded as judged: its score and its trace are in the store after close', { timeout: 120_000 }, async () => {
    const data = join(dir, 'data');
    const provider = `openai=file:${join(dir, 'provider-key')},base=${fake.baseUrl}/v1,timeout=60s`;
    const server = await startTestServer({ provider: [provider], traceQuiet: '1s', data });
    servers.push(server);
    const call = (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);
    const evaluator = { kind: 'llm-judge', target: 'llm', builtin: 'answer-relevance', provider: 'openai', model: 'gpt-4o-mini' };
    expect((await call('PUT', '/api/evaluators/relevance', evaluator)).status).toBe(201);
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.script({ text: JSON.stringify({ explanation: 'Answered while stopping.', score: 0.7 }), heldUntil: held });
    const traceId = randomBytes(16).toString('hex');
    const body = llmTraceBody(traceId, randomBytes(8).toString('hex'));
    const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(sent.status).toBe(200);

    await until('the judge called', () => (fake.requests.length === 1 ? true : undefined));
    const closing = server.close();
    // The shutdown is under way once the server takes no more requests (503 while it closes, then no connection).
    await until('the server refusing requests', () =>
      fetch(`${server.url}/health`).then(
        (r) => (r.ok ? undefined : true),
        () => true,
      ),
    );
    release();
    await closing;

    // Opened again with no provider: whatever it holds of the judgement, the server before stored.
    const again = await startTestServer({ data });
    servers.push(again);
    const read = (path: string) => callJson<Answer>(again.url, 'GET', path);
    const scores = await read(`/api/scores?traceId=${traceId}`);
    expect(scores.body.scores).toHaveLength(1);
    expect(scores.body.scores[0]).toMatchObject({ name: 'relevance', value: 0.7, comment: 'Answered while stopping.', source: 'evaluator' });
    expect((await read(`/api/traces?origin=spoor&attr=spoor.evaluation.of=${traceId}`)).body.traces).toHaveLength(1);
    expect((await read('/api/evaluators/relevance')).body).toMatchObject({ scoresMade: 1, errors: 0 });
    expect(fake.requests).toHaveLength(1);
  });
});
