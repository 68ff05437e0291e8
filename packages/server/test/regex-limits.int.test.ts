import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGEX_LIMITS } from '../src/regex.js';
import { type TestServer, callJson, errorOf, makeKey, startTestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

/** A JSON answer, read loosely: the assertions say what it holds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of several answer shapes
type Answer = Record<string, any>;

const HOSTILE = '(.*a){20}';
const REFUSAL = `/${HOSTILE}/ costs more than ${DEFAULT_REGEX_LIMITS.maxStepsPerChar} steps a character (--regex-max-cost)`;
const MAX = DEFAULT_REGEX_LIMITS.maxChars;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One trace: a root span with `attributes`, and an LLM call whose answer is `output`. */
function traceWith(traceId: string, attributes: Array<ReturnType<typeof str>>, output = 'ok'): string {
  const start = BigInt(Date.now()) * 1_000_000n;
  const rootId = randomBytes(8).toString('hex');
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'agent')] },
        scopeSpans: [
          {
            spans: [
              { traceId, spanId: rootId, name: 'run', startTimeUnixNano: String(start), endTimeUnixNano: String(start + 900_000_000n), attributes },
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                parentSpanId: rootId,
                name: 'chat',
                kind: 3,
                startTimeUnixNano: String(start + 1_000_000n),
                endTimeUnixNano: String(start + 800_000_000n),
                attributes: [
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', 'gpt-4o'),
                  str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }])),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Letters a and b in a fixed random order, on which RE2's DFA for `[ab]*a[ab]{20}[^ab]` runs out of states. */
function randomAb(length: number): string {
  let x = 7;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push((x >> 8) % 2 === 0 ? 'a' : 'b');
  }
  return out.join('');
}

describe('user regular expressions on a running server', () => {
  let server: TestServer;
  const call = (method: string, path: string, body?: unknown) => callJson<Answer>(server.url, method, path, body);
  const post = (body: string) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    server = await startTestServer({ traceQuiet: '1s' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses a pattern whose cost a character is extreme with a 400 naming it and the limit: masking rules, alert matchers, silences, regex evaluators', async () => {
    const answers = {
      masking: await call('PUT', '/api/projects/default/masking', { rules: [{ name: 'greedy', pattern: HOSTILE }] }),
      maskingKey: await call('PUT', '/api/projects/default/masking', { rules: [{ name: 'greedy', key: `/${HOSTILE}/` }] }),
      rule: await call('POST', '/api/alerts/rules', { name: 'greedy', expr: `count(spans{name=~"${HOSTILE}"})[5m] > 1` }),
      silence: await call('POST', '/api/alerts/silences', { matchers: [{ name: 'service', op: '=~', value: HOSTILE }], duration: '1h', createdBy: 'ana' }),
      evaluator: await call('POST', '/api/evaluators', { name: 'greedy', kind: 'regex', target: 'llm', pattern: HOSTILE }),
    };
    for (const [what, answer] of Object.entries(answers)) {
      expect(answer.status, what).toBe(400);
      expect(errorOf(answer as never), what).toContain(REFUSAL);
    }
    expect(errorOf(answers.masking as never)).toContain("rules[0] ('greedy').pattern cannot be used");
    expect(errorOf(answers.evaluator as never)).toContain('invalid evaluator: pattern:');
    // Nothing was made.
    expect((await call('GET', '/api/evaluators/greedy')).status).toBe(404);
    expect((await call('GET', '/api/alerts/rules/greedy')).status).toBe(404);
  });

  it('judges a long output with a regex evaluator off the HTTP thread, on its first --regex-max-chars characters, /health answering throughout', async () => {
    // Allowed (23 steps a character on the probe), yet its DFA runs out of states on random a/b: 375 ms for 262,144 characters.
    const pattern = '[ab]*a[ab]{20}[^ab]';
    expect((await call('POST', '/api/evaluators', { name: 'ab', kind: 'regex', target: 'llm', pattern })).status).toBe(201);
    const traceId = 'd'.repeat(32);
    expect((await post(traceWith(traceId, [], `${randomAb(1_000_000)}!`))).status).toBe(200);
    const health: number[] = [];
    const judged = await eventually(
      'the long output judged',
      async () => {
        health.push((await fetch(`${server.url}/health`)).status);
        return call('GET', `/api/scores?traceId=${traceId}`);
      },
      (a) => a.status === 200 && a.body.scores.length > 0,
      60_000,
    );
    // The match (the last character) is past what the pattern reads.
    expect(judged.body.scores[0]).toMatchObject({
      name: 'ab',
      value: 0,
      comment: `the output does not match /${pattern}/ in its first ${MAX} characters (--regex-max-chars)`,
    });
    expect(new Set(health)).toEqual(new Set([200]));
  });
});

describe('a masking rule on a huge value, one project beside another', () => {
  let server: TestServer;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    keys.root = await makeKey(server.url, '*', 'admin');
    for (const project of ['shop', 'blog'])
      for (const role of ['ingest', 'read']) keys[`${project}-${role}`] = await makeKey(server.url, project, role, keys.root);
  });
  afterAll(async () => {
    await server.stop();
  });

  const post = (project: string, body: string) =>
    fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[`${project}-ingest`]}` },
      body,
    });
  const root = (project: string, traceId: string) =>
    eventually(
      `${project}'s trace ${traceId}`,
      () => callJson<Answer>(server.url, 'GET', `/api/traces/${traceId}`, undefined, { key: keys[`${project}-read`] }),
      (a) => a.status === 200,
    ).then((a) => a.body.spans.find((s: Answer) => s.name === 'run').attributes as Record<string, string>);

  it("reads the first --regex-max-chars characters and masks the unread rest, while the other project's requests are taken as ever", async () => {
    // A heavy pattern that is allowed (57 steps a character: a sha-256 in hex), on 4M characters of hex:
    // read whole, it held the decode thread, every project's ingest, for 7.8-19 s.
    const set = await callJson(
      server.url,
      'PUT',
      '/api/projects/shop/masking',
      { detectors: [], rules: [{ name: 'hex', pattern: '[a-f0-9]{64}' }] },
      { key: keys.root },
    );
    expect(set.status).toBe(200);
    const huge = '0123456789abcdef'.repeat(262_144);
    const [big, small, other] = ['b'.repeat(32), 'c'.repeat(32), 'e'.repeat(32)];
    const answers = await Promise.all([
      post('shop', traceWith(big, [str('blob', huge)])),
      post('blog', traceWith(other, [str('digest', `sha ${'f'.repeat(64)} end`)])),
      post('shop', traceWith(small, [str('digest', `sha ${'f'.repeat(64)} end`)])),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // The rule read the first 131,072 characters (2,048 digests), and masked the rest it did not read.
    expect((await root('shop', big)).blob).toBe(`${'[REDACTED:hex]'.repeat(MAX / 64)}[REDACTED:hex]`);
    expect((await root('shop', small)).digest).toBe('sha [REDACTED:hex] end');
    // The other project has no policy: its value is stored as sent.
    expect((await root('blog', other)).digest).toBe(`sha ${'f'.repeat(64)} end`);
  });
});
