// The data set of `bench/analytics.mjs`: 24 hours of agent traffic written straight into a
// DuckDB file by SQL (`INSERT … SELECT … FROM range(…)`), in the store's own schema. Going
// through OTLP would take minutes per million spans; SQL writes the same rows in seconds.
//
// Every value is a function of (trace number, span number) through `hash`, so a trace comes out
// the same whenever it is generated: the top-up at run time (`fillUntil`) continues the series
// without gaps or duplicates.
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { ROW_GROUP_ROWS } from '../dist/store/duckdb/catalog.js';
import { traceKeySql } from '../dist/store/duckdb/trace-key.js';
import { AGENTS, EMBEDDING, ERROR_KINDS, MODELS, RETRIEVERS, SERVICES, STEPS, TOOLS, VERSIONS, WORKFLOWS } from './analytics-vocabulary.mjs';

export { MODELS, SERVICES } from './analytics-vocabulary.mjs';

const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;
/** Root spans last at most this long, so a window of root end times is found from start times. */
const MAX_ROOT_US = 120_000_000;
/** The trace number of the big trace: far from the others, so its hashes differ. */
const BIG_T = 4_000_000_000;
const SCOPE_JSON = '{"name":"spoor-bench","version":"1.0.0","attributes":{},"droppedAttributesCount":0}';

/**
 * The 25 spans of a regular trace: a workflow root, three agents, each with an LLM call, a tool
 * call and a retrieval running side by side, then a step holding two more LLM calls and a tool.
 * `base` is the span whose window the child's offset and length are fractions of (0 root, 1 its
 * agent, 2 its step); `sigma` spreads the length log-normally.
 */
function layoutRows() {
  const rows = [[0, null, 'root', 0, 0, 0, 1, 1, 0]];
  for (let k = 0; k < 3; k++) {
    const a = 1 + 8 * k;
    rows.push(
      [a, 0, 'agent', k, 0, 0.01 + 0.33 * k, 0.31, 1, 0],
      [a + 1, a, 'llm', k, 1, 0.01, 0.25, 0.3, 0.5],
      [a + 2, a, 'tool', k, 1, 0.33, 0.1, 0.25, 0.9],
      [a + 3, a, 'retriever', k, 1, 0.33, 0.04, 0.25, 0.5],
      [a + 4, a, 'step', k, 1, 0.6, 0.39, 1, 0],
      [a + 5, a + 4, 'llm', k, 2, 0.01, 0.4, 0.5, 0.5],
      [a + 6, a + 4, 'tool', k, 2, 0.52, 0.12, 0.2, 0.9],
      [a + 7, a + 4, 'llm', k, 2, 0.75, 0.2, 0.24, 0.5],
    );
  }
  return rows;
}

