import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGEX_LIMITS } from '../src/regex.js';
import { type TestServer, callJson, errorOf, startTestServer } from './support/server.js';
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
    resourceSpans: [{
      resource: { attributes: [str('service.name', 'agent')] },
      scopeSpans: [{ spans: [
        { traceId, spanId: rootId, name: 'run', startTimeUnixNano: String(start), endTimeUnixNano: String(start + 900_000_000n), attributes },
        {
          traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: rootId, name: 'chat', kind: 3, startTimeUnixNano: String(start + 1_000_000n), endTimeUnixNano: String(start + 800_000_000n),
          attributes: [str('gen_ai.operation.name', 'chat'), str('gen_ai.request.model', 'gpt-4o'), str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]))],
        },
      ] }],
    }],
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

  it('masks a value past --regex-max-chars by what the rule read and its unread rest, and the next request is masked as ever', async () => {
    // A heavy pattern that is allowed (57 steps a character; a sha-256 in hex), on 4M characters of hex.
    expect((await call('PUT', '/api/projects/default/masking', { detectors: [], rules: [{ name: 'hex', pattern: '[a-f0-9]{64}' }] })).status).toBe(200);
    const huge = '0123456789abcdef'.repeat(262_144);
    const [big, small] = ['b'.repeat(32), 'c'.repeat(32)];
    const answers = await Promise.all([post(traceWith(big, [str('blob', huge)])), post(traceWith(small, [str('digest', `sha ${'f'.repeat(64)} end`)]))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const read = (traceId: string) => eventually(`trace ${traceId}`, () => call('GET', `/api/traces/${traceId}`), (a) => a.status === 200);
    const blob = (await read(big)).body.spans.find((s: Answer) => s.name === 'run').attributes.blob as string;
    // The rule read the first 131,072 characters (2,048 digests), and masked the rest it did not read.
    expect(blob).toBe(`${'[REDACTED:hex]'.repeat(MAX / 64)}[REDACTED:hex]`);
    expect((await read(small)).body.spans.find((s: Answer) => s.name === 'run').attributes.digest).toBe('sha [REDACTED:hex] end');
    expect((await call('DELETE', '/api/projects/default/masking')).status).toBe(204);
  });

  it("judges a long output with a regex evaluator off the HTTP thread, on its first --regex-max-chars characters, /health answering throughout", async () => {
    // Allowed (23 steps a character on the probe), yet its DFA runs out of states on random a/b: 375 ms for 262,144 characters.
    const pattern = '[ab]*a[ab]{20}[^ab]';
    expect((await call('POST', '/api/evaluators', { name: 'ab', kind: 'regex', target: 'llm', pattern })).status).toBe(201);
    const traceId = 'd'.repeat(32);
    expect((await post(traceWith(traceId, [], `${randomAb(1_000_000)}!`))).status).toBe(200);
    const health: number[] = [];
    const judged = await eventually('the long output judged', async () => {
      health.push((await fetch(`${server.url}/health`)).status);
      return call('GET', `/api/scores?traceId=${traceId}`);
    }, (a) => a.status === 200 && a.body.scores.length > 0, 60_000);
    // The match (the last character) is past what the pattern reads.
    expect(judged.body.scores[0]).toMatchObject({ name: 'ab', value: 0, comment: `the output does not match /${pattern}/ in its first ${MAX} characters (--regex-max-chars)` });
    expect(new Set(health)).toEqual(new Set([200]));
  });
});
