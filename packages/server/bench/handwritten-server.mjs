// The hand-written one-thread floor of `npm run bench:ingest`: an HTTP server that reads each
// OTLP/protobuf ExportTraceServiceRequest with a protobuf reader of its own (the field numbers of
// opentelemetry/proto/{collector/trace,trace,common,resource}/v1 are public facts) and writes
// every span straight into DuckDB data chunks, appended to one table, answering 200 once they are
// appended. Nothing Spoor-made is used, so the floor does not move when Spoor's decoder does
// (reference-server.mjs, which uses Spoor's decoder, does). One thread; no spool, no fsync, no
// normalization, no summaries, no duplicate checks, no UTF-8 validation (the bench sends valid
// text). The span columns are the ones Spoor stores as decoded (attributes, events and links as
// JSON text of the same shape; the resource as JSON text in place of Spoor's source id); the
// columns Spoor derives by normalizing (LLM fields, category, session, user) are not there.
// Strings never become JavaScript strings: ids are hexed into a fixed buffer, names and messages
// are views of the body, and JSON is written as UTF-8 bytes into one reused buffer, each handed
// to DuckDB, which copies it into the vector.
// Usage: node handwritten-server.mjs DATA_DIR; GET /flush closes the appender (making every span
// readable) and answers the row count.
import http from 'node:http';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

const FLUSH_ROWS = 8192;
const CHUNK_ROWS = duckdb.vector_size();

const COLUMNS = [
  ['project_id', 'VARCHAR'],
  ['trace_id', 'VARCHAR'],
  ['span_id', 'VARCHAR'],
  ['parent_span_id', 'VARCHAR'],
  ['trace_state', 'VARCHAR'],
  ['flags', 'UINTEGER'],
  ['name', 'VARCHAR'],
  ['kind', 'UTINYINT'],
  ['service_name', 'VARCHAR'],
  ['start_us', 'BIGINT'],
  ['end_us', 'BIGINT'],
  ['duration_us', 'BIGINT'],
  ['status_code', 'UTINYINT'],
  ['status_message', 'VARCHAR'],
  ['attributes', 'VARCHAR'],
  ['resource', 'VARCHAR'],
  ['events', 'VARCHAR'],
  ['links', 'VARCHAR'],
  ['dropped_attributes', 'UINTEGER'],
  ['dropped_events', 'UINTEGER'],
  ['dropped_links', 'UINTEGER'],
];
const C = Object.fromEntries(COLUMNS.map(([name], i) => [name, i]));
const TYPE_IDS = { VARCHAR: duckdb.Type.VARCHAR, UINTEGER: duckdb.Type.UINTEGER, UTINYINT: duckdb.Type.UTINYINT, BIGINT: duckdb.Type.BIGINT };

const instance = await DuckDBInstance.create(join(process.argv[2], 'handwritten.duckdb'));
const db = await instance.connect();
await db.run(`CREATE TABLE spans (${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`);
let appender = await db.createAppender('spans');
let unflushed = 0;
let rows = 0;

// ---- the chunk being filled: strings go into its vectors at once, numbers into typed arrays copied at the end

const chunk = duckdb.create_data_chunk(COLUMNS.map(([, type]) => duckdb.create_logical_type(TYPE_IDS[type])));
const vectors = COLUMNS.map((_, i) => duckdb.data_chunk_get_vector(chunk, i));
const flags = new Uint32Array(CHUNK_ROWS);
const kinds = new Uint8Array(CHUNK_ROWS);
const statusCodes = new Uint8Array(CHUNK_ROWS);
const droppedAttributes = new Uint32Array(CHUNK_ROWS);
const droppedEvents = new Uint32Array(CHUNK_ROWS);
const droppedLinks = new Uint32Array(CHUNK_ROWS);
/** BIGINT columns as (low, high) 32-bit words. */
const startUs = new Uint32Array(CHUNK_ROWS * 2);
const endUs = new Uint32Array(CHUNK_ROWS * 2);
const durationUs = new Uint32Array(CHUNK_ROWS * 2);
const parentValid = new Uint8Array(CHUNK_ROWS / 8);
let parentNulls = false;
let row = 0;
const PROJECT = duckdb.create_varchar('default');

