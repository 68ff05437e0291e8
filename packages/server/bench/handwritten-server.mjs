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
// Its DuckDB side is handwritten-chunk.mjs; its protobuf reader and JSON writing, handwritten-wire.mjs.
// Usage: node handwritten-server.mjs DATA_DIR; GET /flush closes the appender (making every span
// readable) and answers the row count.
import http from 'node:http';
import duckdb from '@duckdb/node-bindings';
import {
  C, appendChunk, dropChunk, droppedAttributes, droppedEvents, droppedLinks, durationUs, endUs, flags, flushAppender, kinds, nextRow, parentIsNull, row,
  setInt64, startUs, statusCodes, vectors,
} from './handwritten-chunk.mjs';
import {
  HEX_DIGITS, advance, ascii, at, attributesJson, buf, fixed32, hexJson, jsonString, micros, out, pos, repeated, resetOut, seek, setBody,
  skip, varint,
} from './handwritten-wire.mjs';

// ---- the messages

/** Positions of a message's repeated attributes, reused (a span rarely has more than a few dozen). */
let spanAttributes = new Int32Array(256);

function assign(column, from, to) {
  duckdb.vector_assign_string_element_len(vectors[column], row, buf.subarray(from, to));
}

function assignOut(column) {
  duckdb.vector_assign_string_element_len(vectors[column], row, out.subarray(0, at));
  resetOut();
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
  let traceFrom = 0, traceTo = 0, spanFrom = 0, spanTo = 0, parentFrom = 0, parentTo = 0, stateFrom = 0, stateTo = 0;
  let nameFrom = 0, nameTo = 0, messageFrom = 0, messageTo = 0;
  let kind = 0, status = 0, start = 0, stop = 0, spanFlags = 0, dropped = 0, droppedE = 0, droppedL = 0;
  let attributeCount = 0;
  let eventsFrom = -1, linksFrom = -1;
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case 10: { const n = varint(); traceFrom = pos; traceTo = advance(n); break; }
      case 18: { const n = varint(); spanFrom = pos; spanTo = advance(n); break; }
      case 26: { const n = varint(); stateFrom = pos; stateTo = advance(n); break; }
      case 34: { const n = varint(); parentFrom = pos; parentTo = advance(n); break; }
      case 42: { const n = varint(); nameFrom = pos; nameTo = advance(n); break; }
      case 48: kind = varint(); break;
      case 57: start = micros(); break;
      case 65: stop = micros(); break;
      case 74:
        if (attributeCount === spanAttributes.length) {
          const bigger = new Int32Array(attributeCount * 2);
          bigger.set(spanAttributes);
          spanAttributes = bigger;
        }
        spanAttributes[attributeCount++] = pos;
        skip(2);
        break;
      case 80: dropped = varint(); break;
      case 90: if (eventsFrom === -1) eventsFrom = pos - 1; skip(2); break;
      case 96: droppedE = varint(); break;
      case 106: if (linksFrom === -1) linksFrom = pos - 1; skip(2); break;
      case 112: droppedL = varint(); break;
      case 122: {
        const statusEnd = varint() + pos;
        while (pos < statusEnd) {
          const t = varint();
          if (t === 18) { const n = varint(); messageFrom = pos; messageTo = advance(n); }
          else if (t === 24) status = varint();
          else skip(t & 7);
        }
        break;
      }
      case 133: spanFlags = fixed32(); break; // field 16, fixed32: a two-byte tag
      default: skip(tag & 7);
    }
  }
  if (traceTo - traceFrom !== 16 || spanTo - spanFrom !== 8) return; // invalid ids: not stored
  assignHex(C.trace_id, traceFrom, traceTo);
  assignHex(C.span_id, spanFrom, spanTo);
  if (parentTo === parentFrom) {
    parentIsNull();
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
  seek(end);
  flags[row] = spanFlags;
  kinds[row] = kind;
  statusCodes[row] = status;
  droppedAttributes[row] = dropped;
  droppedEvents[row] = droppedE;
  droppedLinks[row] = droppedL;
  setInt64(startUs, row, start);
  setInt64(endUs, row, stop);
  setInt64(durationUs, row, Math.max(0, stop - start));
  nextRow();
}


const eventAttributes = new Int32Array(4096);

function event(end) {
  let time = 0, nameFrom = 0, nameTo = 0, dropped = 0, count = 0;
  while (pos < end) {
    const tag = varint();
    if (tag === 9) time = micros();
    else if (tag === 18) { const n = varint(); nameFrom = pos; nameTo = advance(n); }
    else if (tag === 26 && count < eventAttributes.length) { eventAttributes[count++] = pos; skip(2); }
    else if (tag === 32) dropped = varint();
    else skip(tag & 7);
  }
  ascii(`{"timeUs":${time},"name":`);
  jsonString(nameFrom, nameTo);
  ascii(',"attributes":');
  attributesJson(eventAttributes, count);
  ascii(`,"droppedAttributesCount":${dropped}}`);
  seek(end);
}

function link(end) {
  let traceFrom = 0, traceTo = 0, spanFrom = 0, spanTo = 0, stateFrom = 0, stateTo = 0, dropped = 0, linkFlags = 0, count = 0;
  while (pos < end) {
    const tag = varint();
    if (tag === 10) { const n = varint(); traceFrom = pos; traceTo = advance(n); }
    else if (tag === 18) { const n = varint(); spanFrom = pos; spanTo = advance(n); }
    else if (tag === 26) { const n = varint(); stateFrom = pos; stateTo = advance(n); }
    else if (tag === 34 && count < eventAttributes.length) { eventAttributes[count++] = pos; skip(2); }
    else if (tag === 40) dropped = varint();
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
  seek(end);
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
          advance(n);
        } else if (t === 18) {
          const valueEnd = varint() + pos;
          while (pos < valueEnd) {
            const vt = varint();
            if (vt === 10) {
              const n = varint();
              valueFrom = pos;
              valueTo = advance(n);
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
  resetOut();
  resourceText.service = serviceFrom === -1 ? UNKNOWN_SERVICE : buf.slice(serviceFrom, serviceTo);
  seek(end);
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
  seek(start);
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
  setBody(body);
  while (pos < buf.length) {
    const tag = varint();
    if (tag === 10) {
      const end = varint() + pos;
      resourceSpans(end);
      seek(end);
    } else skip(tag & 7);
  }
  appendChunk();
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/flush') {
    void flushAppender().then((rows) => {
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
      dropChunk();
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
