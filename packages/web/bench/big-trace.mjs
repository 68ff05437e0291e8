// @ts-check
/**
 * One big agent trace as OTLP/JSON, for the waterfall benchmark and the web UI's tests: a workflow
 * root running agents in parallel, each agent a sequence of steps that call LLMs (`gen_ai.*`
 * attributes, token counts, cache reads), tools (through an HTTP gateway in a second service, down
 * to its database and cache), retrievers (an embedding call and a vector query) and sub-agents,
 * 6 to 12 levels deep. About one span in 170 fails with a recorded exception. Everything comes
 * from a seeded PRNG: the same options give the same trace, ids included.
 */

import { requestBodies } from './otlp-bodies.mjs';

/** @typedef {import('./otlp-bodies.mjs').AttrValue} AttrValue */
/** @typedef {import('./otlp-bodies.mjs').SpanDraft} SpanDraft */

/**
 * @typedef {object} BigTraceOptions
 * @property {number} [spans] How many spans. Default 50,000.
 * @property {number} [seed] Seeds ids, shape and timing. Default 1.
 * @property {number} [startMs] When the root starts, epoch ms. Default: so that the trace ends 5 s before now.
 * @property {number} [maxRequestBytes] The largest body to build. Default 7,500,000 (the goal is under 8 MB).
 */

/**
 * @typedef {object} BigTrace
 * @property {string} traceId 32 lowercase hex digits.
 * @property {string} rootSpanId
 * @property {number} spanCount
 * @property {number} errorCount Spans with status error (each has an `exception` event).
 * @property {number} maxDepth Of the deepest span, 1 for the root.
 * @property {number} durationMs Of the root span.
 * @property {string[]} bodies `ExportTraceServiceRequest` bodies as JSON, each under `maxRequestBytes`.
 * @property {BigTraceShape} shape The spans' links and times, for what a test or benchmark must know of the tree.
 */

/**
 * @typedef {object} BigTraceShape
 * Span `i` is element `i` of each column, in the order the spans were made.
 * @property {string[]} spanIds
 * @property {(string | null)[]} parentSpanIds
 * @property {Float64Array} startUs Epoch microseconds, as sent.
 * @property {Float64Array} endUs
 */

const SERVICES = {
  agent: { name: 'research-agent', version: '2.3.0', host: 'agent-7f9c' },
  gateway: { name: 'tool-gateway', version: '1.12.4', host: 'gateway-2b1d' },
};

const AGENTS = ['researcher', 'analyst', 'coder', 'critic', 'writer', 'fact-checker', 'planner', 'summarizer', 'translator', 'data-engineer'];
const MODELS = [
  { provider: 'openai', model: 'gpt-4o', response: 'gpt-4o-2024-08-06', host: 'api.openai.com' },
  { provider: 'openai', model: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18', host: 'api.openai.com' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929', host: 'api.anthropic.com' },
  { provider: 'anthropic', model: 'claude-haiku-4-5', response: 'claude-haiku-4-5-20251001', host: 'api.anthropic.com' },
];
const TOOLS = [
  { name: 'web_search', route: '/tools/web-search', table: 'search_cache' },
  { name: 'fetch_page', route: '/tools/fetch', table: 'pages' },
  { name: 'run_python', route: '/tools/python', table: 'sandbox_runs' },
  { name: 'sql_query', route: '/tools/sql', table: 'warehouse_jobs' },
  { name: 'read_file', route: '/tools/files', table: 'documents' },
];
const STEP_KINDS = ['plan', 'act', 'observe', 'reflect'];
/** @typedef {{ type: string, message: (subject: string) => string, frame: string }} ErrorKind */
/** @type {ErrorKind[]} */
const TOOL_ERRORS = [
  { type: 'ToolTimeoutError', message: (tool) => `${tool} timed out after 30000 ms`, frame: 'ToolRunner.invoke (/app/dist/tools/runner.js:88:13)' },
  {
    type: 'ConnectionResetError',
    message: () => 'socket hang up (ECONNRESET) talking to tool-gateway',
    frame: 'ClientRequest.onError (/app/dist/http/client.js:41:9)',
  },
  {
    type: 'ValidationError',
    message: (tool) => `${tool}: arguments do not match the schema (missing 'query')`,
    frame: 'validateArgs (/app/dist/tools/schema.js:23:11)',
  },
];
/** @type {ErrorKind} */
const LLM_ERROR = {
  type: 'RateLimitError',
  message: () => '429 Too Many Requests: rate limit reached for requests',
  frame: 'Completions.create (/app/node_modules/openai/resources/chat/completions.js:97:21)',
};