const literal = (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const valuesTable = (name, columns, rows) =>
  `CREATE OR REPLACE TABLE memory.main.${name} AS SELECT * FROM (VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}) v(${columns});`;

/** `source_id` as the store makes it: the first 16 hex digits of sha256(resource JSON, NUL, scope JSON). */
function sourceRows() {
  return SERVICES.flatMap((service) =>
    VERSIONS.map((version, ver) => {
      const resource = `{"attributes":{"service.name":"${service}","service.version":"${version}"},"droppedAttributesCount":0,"schemaUrl":""}`;
      const id = createHash('sha256').update(resource).update('\u0000').update(SCOPE_JSON).digest('hex').slice(0, 16);
      return { service, ver, id, resource };
    }),
  );
}

function dimensionSql() {
  const slots = [];
  MODELS.forEach((m) => {
    for (let w = 0; w < m[6]; w++) slots.push(m);
  });
  slots.push(EMBEDDING); // slot 20
  return [
    `CREATE OR REPLACE TEMP MACRO u01(a, b, c) AS ((hash(a, b, c) % 1000000)::DOUBLE + 0.5) / 1000000.0;`,
    `CREATE OR REPLACE TEMP MACRO nrm(a, b, c) AS sqrt(-2 * ln(u01(a, b, c || 'x'))) * cos(2 * pi() * u01(a, b, c || 'y'));`,
    valuesTable('layout', 'i, parent_i, role, k, base, off, frac, cap, sigma', layoutRows()),
    valuesTable(
      'workflows',
      'idx, wf_name',
      WORKFLOWS.map((w, i) => [i, `workflow ${w}`]),
    ),
    valuesTable(
      'agents',
      'idx, agent_name, agent_service, agent_description',
      AGENTS.map((a, i) => [i, ...a]),
    ),
    valuesTable(
      'models',
      'slot, provider, model, response_model, operation, price_in, price_out, weight, server',
      slots.map((m, i) => [i, ...m]),
    ),
    valuesTable(
      'tools',
      'idx, tool, tool_args',
      TOOLS.map((t, i) => [i, ...t]),
    ),
    valuesTable(
      'retrievers',
      'idx, retriever, db_system, collection',
      RETRIEVERS.map((r, i) => [i, ...r]),
    ),
    valuesTable(
      'steps',
      'idx, step_name',
      STEPS.map((s, i) => [i, s]),
    ),
    valuesTable(
      'error_kinds',
      'err_role, kind, exc_type, err_message, err_key, http_status, error_type, frame_fn, frame_file',
      ERROR_KINDS.map((e, i) => [e[0], i % 3, ...e.slice(1)]),
    ),
    valuesTable(
      'source_ids',
      'service, ver, source_id',
      sourceRows().map((s) => [s.service, s.ver, s.id]),
    ),
  ].join('\n');
}

/** Regular traces numbered [tFrom, tTo) whose root ends in (loUs, hiUs]. */
function regularSkeleton(p, tFrom, tTo, loUs, hiUs) {
  return `
    SELECT t, trace_id, wf, root_start, i, parent_i, role, k, (wf + k) % 6 AS agent_idx,
      bs + (off * bd)::BIGINT AS start_us,
      bs + (off * bd)::BIGINT + greatest(1, (bd * least(cap, frac * exp(sigma * nrm(t, i, 'd'))))::BIGINT) AS end_us
    FROM (
      SELECT tr.*, L.*,
        tr.root_start + (CASE WHEN L.base >= 1 THEN (0.01 + 0.33 * L.k) * tr.root_dur ELSE 0 END)::BIGINT
          + (CASE WHEN L.base = 2 THEN 0.6 * 0.31 * tr.root_dur ELSE 0 END)::BIGINT AS bs,
        tr.root_dur * (CASE L.base WHEN 0 THEN 1 WHEN 1 THEN 0.31 ELSE 0.31 * 0.39 END) AS bd
      FROM (
        SELECT * FROM (
          SELECT t, md5('spoor-bench-' || t) AS trace_id,
            ${p.t0Us}::BIGINT + t * ${p.intervalUs}::BIGINT + (u01(t, 0, 'jit') * ${p.intervalUs})::BIGINT AS root_start,
            least(${MAX_ROOT_US}, 6000000 * exp(0.6 * nrm(t, 0, 'dur')))::BIGINT AS root_dur,
            (hash(t, 'wf') % 6)::INTEGER AS wf
          FROM range(${tFrom}, ${tTo}) r(t)
        ) WHERE root_start + root_dur > ${loUs}::BIGINT AND root_start + root_dur <= ${hiUs}::BIGINT
      ) tr CROSS JOIN memory.main.layout L
    )`;
}

/** The big trace's spans that start in [fromUs, toUs). */
function bigSkeleton(p, fromUs, toUs) {
  return `
    SELECT ${BIG_T}::BIGINT AS t, '${p.bigTraceId}' AS trace_id, 0 AS wf, ${p.bigStartUs}::BIGINT AS root_start, i, parent_i, role,
      i % 3 AS k, agent_idx, start_us, end_us
    FROM memory.main.big_nodes WHERE start_us >= ${fromUs}::BIGINT AND start_us < ${toUs}::BIGINT`;
}

/** Dresses a skeleton (who is whose child, when) as `spans` rows, plus the error columns `errors` needs. */
function stageSql(p, skeleton) {
  const attrs = `CASE role
    WHEN 'root' THEN '{"workflow.name":"' || wf_name[10:] || '","session.id":"' || session_id || '","user.id":"' || user_id
      || '","http.request.method":"POST","http.route":"/v1/workflows/' || wf_name[10:] || '","http.response.status_code":' || (CASE WHEN failed THEN 500 ELSE 200 END)
      || ',"url.scheme":"https","server.address":"agents.example.com","client.address":"10.' || (t % 200) || '.' || (t % 97) || '.' || (t % 251)
      || '","user_agent.original":"python-httpx/0.28.1","app.request.id":"req_' || trace_id[1:24] || '","app.tenant":"tenant-' || (hash(sess) % 40) || '"}'
    WHEN 'agent' THEN '{"gen_ai.operation.name":"invoke_agent","gen_ai.agent.name":"' || agent_name || '","gen_ai.agent.id":"asst_' || trace_id[3:26]
      || '","gen_ai.agent.description":"' || agent_description || '","gen_ai.conversation.id":"conv_' || trace_id[5:28]
      || '","agent.iteration":' || k || ',"agent.max_iterations":8}'
    WHEN 'step' THEN '{"step.name":"' || step_name[6:] || '","step.index":' || k || ',"langgraph.node":"' || step_name[6:] || '","langgraph.step":' || (i // 4)
      || ',"langgraph.triggers":["branch:to:' || step_name[6:] || '"],"langgraph.checkpoint_ns":"' || agent_name || ':' || trace_id[9:44]
      || '","thread.id":"thread_' || trace_id[1:20] || '","graph.name":"' || wf_name[10:] || '_graph","graph.version":"7","step.retry_policy":"exponential(max=3)"}'
    WHEN 'llm' THEN '{"gen_ai.operation.name":"' || operation || '","gen_ai.provider.name":"' || provider || '","gen_ai.request.model":"' || model
      || '","gen_ai.response.model":"' || response_model || '","gen_ai.response.id":"resp_' || span_id || trace_id[1:16]
      || '","gen_ai.usage.input_tokens":' || input_tokens || coalesce(',"gen_ai.usage.output_tokens":' || output_tokens, '')
      || coalesce(',"gen_ai.usage.cache_read_input_tokens":' || cache_read_tokens, '')
      || ',"gen_ai.request.temperature":0.2,"gen_ai.request.max_tokens":4096' || coalesce(',"gen_ai.response.finish_reasons":' || finish_reasons, '')
      || ',"gen_ai.conversation.id":"conv_' || trace_id[5:28] || '","server.address":"' || server || '","server.port":443}'
    WHEN 'tool' THEN '{"gen_ai.operation.name":"execute_tool","gen_ai.tool.name":"' || tool || '","gen_ai.tool.type":"function","gen_ai.tool.call.id":"call_'
      || span_id || trace_id[1:8] || '","gen_ai.tool.call.arguments":"' || tool_args || '","tool.timeout_ms":30000,"tool.retry":' || (hash(t, i) % 2)
      || ',"http.response.status_code":' || (CASE WHEN failed THEN 502 ELSE 200 END) || '}'
    ELSE '{"db.system":"' || db_system || '","db.collection.name":"' || collection || '","retrieval.query":"how do I rotate the api keys for project '
      || (t % 500) || '","retrieval.top_k":8,"retrieval.documents.count":' || (hash(t, i) % 9) || ',"retrieval.min_score":0.35,"cache.hit":'
      || (CASE WHEN u01(t, i, 'cache') < 0.35 THEN 'true' ELSE 'false' END)
      || ',"embedding.model":"text-embedding-3-small","server.address":"' || db_system || '.search.internal","server.port":6333,"retrieval.filter":"tenant=' || (t % 40) || '"}'
    END`;
  return `
    CREATE OR REPLACE TABLE memory.main.stage AS
    WITH sk AS (${skeleton}),
    picked AS (
      SELECT sk.*, left(md5(trace_id || i), 16) AS span_id,
        CASE WHEN parent_i IS NULL THEN NULL ELSE left(md5(trace_id || parent_i), 16) END AS parent_span_id,
        u01(t, i, 'err') < CASE role WHEN 'root' THEN 0.04 WHEN 'tool' THEN 0.04 WHEN 'llm' THEN 0.015 WHEN 'retriever' THEN 0.01 ELSE 0.005 END AS failed,
        CASE WHEN role <> 'llm' THEN NULL WHEN i % 8 = 0 AND u01(t, i, 'emb') < 0.34 THEN 20 ELSE (hash(t, i, 'model') % 20)::INTEGER END AS model_slot,
        (hash(t, i, 'tool') % 8)::INTEGER AS tool_idx, (hash(t, i, 'retr') % 3)::INTEGER AS retr_idx,
        CASE WHEN role = 'step' AND u01(t, i, 'fin') < 0.25 THEN 3 ELSE k END AS step_idx,
        (hash(t, i, 'ek') % 3)::INTEGER AS err_kind,
        CASE WHEN root_start < ${p.versionCutUs}::BIGINT THEN 0 ELSE 1 END AS ver,
        (t // 800) * 200 + t % 200 AS sess
      FROM sk
    ),
    joined AS (
      SELECT picked.*, w.wf_name, a.agent_name, a.agent_service, a.agent_description, m.provider, m.model, m.response_model, m.operation,
        m.price_in, m.price_out, m.server, tl.tool, tl.tool_args, r.retriever, r.db_system, r.collection, s.step_name, e.exc_type,
        e.err_message, e.err_key, e.http_status, e.error_type, e.frame_fn, e.frame_file,
        CASE role WHEN 'root' THEN 'agent-gateway' WHEN 'tool' THEN 'tool-runner' WHEN 'retriever' THEN 'retrieval-service' ELSE a.agent_service END AS service_name,
        CASE WHEN role <> 'root' THEN NULL WHEN t = ${BIG_T} THEN 'sess_long-research-run' ELSE 'sess_' || left(md5('sess-' || sess), 16) END AS session_id,
        CASE WHEN role <> 'root' THEN NULL ELSE 'user_' || (hash(sess, 'user') % 3000) END AS user_id
      FROM picked
        JOIN memory.main.workflows w ON w.idx = picked.wf
        JOIN memory.main.agents a ON a.idx = picked.agent_idx
        LEFT JOIN memory.main.models m ON m.slot = picked.model_slot
        JOIN memory.main.tools tl ON tl.idx = picked.tool_idx
        JOIN memory.main.retrievers r ON r.idx = picked.retr_idx
        JOIN memory.main.steps s ON s.idx = picked.step_idx
        LEFT JOIN memory.main.error_kinds e ON picked.failed AND e.err_role = picked.role AND e.kind = picked.err_kind
    ),
    llm AS (
      SELECT joined.*,
        CASE WHEN model_slot IS NULL THEN NULL WHEN operation = 'embeddings' THEN round(300 * exp(0.5 * nrm(t, i, 'in')))
          ELSE least(120000, round(1400 * exp(0.7 * nrm(t, i, 'in')))) END::BIGINT AS input_tokens,
        CASE WHEN model_slot IS NULL OR operation = 'embeddings' THEN NULL ELSE round(220 * exp(0.8 * nrm(t, i, 'out'))) END::BIGINT AS output_tokens,
        CASE WHEN operation = 'chat' AND u01(t, i, 'cache') < 0.3 THEN 512 * (hash(t, i, 'cr') % 4) END::BIGINT AS cache_read_tokens,
        CASE WHEN operation = 'chat' THEN CASE WHEN u01(t, i, 'fr') < 0.3 THEN '["tool_calls"]' ELSE '["stop"]' END END AS finish_reasons
      FROM joined
    )
    SELECT 'default' AS project_id, trace_id, span_id, parent_span_id, '' AS trace_state, 1::UINTEGER AS flags,
      CASE role WHEN 'root' THEN wf_name WHEN 'agent' THEN 'invoke_agent ' || agent_name WHEN 'step' THEN step_name
        WHEN 'llm' THEN operation || ' ' || model WHEN 'tool' THEN 'execute_tool ' || tool ELSE retriever END AS name,
      CASE role WHEN 'root' THEN 2 WHEN 'llm' THEN 3 ELSE 1 END::UTINYINT AS kind,
      service_name, start_us, end_us, end_us - start_us AS duration_us,
      CASE WHEN failed THEN 2 ELSE 0 END::UTINYINT AS status_code, coalesce(CASE WHEN failed THEN err_message END, '') AS status_message,
      ${attrs} AS attributes,
      src.source_id,
      CASE WHEN failed THEN '[{"timeUs":' || (end_us - 1000) || ',"name":"exception","attributes":{"exception.type":"' || exc_type
        || '","exception.message":"' || replace(err_message, '"', '\\"') || '","exception.stacktrace":"' || exc_type || ': ' || replace(err_message, '"', '\\"')
        || '\\n    at ' || frame_fn || ' (/app/src/' || frame_file || ':' || (40 + i) || ':11)\\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"},"droppedAttributesCount":0}]'
        ELSE '[]' END AS events,
      '[]' AS links, 0::UINTEGER AS dropped_attributes, 0::UINTEGER AS dropped_events, 0::UINTEGER AS dropped_links,
      session_id, model_slot IS NOT NULL AS is_llm, provider AS llm_provider, operation AS llm_operation, model AS llm_request_model,
      response_model AS llm_response_model, input_tokens, output_tokens, input_tokens + coalesce(output_tokens, 0) AS total_tokens,
      cache_read_tokens, NULL::BIGINT AS cache_creation_tokens,
      CASE WHEN model = 'o4-mini' THEN output_tokens * 3 // 5 END AS reasoning_tokens,
      (input_tokens * price_in + coalesce(output_tokens, 0) * price_out) / 1e6 AS cost_usd,
      CASE WHEN operation = 'chat' AND u01(t, i, 'ttft') < 0.6 THEN round((end_us - start_us) / 1000 * (0.1 + 0.2 * u01(t, i, 'tf')), 1) END AS ttft_ms,
      finish_reasons, CASE WHEN model_slot IS NOT NULL THEN 'price_table' END AS cost_source,
      CASE role WHEN 'root' THEN 0 WHEN 'agent' THEN 1 WHEN 'step' THEN 2 WHEN 'llm' THEN (CASE WHEN operation = 'embeddings' THEN 6 ELSE 3 END)
        WHEN 'tool' THEN 4 ELSE 5 END::UTINYINT AS category,
      user_id,
      -- for the errors table
      failed, exc_type, err_message, err_key, frame_fn || ' (' || frame_file || ')' AS frame, CASE WHEN role = 'llm' THEN http_status END AS http_status,
      CASE WHEN role = 'llm' THEN error_type END AS error_type, CASE WHEN role = 'tool' THEN tool END AS err_tool,
      left(md5(role || '/' || err_kind || '/' || coalesce(CASE WHEN role = 'llm' THEN provider END, '') || '/' || CASE WHEN role = 'tool' THEN tool ELSE '' END), 16) AS fingerprint
    FROM llm JOIN memory.main.source_ids src ON src.service = llm.service_name AND src.ver = llm.ver`;
}

const STAGE_EXTRAS = 'failed, exc_type, err_message, err_key, frame, http_status, error_type, err_tool, fingerprint';

/**
 * Moves the staged rows into the store's tables in one transaction (a transaction writes to one
 * database: the stage itself is written before it), spans in end-time order as ingest writes them.
 */
async function flushStage(c) {
  await c.run('BEGIN');
  await c.run(`INSERT INTO spoor.spans BY NAME SELECT * EXCLUDE (${STAGE_EXTRAS}) FROM memory.main.stage ORDER BY end_us, trace_id, span_id`);
  await c.run(`
    INSERT INTO spoor.trace_parts BY NAME
    SELECT project_id, trace_id, min(start_us) AS start_us, max(end_us) AS end_us, count(*) AS span_count, count_if(status_code = 2) AS error_count,
      max(name) FILTER (WHERE parent_span_id IS NULL) AS root_name, max(service_name) FILTER (WHERE parent_span_id IS NULL) AS root_service,
      arg_min(name, start_us) AS first_name, arg_min(service_name, start_us) AS first_service,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd,
      bool_or(status_code = 2) FILTER (WHERE parent_span_id IS NULL) AS root_failed, ${traceKeySql('trace_id')} AS trace_key
    FROM memory.main.stage GROUP BY project_id, trace_id ORDER BY max(end_us)`);
  await c.run(`
    INSERT INTO spoor.errors BY NAME
    SELECT project_id, fingerprint, end_us - 1000 AS time_us, trace_id, span_id, parent_span_id, service_name, name AS span_name,
      exc_type AS exception_type, err_message AS message, err_key AS message_key, frame, llm_provider AS provider, http_status, error_type,
      NULL AS finish_reason, err_tool AS tool_name, 'span' AS source
    FROM memory.main.stage WHERE failed ORDER BY time_us`);
  await c.run('COMMIT');
}

/** A seeded PRNG (mulberry32), so the big trace is the same tree on every generation. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One long agent run of `count` spans: the root fans out to agents; agents run LLM calls, tools,
 * retrievals, steps and sub-agents; steps run more of the same. Children run in waves (up to four
 * at once, eight under the root), so the critical path has to choose among concurrent spans.
 * Built breadth-first, so the tree is wide at the top and some branches run deep.
 */
export function bigTree(count, seed = 7) {
  const rand = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const role = ['root'],
    parent = [null],
    agent = [0],
    kids = [[]];
  const queue = [0];
  let head = 0;
  while (role.length < count) {
    if (head === queue.length) queue.push(0); // every branch closed: the root starts another wave of agents
    const n = queue[head++];
    const r = role[n];
    const want = r === 'root' ? 12 : r === 'agent' ? 6 + Math.floor(rand() * 9) : 3 + Math.floor(rand() * 5);
    for (let c = 0; c < want && role.length < count; c++) {
      const x = rand();
      let childRole;
      if (r === 'root') childRole = 'agent';
      else if (r === 'agent') childRole = x < 0.35 ? 'llm' : x < 0.55 ? 'tool' : x < 0.65 ? 'retriever' : x < 0.92 ? 'step' : 'agent';
      else childRole = x < 0.4 ? 'llm' : x < 0.7 ? 'tool' : x < 0.85 ? 'retriever' : 'agent';
      const i = role.length;
      role.push(childRole);
      parent.push(n);
      agent.push(childRole === 'agent' ? Math.floor(rand() * 6) : agent[n]);
      kids.push([]);
      kids[n].push(i);
      if (childRole === 'agent' || childRole === 'step') queue.push(i);
    }
  }
  // Lengths bottom-up (children have higher numbers than their parents), then starts top-down.
  const dur = new Float64Array(count),
    rel = new Float64Array(count);
  const leafMedianUs = { llm: 1_200_000, tool: 400_000, retriever: 120_000, agent: 50_000, step: 50_000 };
  const leafSigma = { llm: 0.6, tool: 0.9, retriever: 0.5, agent: 0.3, step: 0.3 };
  for (let n = count - 1; n >= 0; n--) {
    const children = kids[n];
    if (children.length === 0) {
      dur[n] = leafMedianUs[role[n]] * Math.exp(leafSigma[role[n]] * normal());
      continue;
    }
    let at = 5_000;
    for (let c = 0; c < children.length; ) {
      const wave = 1 + Math.floor(rand() * (role[n] === 'root' ? 8 : 4));
      let waveEnd = at;
      for (const child of children.slice(c, c + wave)) {
        rel[child] = at + rand() * 10_000;
        waveEnd = Math.max(waveEnd, rel[child] + dur[child]);
      }
      at = waveEnd + 1_000 + rand() * 20_000;
      c += wave;
    }
    dur[n] = at + 5_000;
  }
  const start = new Float64Array(count);
  for (let n = 1; n < count; n++) start[n] = start[parent[n]] + rel[n];
  let depth = 0;
  const depths = new Int32Array(count);
  for (let n = 1; n < count; n++) depth = Math.max(depth, (depths[n] = depths[parent[n]] + 1));
  return { role, parent, agent, start, dur, depth, rootDurUs: dur[0] };
}

/**
 * Writes the data set into a new store file at `path`: the schema from the built server's
 * `DuckDbStore.open`, then 24 hours of traces ending at `nowUs` and one big trace.
 */
export async function generate({ path, nowUs, traces, bigSpans, openStore, log }) {
  const store = await openStore({ path });
  await store.close();
  const t0Us = nowUs - DAY_US;
  const tree = bigTree(bigSpans);
  const bigStartUs = Math.round(nowUs - HOUR_US - tree.rootDurUs);
  const params = {
    t0Us,
    intervalUs: Math.floor(DAY_US / traces),
    traces,
    generatedUs: nowUs,
    versionCutUs: t0Us + 16 * HOUR_US,
    bigTraceId: createHash('md5').update('spoor-bench-big-trace').digest('hex'),
    bigStartUs,
    bigSpans,
    bigRootMs: Math.round(tree.rootDurUs / 1000),
    bigDepth: tree.depth,
  };
  const { instance, c } = await connect(path);
  await c.run(`CREATE TABLE memory.main.big_nodes (i INTEGER, parent_i INTEGER, role VARCHAR, agent_idx INTEGER, start_us BIGINT, end_us BIGINT)`);
  const appender = await c.createAppender('big_nodes', 'main', 'memory');
  for (let n = 0; n < bigSpans; n++) {
    const s = Math.round(bigStartUs + tree.start[n]);
    appender.appendInteger(n);
    if (tree.parent[n] === null) appender.appendNull();
    else appender.appendInteger(tree.parent[n]);
    appender.appendVarchar(tree.role[n]);
    appender.appendInteger(tree.agent[n]);
    appender.appendBigInt(BigInt(s));
    appender.appendBigInt(BigInt(s + Math.max(1, Math.round(tree.dur[n]))));
    appender.endRow();
  }
  appender.closeSync();
  await c.run(
    `INSERT INTO spoor.sources BY NAME SELECT * FROM (VALUES ${sourceRows()
      .map((s) => `('default', '${s.id}', '${s.resource}', '${SCOPE_JSON}')`)
      .join(', ')}) v(project_id, source_id, resource, scope)`,
  );
  // An hour of traffic per transaction: a few hundred thousand rows, sorted by end time like ingest writes them.
  const chunks = 24;
  for (let h = 0; h < chunks; h++) {
    const tFrom = Math.floor((h * traces) / chunks),
      tTo = Math.floor(((h + 1) * traces) / chunks);
    const fromUs = t0Us + h * HOUR_US,
      toUs = h === chunks - 1 ? Number.MAX_SAFE_INTEGER : fromUs + HOUR_US;
    await c.run(stageSql(params, `${regularSkeleton(params, tFrom, tTo, 0, nowUs)} UNION ALL ${bigSkeleton(params, fromUs, toUs)}`));
    await flushStage(c);
    if (h % 6 === 5) log(`  ${h + 1}/24 hours written`);
  }
  await c.run('CHECKPOINT');
  c.closeSync();
  instance.closeSync();
  return params;
}

/** Adds the traces whose roots end in (params.generatedUs, untilUs]: the time between generation and this run. */
export async function fillUntil(path, params, untilUs) {
  const { instance, c } = await connect(path);
  const tFrom = Math.max(0, Math.floor((params.generatedUs - params.t0Us - MAX_ROOT_US) / params.intervalUs) - 1);
  const tTo = Math.ceil((untilUs - params.t0Us) / params.intervalUs) + 1;
  await c.run(stageSql(params, regularSkeleton(params, tFrom, tTo, params.generatedUs, untilUs)));
  const added = Number((await c.runAndReadAll('SELECT count(*) FROM memory.main.stage')).getRows()[0][0]);
  await flushStage(c);
  await c.run('CHECKPOINT');
  c.closeSync();
  instance.closeSync();
  return added;
}

/**
 * Adds `count` scores of the newest spans, one per span, as evaluators and users would have made
 * them: `faithfulness`, `relevance` and `toxicity` values from two evaluators each, and `thumbs`
 * labels (a quarter `down`) from users; each at its span's end, with its span's source, service and
 * start as the store writes them (`store/duckdb/score-facts.ts`). The goal's figure is score
 * statistics over 1M of them against span statistics over the 5M spans.
 */
export async function addScores(path, count) {
  const { instance, c } = await connect(path);
  await c.run(`INSERT INTO spoor.scores
    SELECT project_id, md5(trace_id || span_id || name) AS score_id, end_us, end_us, trace_id, span_id, NULL, NULL, name,
      CASE WHEN name <> 'thumbs' THEN (hash(span_id) % 1000) / 1000.0 END,
      CASE WHEN name = 'thumbs' THEN CASE WHEN hash(span_id) % 4 = 0 THEN 'down' ELSE 'up' END END,
      NULL, CASE WHEN name = 'thumbs' THEN 'human' ELSE 'evaluator' END,
      CASE WHEN name = 'thumbs' THEN 'user-' || CAST(hash(trace_id) % 500 AS VARCHAR) ELSE name || '@' || CAST(1 + hash(trace_id) % 2 AS VARCHAR) END, false,
      source_id, service_name, start_us
    FROM (SELECT project_id, trace_id, span_id, end_us, source_id, service_name, start_us,
            ['faithfulness', 'relevance', 'toxicity', 'thumbs'][1 + CAST(hash(span_id) % 4 AS BIGINT)] AS name
          FROM spoor.spans ORDER BY end_us DESC LIMIT ${Number(count)})`);
  // What the store records when it writes a slot again (store/duckdb/scores.ts), for rows written past it.
  await c.run('INSERT OR IGNORE INTO spoor.replaced_scores SELECT project_id, score_id FROM spoor.scores GROUP BY ALL HAVING count(*) > 1');
  await c.run('CHECKPOINT');
  c.closeSync();
  instance.closeSync();
}

async function connect(path) {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '3GB', threads: '2' });
  const c = await instance.connect();
  // A new store's row groups (catalog.ts), as the server records them: attached with another size, its checkpoints would merge them.
  await c.run(`ATTACH '${path.replaceAll("'", "''")}' AS spoor (ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
  await c.run(dimensionSql());
  return { instance, c };
}
