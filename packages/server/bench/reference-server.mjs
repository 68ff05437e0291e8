// The one-thread reference of `npm run bench:ingest`: an HTTP server that decodes each OTLP body
// with Spoor's own decoder (no normalization) and appends its spans to one DuckDB table with the
// appender, answering 200 once they are appended: no spool, no fsync, no second thread, no
// summaries. What Spoor does beyond that (durability before the answer, normalization, pricing,
// trace summaries, error occurrences) is what the ratio to it measures.
// Usage: node reference-server.mjs DATA_DIR; GET /flush closes the appender (making every span
// readable) and answers the row count.
import http from 'node:http';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { decodeRequest } from '../dist/ingest/decode.js';

const FLUSH_ROWS = 8192;
const instance = await DuckDBInstance.create(join(process.argv[2], 'reference.duckdb'));
const db = await instance.connect();
await db.run(`CREATE TABLE spans (
  trace_id VARCHAR, span_id VARCHAR, parent_span_id VARCHAR, name VARCHAR, kind UTINYINT, service_name VARCHAR,
  start_us BIGINT, end_us BIGINT, status_code UTINYINT, status_message VARCHAR, attributes VARCHAR, resource VARCHAR,
  events VARCHAR, links VARCHAR, flags UINTEGER, dropped_attributes UINTEGER)`);
let appender = await db.createAppender('spans');
let unflushed = 0;
let rows = 0;
const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];

function append(spans) {
  for (const s of spans) {
    appender.appendVarchar(s.traceId);
    appender.appendVarchar(s.spanId);
    if (s.parentSpanId === null) appender.appendNull();
    else appender.appendVarchar(s.parentSpanId);
    appender.appendVarchar(s.name);
    appender.appendUTinyInt(KINDS.indexOf(s.kind));
    appender.appendVarchar(s.serviceName);
    appender.appendBigInt(BigInt(s.startTimeUs));
    appender.appendBigInt(BigInt(s.endTimeUs));
    appender.appendUTinyInt(STATUS.indexOf(s.status.code));
    appender.appendVarchar(s.status.message);
    appender.appendVarchar(JSON.stringify(s.attributes));
    appender.appendVarchar(JSON.stringify(s.resource.attributes));
    appender.appendVarchar(JSON.stringify(s.events));
    appender.appendVarchar(JSON.stringify(s.links));
    appender.appendUInteger(s.flags);
    appender.appendUInteger(s.droppedAttributesCount);
    appender.endRow();
  }
  rows += spans.length;
  unflushed += spans.length;
  if (unflushed >= FLUSH_ROWS) {
    appender.flushSync();
    unflushed = 0;
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/flush') {
    appender.closeSync();
    void db.createAppender('spans').then((next) => {
      appender = next;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rows }));
    });
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const decoded = decodeRequest('traces', 'protobuf', body, 'default', Date.now() * 1000, { normalize: false });
    append(decoded.batch.spans);
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