/** Mulberry32: small, fast and good enough to vary a fixture. @param {number} seed */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the trace. Spans are made depth first and the budget is taken by each span before its
 * children, so stopping at `spans` always leaves a whole tree.
 * @param {BigTraceOptions} [options]
 * @returns {BigTrace}
 */
export function buildBigTrace(options = {}) {
  const total = options.spans ?? 50_000;
  const seed = options.seed ?? 1;
  const maxRequestBytes = options.maxRequestBytes ?? 7_500_000;
  if (!Number.isInteger(total) || total < 1) throw new Error(`spans must be a positive integer, not ${total}`);

  const random = prng(seed);
  /** @template T @param {readonly T[]} list @returns {T} */
  const pick = (list) => /** @type {T} */ (list[Math.floor(random() * list.length)]);
  const between = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + random() * (hi - lo);
  const int = (/** @type {number} */ lo, /** @type {number} */ hi) => Math.floor(between(lo, hi + 1));
  const hex = (/** @type {number} */ digits) => {
    let out = '';
    while (out.length < digits)
      out += Math.floor(random() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, digits);
  };

  const traceId = hex(32);
  const sessionId = `bench-session-${seed}`;
  /** @type {SpanDraft[]} */
  const spans = [];
  let budget = total;
  let errorCount = 0;

  /**
   * @param {SpanDraft | null} parent
   * @param {string} name
   * @param {number} startMs
   * @param {Record<string, AttrValue>} attributes
   * @param {{ kind?: number, service?: string }} [how]
   * @returns {SpanDraft | null} `null` once the budget is spent.
   */
  const open = (parent, name, startMs, attributes, how = {}) => {
    if (budget <= 0) return null;
    budget--;
    /** @type {SpanDraft} */
    const span = {
      spanId: hex(16),
      parentSpanId: parent?.spanId ?? '',
      name,
      kind: how.kind ?? 1,
      service: how.service ?? SERVICES.agent.name,
      depth: parent === null ? 1 : parent.depth + 1,
      startMs,
      endMs: startMs,
      attributes,
      error: null,
    };
    spans.push(span);
    return span;
  };
  /** @param {SpanDraft} span @param {ErrorKind} kind @param {string} subject */
  const fail = (span, kind, subject) => {
    errorCount++;
    const message = kind.message(subject);
    span.error = {
      type: kind.type,
      message,
      atMs: span.endMs,
      stack: `${kind.type}: ${message}\n    at ${kind.frame}\n    at async Agent.runStep (/app/dist/agent/agent.js:142:20)\n    at async Workflow.run (/app/dist/workflow.js:57:7)`,
    };
  };

  /** An HTTP call from the agent, optionally served by the gateway. Returns its end. */
  const http = (
    /** @type {SpanDraft} */ parent,
    /** @type {number} */ at,
    /** @type {string} */ host,
    /** @type {string} */ path,
    /** @type {number} */ ms,
  ) => {
    const client = open(
      parent,
      `POST ${path}`,
      at,
      {
        'http.request.method': 'POST',
        'url.full': `https://${host}${path}`,
        'server.address': host,
        'server.port': 443,
        'http.response.status_code': 200,
        'network.protocol.version': '1.1',
      },
      { kind: 3 },
    );
    if (client === null) return at + ms;
    client.endMs = at + ms;
    return client.endMs;
  };

  const llmCall = (/** @type {SpanDraft} */ parent, /** @type {number} */ at, /** @type {string} */ agent) => {
    const m = pick(MODELS);
    const long = random() < 0.04;
    const ms = long ? between(5_000, 25_000) : between(100, 1_200);
    const input = int(200, long ? 60_000 : 8_000);
    /** @type {Record<string, AttrValue>} */
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': m.provider,
      'gen_ai.request.model': m.model,
      'gen_ai.response.model': m.response,
      'gen_ai.request.temperature': pick([0, 0.2, 0.7]),
      'gen_ai.request.max_tokens': pick([1024, 2048, 4096]),
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': int(20, long ? 4_000 : 900),
      'gen_ai.response.finish_reasons': [pick(['stop', 'stop', 'stop', 'tool_calls', 'length'])],
      'gen_ai.response.id': `resp_${hex(12)}`,
      'gen_ai.agent.name': agent,
      'server.address': m.host,
    };
    if (random() < 0.6) attributes['gen_ai.usage.cache_read.input_tokens'] = Math.floor(input * between(0.2, 0.9));
    const span = open(parent, `chat ${m.model}`, at, attributes, { kind: 3 });
    if (span === null) return at;
    span.endMs = at + ms;
    if (random() < 0.3) http(span, at + 2, m.host, m.provider === 'openai' ? '/v1/chat/completions' : '/v1/messages', ms - 4);
    if (random() < 0.005) fail(span, LLM_ERROR, m.model);
    return span.endMs;
  };

  const toolCall = (/** @type {SpanDraft} */ parent, /** @type {number} */ at, /** @type {string} */ agent) => {
    const tool = pick(TOOLS);
    const span = open(
      parent,
      `execute_tool ${tool.name}`,
      at,
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': tool.name,
        'gen_ai.tool.call.id': `call_${hex(10)}`,
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.description': `Runs ${tool.name.replace('_', ' ')} for the agent`,
        'tool.arguments.bytes': int(40, 4_000),
        'gen_ai.agent.name': agent,
      },
      { kind: 3 },
    );
    if (span === null) return at;
    const ms = random() < 0.03 ? between(3_000, 20_000) : between(10, 800);
    const client = open(
      span,
      `POST ${tool.route}`,
      at + 1,
      {
        'http.request.method': 'POST',
        'url.full': `http://tool-gateway.internal:8080${tool.route}`,
        'server.address': 'tool-gateway.internal',
        'server.port': 8080,
        'http.response.status_code': 200,
      },
      { kind: 3 },
    );
    if (client !== null) {
      const server = open(
        client,
        `POST ${tool.route}`,
        at + 2,
        {
          'http.request.method': 'POST',
          'http.route': tool.route,
          'url.path': tool.route,
          'http.response.status_code': 200,
          'client.address': '10.0.3.17',
          'user_agent.original': 'research-agent/2.3.0 undici',
        },
        { kind: 2, service: SERVICES.gateway.name },
      );
      if (server !== null) {
        const db = open(
          server,
          `SELECT ${tool.table}`,
          at + 3,
          {
            'db.system.name': 'postgresql',
            'db.namespace': 'tools',
            'db.operation.name': 'SELECT',
            'db.collection.name': tool.table,
            'db.query.text': `SELECT * FROM ${tool.table} WHERE key = $1 LIMIT 50`,
            'server.address': 'pg-tools.internal',
            'db.response.returned_rows': int(0, 50),
          },
          { kind: 3, service: SERVICES.gateway.name },
        );
        if (db !== null) {
          db.endMs = db.startMs + between(1, Math.min(60, ms / 3));
          if (random() < 0.5) {
            const cache = open(
              db,
              'GET',
              db.startMs + 0.2,
              {
                'db.system.name': 'redis',
                'db.operation.name': 'GET',
                'db.query.text': `GET ${tool.table}:*`,
                'server.address': 'redis.internal',
                'cache.hit': random() < 0.7,
              },
              { kind: 3, service: SERVICES.gateway.name },
            );
            if (cache !== null) cache.endMs = cache.startMs + between(0.1, 0.6 * (db.endMs - db.startMs));
          }
        }
        server.endMs = at + ms - 2;
      }
      client.endMs = at + ms - 1;
    }
    span.endMs = at + ms;
    if (random() < 0.035) {
      const kind = pick(TOOL_ERRORS);
      fail(span, kind, tool.name);
      span.attributes['error.type'] = kind.type;
      if (client !== null) client.attributes['http.response.status_code'] = kind.type === 'ValidationError' ? 422 : 504;
    }
    return span.endMs;
  };

  const retriever = (/** @type {SpanDraft} */ parent, /** @type {number} */ at, /** @type {string} */ agent) => {
    const topK = pick([4, 8, 16]);
    const span = open(parent, 'retrieve documents', at, {
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'kb-research',
      'retrieval.top_k': topK,
      'retrieval.query': `evidence for claim ${int(1, 400)}`,
      'retrieval.documents': topK,
      'gen_ai.agent.name': agent,
    });
    if (span === null) return at;
    const embedMs = between(30, 250);
    const embed = open(
      span,
      'embeddings text-embedding-3-small',
      at + 1,
      {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': int(8, 120),
        'gen_ai.embeddings.dimension.count': 1536,
        'server.address': 'api.openai.com',
      },
      { kind: 3 },
    );
    if (embed !== null) embed.endMs = at + 1 + embedMs;
    const vector = open(
      span,
      'query research-chunks',
      at + 2 + embedMs,
      {
        'db.system.name': 'qdrant',
        'db.collection.name': 'research-chunks',
        'db.operation.name': 'query',
        'db.vector.query.top_k': topK,
        'server.address': 'qdrant.internal',
      },
      { kind: 3 },
    );
    const end = at + 2 + embedMs + between(5, 120);
    if (vector !== null) vector.endMs = end;
    span.endMs = end + 1;
    return span.endMs;
  };

  /**
   * An agent run: steps until it has used `target` spans. Agents at depth 6 or less may start
   * sub-agents, whose tool calls then reach depth 12.
   * @param {SpanDraft} parent
   * @param {number} at
   * @param {string} agent
   * @param {number} target
   */
  const agentRun = (parent, at, agent, target) => {
    const m = pick(MODELS);
    const span = open(
      parent,
      `invoke_agent ${agent}`,
      at,
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': agent,
        'gen_ai.agent.id': `agent_${hex(8)}`,
        'gen_ai.agent.description': `The ${agent} of the research team`,
        'gen_ai.provider.name': m.provider,
        'gen_ai.request.model': m.model,
        'agent.max_steps': 500,
        'agent.role': agent,
        'session.id': sessionId,
      },
      { kind: 1 },
    );
    if (span === null) return at;
    const stopAt = budget - target;
    let cursor = at + between(1, 20);
    for (let number = 1; budget > stopAt && budget > 0; number++) {
      const kind = STEP_KINDS[(number - 1) % STEP_KINDS.length] ?? 'act';
      const step = open(span, `step ${number} ${kind}`, cursor, {
        'traceloop.span.kind': 'task',
        'step.id': `${agent}-${number}`,
        'step.number': number,
        'step.kind': kind,
        'gen_ai.agent.name': agent,
        'session.id': sessionId,
      });
      if (step === null) break;
      const errorsBefore = errorCount;
      let t = cursor + between(0.5, 5);
      t = llmCall(step, t, agent) + between(0.5, 10);
      const actions = int(0, 3);
      for (let i = 0; i < actions; i++) {
        const roll = random();
        if (roll < 0.55) t = toolCall(step, t, agent);
        else if (roll < 0.85) t = retriever(step, t, agent);
        else t = llmCall(step, t, agent);
        t += between(0.5, 10);
      }
      if (step.depth <= 5 && random() < 0.06) {
        t = agentRun(step, t, `${pick(AGENTS)}-helper`, int(20, 120)) + between(1, 10);
      }
      if (random() < 0.5) t = llmCall(step, t, agent) + between(0.5, 5);
      step.endMs = t;
      if (errorCount > errorsBefore) step.attributes['step.retry'] = 1;
      cursor = t + between(1, 20);
    }
    span.endMs = cursor;
    return span.endMs;
  };

  const root = open(
    null,
    'workflow deep-research',
    0,
    {
      'traceloop.span.kind': 'workflow',
      'traceloop.workflow.name': 'deep-research',
      'workflow.name': 'deep-research',
      'workflow.run_id': `run-${hex(8)}`,
      'session.id': sessionId,
      'user.id': 'user-4821',
      'gen_ai.agent.name': 'orchestrator',
      'workflow.topic': 'supply chains of solid-state batteries',
    },
    { kind: 2 },
  );
  if (root === null) throw new Error('unreachable: the budget starts positive');
  let end = llmCall(root, 3, 'orchestrator');
  // Agents start in waves, a few in parallel; their sizes vary so that one subtree is the biggest.
  for (let i = 0; budget > 0; i++) {
    const share = i === 0 ? 0.15 : between(0.01, 0.06);
    const start = end * (i === 0 ? 1 : 0) + 5 + (i % 6) * between(1_000, 4_000) + Math.floor(i / 6) * 60_000;
    end = Math.max(end, agentRun(root, start, AGENTS[i % AGENTS.length] ?? 'agent', Math.max(30, Math.floor(total * share))));
  }
  root.endMs = end + 50;

  const startMs = options.startMs ?? Date.now() - root.endMs - 5_000;
  /** @type {BigTraceShape} */
  const shape = {
    spanIds: spans.map((s) => s.spanId),
    parentSpanIds: spans.map((s) => s.parentSpanId || null),
    // As `nanos` (otlp-bodies.mjs) rounds them on the wire, so that ties fall as the server sees them.
    startUs: Float64Array.from(spans, (s) => Math.round((startMs + s.startMs) * 1000)),
    endUs: Float64Array.from(spans, (s) => Math.round((startMs + s.endMs) * 1000)),
  };
  return {
    shape,
    traceId,
    rootSpanId: root.spanId,
    spanCount: spans.length,
    errorCount,
    maxDepth: spans.reduce((max, s) => Math.max(max, s.depth), 0),
    durationMs: root.endMs,
    bodies: requestBodies(traceId, spans, startMs, maxRequestBytes, Object.values(SERVICES)),
  };
}
