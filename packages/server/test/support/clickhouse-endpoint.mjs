#!/usr/bin/env node
// A ClickHouse HTTP endpoint for tests and benchmarks, backed by the ClickHouse engine that the
// `chdb` package embeds: no ClickHouse server binary can be installed here, and chdb allows one
// engine per process, so several Spoor servers share one database through this process as they
// would through a ClickHouse server. Like a ClickHouse server, it runs requests side by side:
// each takes one of up to `--connections` engine connections to the same path (a connection runs
// one query at a time; two connections run in parallel and see each other's data). It speaks what `@clickhouse/client` uses of the HTTP
// interface: POST / with the query in the body (or in `?query=` with the data in the body, for
// inserts; a binary `FORMAT Native` body is read from a file, since the engine takes inline data
// only as text), `param_*` query parameters, settings as URL parameters, gzip bodies, basic auth,
// GET /ping, and errors as `Code: N. DB::Exception: ...` with status 500. A `FORMAT RowBinary`
// answer is sent as the engine makes it, in pieces (chdb's `queryStream`), as a ClickHouse server
// streams its blocks: materialized first, a trace's 49 MB answer reached Spoor 150 ms later than
// a server would send it (BENCHMARKS.md).
//
//   node clickhouse-endpoint.mjs --path DIR [--port 0] [--user U --password P] [--connections 4]
// prints `listening <port>` once it takes requests. On SIGUSR1 it stops listening (connections
// are refused, as with ClickHouse down) and on SIGUSR2 it listens again on the same port.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Session } from 'chdb';

const { values } = parseArgs({
  options: {
    path: { type: 'string' },
    port: { type: 'string', default: '0' },
    user: { type: 'string', default: 'default' },
    password: { type: 'string', default: '' },
    connections: { type: 'string', default: '4' },
  },
});
if (values.path === undefined) {
  process.stderr.write('usage: clickhouse-endpoint.mjs --path DIR [--port 0] [--user U --password P]\n');
  process.exit(2);
}
const maxConnections = Number(values.connections);
if (!Number.isInteger(maxConnections) || maxConnections < 1) {
  process.stderr.write(`--connections takes a whole number of at least 1, not '${values.connections}'\n`);
  process.exit(2);
}

/** URL parameters that are not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'query_id',
  'database',
  'session_id',
  'role',
  'default_format',
  'enable_http_compression',
  'wait_end_of_query',
  'user',
  'password',
]);

/**
 * Engine connections to `--path`, each with the settings applied to it (SET only when a request
 * changes one). The first opens the data; the others join it.
 */
const idle = [{ session: new Session(values.path), applied: new Map() }];
let opened = 1;
/** Requests waiting for a connection, first come first served. */
const waiting = [];
/** Requests taken and not finished: SIGTERM waits for them. */
const running = new Set();