function setInt64(words, at, value) {
  const high = Math.floor(value / 4294967296);
  words[2 * at] = value - high * 4294967296;
  words[2 * at + 1] = high;
}

function appendChunk() {
  if (row === 0) return;
  const copy = (column, array, bytes) => duckdb.copy_data_to_vector(vectors[column], 0, array.buffer, 0, bytes);
  copy(C.flags, flags, row * 4);
  copy(C.kind, kinds, row);
  copy(C.status_code, statusCodes, row);
  copy(C.dropped_attributes, droppedAttributes, row * 4);
  copy(C.dropped_events, droppedEvents, row * 4);
  copy(C.dropped_links, droppedLinks, row * 4);
  copy(C.start_us, startUs, row * 8);
  copy(C.end_us, endUs, row * 8);
  copy(C.duration_us, durationUs, row * 8);
  if (parentNulls) {
    duckdb.vector_ensure_validity_writable(vectors[C.parent_span_id]);
    duckdb.copy_data_to_vector_validity(vectors[C.parent_span_id], 0, parentValid.buffer, 0, Math.ceil(row / 64) * 8);
  }
  duckdb.vector_reference_value(vectors[C.project_id], PROJECT);
  duckdb.data_chunk_set_size(chunk, row);
  duckdb.append_data_chunk(appender.appender, chunk);
  duckdb.data_chunk_reset(chunk);
  rows += row;
  unflushed += row;
  row = 0;
  parentValid.fill(0xff);
  parentNulls = false;
  if (unflushed >= FLUSH_ROWS) {
    appender.flushSync();
    unflushed = 0;
  }
}
parentValid.fill(0xff);

// ---- the protobuf reader: one body, one position

let buf = new Uint8Array(0);
let pos = 0;

/** A varint of up to 32 bits (tags, lengths, uint32 and enum fields); the bits past 32 of a longer one are dropped. */
function varint() {
  let b = buf[pos++];
  if (b < 0x80) return b;
  let value = b & 0x7f;
  b = buf[pos++];
  value |= (b & 0x7f) << 7;
  if (b < 0x80) return value;
  b = buf[pos++];
  value |= (b & 0x7f) << 14;
  if (b < 0x80) return value;
  b = buf[pos++];
  value |= (b & 0x7f) << 21;
  if (b < 0x80) return value;
  b = buf[pos++];
  value = (value | ((b & 0x0f) << 28)) >>> 0;
  for (let i = 0; i < 5 && b >= 0x80; i++) b = buf[pos++];
  return value;
}

/** A signed 64-bit varint as a number (exact below 2^53; two's complement for negatives). */
function int64() {
  const start = pos;
  let value = 0;
  let scale = 1;
  let b;
  do {
    b = buf[pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  if (pos - start === 10) return Number(BigInt.asIntN(64, readBigVarint(start)));
  return value;
}

function readBigVarint(start) {
  let value = 0n;
  let shift = 0n;
  for (let i = start; i < pos; i++, shift += 7n) value |= BigInt(buf[i] & 0x7f) << shift;
  return value;
}

function fixed32() {
  const v = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24);
  pos += 4;
  return v >>> 0;
}

/** A fixed64 of nanoseconds as microseconds, exactly without BigInt (see wire.ts readMicros for the sum). */
function micros() {
  const lo = fixed32();
  const hi = fixed32();
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
function double() {
  for (let i = 0; i < 8; i++) f64Bytes[i] = buf[pos + i];
  pos += 8;
  return f64[0];
}

function skip(wireType) {
  if (wireType === 0) varint();
  else if (wireType === 1) pos += 8;
  else if (wireType === 2) {
    const length = varint(); // read before pos: `pos += varint()` adds to the old pos
    pos += length;
  } else if (wireType === 5) pos += 4;
  else throw new Error(`wire type ${wireType}`);
}

// ---- JSON as UTF-8 bytes, into one buffer reused for every value (DuckDB copies each)

let out = new Uint8Array(1 << 16);
let at = 0;

function room(bytes) {
  if (at + bytes <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, at + bytes));
  bigger.set(out.subarray(0, at));
  out = bigger;
}

const SHORT_ESCAPES = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** A JSON string of the body's bytes `[from, to)`, escaped as JSON.stringify escapes. */
function jsonString(from, to) {
  room((to - from) * 6 + 2);
  out[at++] = 34;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b >= 0x20 && b !== 34 && b !== 92) out[at++] = b;
    else if (b === 34 || b === 92) {
      out[at++] = 92;
      out[at++] = b;
    } else if (SHORT_ESCAPES[b] !== undefined) {
      out[at++] = 92;
      out[at++] = SHORT_ESCAPES[b];
    } else {
      out[at++] = 92;
      out[at++] = 117;
      out[at++] = 48;
      out[at++] = 48;
      out[at++] = HEX_DIGITS[b >> 4];
      out[at++] = HEX_DIGITS[b & 15];
    }
  }
  out[at++] = 34;
}

function ascii(text) {
  room(text.length);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
}

function hexJson(from, to) {
  room((to - from) * 2 + 2);
  out[at++] = 34;
  for (let i = from; i < to; i++) {
    out[at++] = HEX_DIGITS[buf[i] >> 4];
    out[at++] = HEX_DIGITS[buf[i] & 15];
  }
  out[at++] = 34;
}

/** An AnyValue (length-prefixed) as JSON; an empty one is null. */
function anyValue() {
  const end = varint() + pos;
  const start = at;
  let wrote = false;
  while (pos < end) {
    const tag = varint();
    at = start; // a oneof: the last field wins
    wrote = true;
    switch (tag) {
      case 10: {
        // string_value
        const length = varint();
        jsonString(pos, pos + length);
        pos += length;
        break;
      }
      case 16: // bool_value
        ascii(varint() === 0 ? 'false' : 'true');
        break;
      case 24: // int_value
        ascii(String(int64()));
        break;
      case 33: {
        // double_value
        const d = double();
        ascii(Number.isFinite(d) ? String(d) : 'null');
        break;
      }
      case 42: // array_value
        list(false);
        break;
      case 50: // kvlist_value
        list(true);
        break;
      case 58: {
        // bytes_value, as base64 text
        const length = varint();
        ascii(`"${Buffer.from(buf.buffer, buf.byteOffset + pos, length).toString('base64')}"`);
        pos += length;
        break;
      }
      default:
        skip(tag & 7);
        at = start;
        wrote = false;
    }
  }
  if (!wrote) ascii('null');
}

/** An ArrayValue (`[…]`) or a KeyValueList (`{…}`), length-prefixed. */
function list(keyed) {
  const end = varint() + pos;
  room(1);
  out[at++] = keyed ? 123 : 91;
  let first = true;
  while (pos < end) {
    const tag = varint();
    if (tag !== 10) {
      skip(tag & 7);
      continue;
    }
    if (!first) {
      room(1);
      out[at++] = 44;
    }
    first = false;
    if (keyed) keyValue();
    else anyValue();
  }
  room(1);
  out[at++] = keyed ? 125 : 93;
}

/** A KeyValue (length-prefixed) as `"key":value`. */
function keyValue() {
  const end = varint() + pos;
  let keyFrom = 0;
  let keyTo = 0;
  let valueAt = -1;
  while (pos < end) {
    const tag = varint();
    if (tag === 10) {
      const length = varint();
      keyFrom = pos;
      keyTo = pos + length;
      pos += length;
    } else if (tag === 18) {
      valueAt = pos;
      skip(2);
    } else skip(tag & 7);
  }
  jsonString(keyFrom, keyTo);
  room(1);
  out[at++] = 58;
  if (valueAt === -1) ascii('null');
  else {
    pos = valueAt;
    anyValue();
    pos = end;
  }
}