function acquire() {
  if (idle.length > 0) return Promise.resolve(idle.pop());
  if (opened < maxConnections) {
    opened++;
    return Promise.resolve({ session: new Session(values.path), applied: new Map() });
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(connection) {
  const next = waiting.shift();
  if (next !== undefined) next(connection);
  else idle.push(connection);
}

function authorized(request) {
  const header = request.headers.authorization;
  let user = request.headers['x-clickhouse-user'] ?? 'default';
  let password = request.headers['x-clickhouse-key'] ?? '';
  if (typeof header === 'string' && header.startsWith('Basic ')) {
    const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = text.indexOf(':');
    user = text.slice(0, colon);
    password = text.slice(colon + 1);
  }
  return user === values.user && password === values.password;
}

function fail(response, status, code, message) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': String(code) });
  response.end(`Code: ${code}. DB::Exception: ${message}. (version 26 chdb)\n`);
}

/**
 * Puts the query parameters into the SQL as literals. A parameter comes as text in ClickHouse's
 * escaped format, which is a string literal's inside for a String; anything else is cast from
 * that text, as the server parses a parameter of its type. (chdb's own bind escapes the values it
 * is given, which cannot carry an escaped quote through.)
 */
const STRING_TYPE = /^(LowCardinality\()?(Nullable\()?String\)?\)?$/;
function bind(sql, params) {
  return sql.replace(/\{(\w+):([^{}]+)\}/g, (whole, name, type) => {
    const text = params[name];
    if (text === undefined) return whole;
    if (STRING_TYPE.test(type)) return `'${text}'`;
    return `CAST('${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}' AS ${type})`;
  });
}

async function run({ session, applied }, url, body) {
  const params = {};
  const given = new Set();
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param_')) params[key.slice(6)] = value;
    else if (!NOT_SETTINGS.has(key)) {
      given.add(key);
      if (applied.get(key) === value) continue;
      await session.queryAsync(`SET ${key} = ${/^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`}`);
      applied.set(key, value);
    }
  }
  // A server applies a request's settings to that request alone: one an earlier request set on
  // this connection (a query's priority) goes back to its default.
  const left = [...applied.keys()].filter((key) => !given.has(key));
  if (left.length > 0) {
    await session.queryAsync(`SET ${left.map((key) => `${key} = DEFAULT`).join(', ')}`);
    for (const key of left) applied.delete(key);
  }
  const inline = url.searchParams.get('query');
  const native = inline === null ? null : NATIVE_INSERT.exec(inline);
  if (native !== null) return insertNative(session, native[1], body);
  const sql = inline === null ? body.toString('utf8') : `${inline}\n${body.toString('utf8')}`;
  const bound = Object.keys(params).length > 0 ? bind(sql, params) : sql;
  const rowBinary = ROW_BINARY.exec(bound);
  if (rowBinary !== null) {
    const format = /withnamesandtypes/i.test(rowBinary[1]) ? 'RowBinaryWithNamesAndTypes' : 'RowBinary';
    return { pieces: session.queryStream(bound.slice(0, rowBinary.index), { format }), named: format === 'RowBinaryWithNamesAndTypes' };
  }
  const result = await session.queryAsync(bound);
  return result.bytes();
}

/** A query whose answer is streamed: `@clickhouse/client`'s `exec` with the format in the SQL, as Spoor reads large answers (`rawBytes`). */
const ROW_BINARY = /\sFORMAT\s+(RowBinary(?:WithNamesAndTypes)?)\s*$/i;

/**
 * Sends a streamed answer's pieces as they come, the connection held until the last. Its first
 * piece comes before the headers, so an error before it is answered as any other; after it, the
 * response is cut off (a ClickHouse server writes the exception into the body then). With `named`
 * (`RowBinaryWithNamesAndTypes`), chdb starts every piece with the columns' names and types; a
 * server writes them once, so they are sent once.
 */
async function sendPieces({ pieces, named }, url, response) {
  let started = false;
  let header = null;
  try {
    for await (const piece of pieces) {
      // A copy: the piece's bytes are the engine's, and the socket may hold them past the next piece.
      let bytes = Buffer.from(piece.raw());
      if (named && bytes.length > 0) {
        if (header === null) header = bytes.subarray(0, namesAndTypesLength(bytes));
        else if (bytes.subarray(0, header.length).equals(header)) bytes = bytes.subarray(header.length);
      }
      if (!started) {
        response.writeHead(200, answerHeaders(url));
        started = true;
      }
      if (response.destroyed) break;
      if (!response.write(bytes)) {
        await new Promise((resolve) => {
          response.once('drain', resolve);
          response.once('close', resolve);
        });
      }
    }
  } catch (error) {
    if (!started) throw error;
    response.destroy(error);
    return;
  }
  if (!started) response.writeHead(200, answerHeaders(url));
  response.end();
}

/** The length of the names and types a `RowBinaryWithNamesAndTypes` answer starts with. */
function namesAndTypesLength(bytes) {
  let at = 0;
  const length = () => {
    let value = 0;
    let shift = 1;
    let byte;
    do {
      byte = bytes[at++];
      value += (byte & 127) * shift;
      shift *= 128;
    } while (byte & 128);
    return value;
  };
  const columns = length();
  for (let i = 0; i < 2 * columns; i++) {
    const n = length();
    at += n;
  }
  return at;
}

function answerHeaders(url) {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'x-clickhouse-query-id': url.searchParams.get('query_id') ?? '',
    'x-clickhouse-summary':
      '{"read_rows":"0","read_bytes":"0","written_rows":"0","written_bytes":"0","total_rows_to_read":"0","result_rows":"0","result_bytes":"0","elapsed_ns":"0"}',
    'x-clickhouse-timezone': 'UTC',
  };
}

/** `INSERT INTO t (columns) FORMAT Native`, as `@clickhouse/client`'s `exec` sends it. */
const NATIVE_INSERT = /^\s*(INSERT\s+INTO\s+[\s\S]+?)\s+FORMAT\s+Native\s*$/i;
const inserts = join(values.path, 'native-inserts');
mkdirSync(inserts, { recursive: true });

/** Inserts a Native body: the same rows the engine would read from the request, read from a file. */
async function insertNative(session, insert, body) {
  const file = join(inserts, `${randomUUID()}.native`);
  await writeFile(file, body);
  try {
    const result = await session.queryBindAsync(`${insert} SELECT * FROM file({file:String}, 'Native')`, { file });
    return result.bytes();
  } finally {
    await rm(file, { force: true });
  }
}

/** Runs one request on a free connection; a streamed answer is sent before the connection is let go. */
async function runOnConnection(url, body, response) {
  const connection = await acquire();
  try {
    const answer = await run(connection, url, body);
    if (answer.pieces !== undefined) await sendPieces(answer, url, response);
    return answer;
  } finally {
    release(connection);
  }
}

// ClickHouse takes a URI of up to 1 MiB (http_max_uri_size), and query parameters travel in it:
// a page of 1,000 trace ids is ~35 KB, past Node's default 16 KiB of headers.
const server = createServer({ maxHeaderSize: 1024 * 1024 }, (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping' && request.method === 'GET') {
    response.end('Ok.\n');
    return;
  }
  if (!authorized(request)) return fail(response, 516, 516, `${values.user}: Authentication failed: password is incorrect, or there is no user with such name`);
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let body = Buffer.concat(chunks);
    if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const done = runOnConnection(url, body, response);
    running.add(done);
    done.finally(() => running.delete(done)).catch(() => undefined);
    done.then(
      (bytes) => {
        // Sent already, piece by piece.
        if (bytes.pieces !== undefined) return;
        response.writeHead(200, answerHeaders(url));
        response.end(Buffer.from(bytes));
      },
      (error) => {
        const match = /Code: (\d+)/.exec(String(error?.message));
        fail(response, 500, match === null ? 1001 : Number(match[1]), String(error?.message ?? error).replace(/^Code: \d+\. DB::Exception: /, ''));
      },
    );
  });
});
server.keepAliveTimeout = 1000;

let port = Number(values.port);
function listen() {
  if (server.listening) {
    process.stdout.write(`listening ${port}\n`);
    return;
  }
  server.listen(port, '127.0.0.1', () => {
    port = server.address().port;
    process.stdout.write(`listening ${port}\n`);
  });
}
// While stopped, nothing else keeps the process alive.
const keepAlive = setInterval(() => {}, 1 << 30);
process.on('SIGUSR1', () => {
  server.close(() => process.stdout.write('stopped\n'));
  server.closeAllConnections();
});
process.on('SIGUSR2', listen);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  server.close();
  server.closeAllConnections();
  Promise.allSettled(running).then(() => {
    for (const { session } of idle) session.close();
    process.exit(0);
  });
});
listen();