/** Repeated KeyValues (the tags at `positions`, each at its length prefix) as a JSON object. */
function attributesJson(positions, count) {
  room(1);
  out[at++] = 123;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      room(1);
      out[at++] = 44;
    }
    pos = positions[i];
    keyValue();
  }
  room(1);
  out[at++] = 125;
}

// ---- the messages

/** Positions of a message's repeated attributes, reused (a span rarely has more than a few dozen). */
let spanAttributes = new Int32Array(256);

function assign(column, from, to) {
  duckdb.vector_assign_string_element_len(vectors[column], row, buf.subarray(from, to));
}

function assignOut(column) {
  duckdb.vector_assign_string_element_len(vectors[column], row, out.subarray(0, at));
  at = 0;
}

const hexId = new Uint8Array(32);
function assignHex(column, from, to) {
  const bytes = to - from;
  for (let i = 0; i < bytes; i++) {
    hexId[2 * i] = HEX_DIGITS[buf[from + i] >> 4];
    hexId[2 * i + 1] = HEX_DIGITS[buf[from + i] & 15];
  }
  duckdb.vector_assign_string_element_len(vectors[column], row, bytes === 16 ? hexId : hexId.subarray(0, 2 * bytes));
}

const resourceText = { from: 0, to: 0, bytes: new Uint8Array(0), service: new Uint8Array(0) };

function span(end) {
  let traceFrom = 0,
    traceTo = 0,
    spanFrom = 0,
    spanTo = 0,
    parentFrom = 0,
    parentTo = 0,
    stateFrom = 0,
    stateTo = 0;
  let nameFrom = 0,
    nameTo = 0,
    messageFrom = 0,
    messageTo = 0;
  let kind = 0,
    status = 0,
    start = 0,
    stop = 0,
    spanFlags = 0,
    dropped = 0,
    droppedE = 0,
    droppedL = 0;
  let attributeCount = 0;
  let eventsFrom = -1,
    linksFrom = -1;
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case 10: {
        const n = varint();
        traceFrom = pos;
        traceTo = pos += n;
        break;
      }
      case 18: {
        const n = varint();
        spanFrom = pos;
        spanTo = pos += n;
        break;
      }
      case 26: {
        const n = varint();
        stateFrom = pos;
        stateTo = pos += n;
        break;
      }
      case 34: {
        const n = varint();
        parentFrom = pos;
        parentTo = pos += n;
        break;
      }
      case 42: {
        const n = varint();
        nameFrom = pos;
        nameTo = pos += n;
        break;
      }
      case 48:
        kind = varint();
        break;
      case 57:
        start = micros();
        break;
      case 65:
        stop = micros();
        break;
      case 74:
        if (attributeCount === spanAttributes.length) {
          const bigger = new Int32Array(attributeCount * 2);
          bigger.set(spanAttributes);
          spanAttributes = bigger;
        }
        spanAttributes[attributeCount++] = pos;
        skip(2);
        break;
      case 80:
        dropped = varint();
        break;
      case 90:
        if (eventsFrom === -1) eventsFrom = pos - 1;
        skip(2);
        break;
      case 96:
        droppedE = varint();
        break;
      case 106:
        if (linksFrom === -1) linksFrom = pos - 1;
        skip(2);
        break;
      case 112:
        droppedL = varint();
        break;
      case 122: {
        const statusEnd = varint() + pos;
        while (pos < statusEnd) {
          const t = varint();
          if (t === 18) {
            const n = varint();
            messageFrom = pos;
            messageTo = pos += n;
          } else if (t === 24) status = varint();
          else skip(t & 7);
        }
        break;
      }
      case 133:
        spanFlags = fixed32();
        break; // field 16, fixed32: a two-byte tag
      default:
        skip(tag & 7);
    }
  }
  if (traceTo - traceFrom !== 16 || spanTo - spanFrom !== 8) return; // invalid ids: not stored
  assignHex(C.trace_id, traceFrom, traceTo);
  assignHex(C.span_id, spanFrom, spanTo);
  if (parentTo === parentFrom) {
    parentValid[row >> 3] &= ~(1 << (row & 7));
    parentNulls = true;
  } else assignHex(C.parent_span_id, parentFrom, parentTo);
  assign(C.trace_state, stateFrom, stateTo);
  assign(C.name, nameFrom, nameTo);
  assign(C.status_message, messageFrom, messageTo);
  duckdb.vector_assign_string_element_len(vectors[C.service_name], row, resourceText.service);
  duckdb.vector_assign_string_element_len(vectors[C.resource], row, resourceText.bytes);
  attributesJson(spanAttributes, attributeCount);
  assignOut(C.attributes);
  if (eventsFrom === -1) ascii('[]');
  else repeated(eventsFrom, end, 90, event);
  assignOut(C.events);
  if (linksFrom === -1) ascii('[]');
  else repeated(linksFrom, end, 106, link);
  assignOut(C.links);
  pos = end;
  flags[row] = spanFlags;
  kinds[row] = kind;
  statusCodes[row] = status;
  droppedAttributes[row] = dropped;
  droppedEvents[row] = droppedE;
  droppedLinks[row] = droppedL;
  setInt64(startUs, row, start);
  setInt64(endUs, row, stop);
  setInt64(durationUs, row, Math.max(0, stop - start));
  if (++row === CHUNK_ROWS) appendChunk();
}

/** The span's fields with `tag` from `from` (a tag's position) to `end`, as a JSON array of `write`'s. */
function repeated(from, end, wanted, write) {
  pos = from;
  room(1);
  out[at++] = 91;
  let first = true;
  while (pos < end) {
    const tag = varint();
    if (tag !== wanted) {
      skip(tag & 7);
      continue;
    }
    if (!first) {
      room(1);
      out[at++] = 44;
    }
    first = false;
    write(varint() + pos);
  }
  room(1);
  out[at++] = 93;
}

const eventAttributes = new Int32Array(4096);

function event(end) {
  let time = 0,
    nameFrom = 0,
    nameTo = 0,
    dropped = 0,
    count = 0;
  while (pos < end) {
    const tag = varint();
    if (tag === 9) time = micros();
    else if (tag === 18) {
      const n = varint();
      nameFrom = pos;
      nameTo = pos += n;
    } else if (tag === 26 && count < eventAttributes.length) {
      eventAttributes[count++] = pos;
      skip(2);
    } else if (tag === 32) dropped = varint();
    else skip(tag & 7);
  }
  ascii(`{"timeUs":${time},"name":`);
  jsonString(nameFrom, nameTo);
  ascii(',"attributes":');
  attributesJson(eventAttributes, count);
  ascii(`,"droppedAttributesCount":${dropped}}`);
  pos = end;
}

function link(end) {
  let traceFrom = 0,
    traceTo = 0,
    spanFrom = 0,
    spanTo = 0,
    stateFrom = 0,
    stateTo = 0,
    dropped = 0,
    linkFlags = 0,
    count = 0;
  while (pos < end) {
    const tag = varint();
    if (tag === 10) {
      const n = varint();
      traceFrom = pos;
      traceTo = pos += n;
    } else if (tag === 18) {
      const n = varint();
      spanFrom = pos;
      spanTo = pos += n;
    } else if (tag === 26) {
      const n = varint();
      stateFrom = pos;
      stateTo = pos += n;
    } else if (tag === 34 && count < eventAttributes.length) {
      eventAttributes[count++] = pos;
      skip(2);
    } else if (tag === 40) dropped = varint();
    else if (tag === 53) linkFlags = fixed32();
    else skip(tag & 7);
  }
  ascii('{"traceId":');
  hexJson(traceFrom, traceTo);
  ascii(',"spanId":');
  hexJson(spanFrom, spanTo);
  ascii(',"traceState":');
  jsonString(stateFrom, stateTo);
  ascii(',"attributes":');
  attributesJson(eventAttributes, count);
  ascii(`,"droppedAttributesCount":${dropped},"flags":${linkFlags}}`);
  pos = end;
}

const resourceAttributes = new Int32Array(4096);

/** A Resource: its attributes as JSON bytes, and `service.name` (or `unknown_service`). */
function resource(end) {
  let count = 0;
  let serviceFrom = -1;
  let serviceTo = -1;
  while (pos < end) {
    const tag = varint();
    if (tag === 10 && count < resourceAttributes.length) {
      resourceAttributes[count++] = pos;
      // `service.name`, read on the way: the key, then a string value.
      const kvEnd = varint() + pos;
      let isService = false;
      let valueFrom = -1;
      let valueTo = -1;
      while (pos < kvEnd) {
        const t = varint();
        if (t === 10) {
          const n = varint();
          isService = n === SERVICE_NAME.length && SERVICE_NAME.every((c, i) => buf[pos + i] === c);
          pos += n;
        } else if (t === 18) {
          const valueEnd = varint() + pos;
          while (pos < valueEnd) {
            const vt = varint();
            if (vt === 10) {
              const n = varint();
              valueFrom = pos;
              valueTo = pos += n;
            } else {
              skip(vt & 7);
              valueFrom = -1;
            }
          }
        } else skip(t & 7);
      }
      if (isService && valueFrom !== -1 && valueTo > valueFrom) {
        serviceFrom = valueFrom;
        serviceTo = valueTo;
      }
    } else skip(tag & 7);
  }
  attributesJson(resourceAttributes, count);
  resourceText.bytes = out.slice(0, at);
  at = 0;
  resourceText.service = serviceFrom === -1 ? UNKNOWN_SERVICE : buf.slice(serviceFrom, serviceTo);
  pos = end;
}
const UNKNOWN_SERVICE = Uint8Array.from('unknown_service', (c) => c.charCodeAt(0));
const SERVICE_NAME = Uint8Array.from('service.name', (c) => c.charCodeAt(0));
const EMPTY_OBJECT = Uint8Array.from('{}', (c) => c.charCodeAt(0));

/** ResourceSpans: the resource is read first (it may follow its spans on the wire), then the spans. */
function resourceSpans(end) {
  const start = pos;
  resourceText.bytes = EMPTY_OBJECT;
  resourceText.service = UNKNOWN_SERVICE;
  while (pos < end) {
    const tag = varint();
    if (tag === 10) resource(varint() + pos);
    else skip(tag & 7);
  }
  pos = start;
  while (pos < end) {
    const tag = varint();
    if (tag !== 18) {
      skip(tag & 7);
      continue;
    }
    const scopeEnd = varint() + pos;
    while (pos < scopeEnd) {
      const t = varint();
      if (t === 18) span(varint() + pos);
      else skip(t & 7);
    }
  }
}

function decodeAndAppend(body) {
  buf = body;
  pos = 0;
  while (pos < buf.length) {
    const tag = varint();
    if (tag === 10) {
      const end = varint() + pos;
      resourceSpans(end);
      pos = end;
    } else skip(tag & 7);
  }
  appendChunk();
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/flush') {
    appender.closeSync();
    void db.createAppender('spans').then((next) => {
      appender = next;
      unflushed = 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rows }));
    });
    return;
  }
  const chunks = [];
  req.on('data', (piece) => chunks.push(piece));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      decodeAndAppend(new Uint8Array(body.buffer, body.byteOffset, body.length));
    } catch (error) {
      // A body it cannot read: the rows of its partial chunk are dropped with it.
      duckdb.data_chunk_reset(chunk);
      row = 0;
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(error));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
