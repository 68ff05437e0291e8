// @ts-check
// The OTLP/JSON request bodies of big-trace.mjs's spans, as an SDK's exporter would send them.

/**
 * @typedef {string | number | boolean | string[]} AttrValue
 * Integers go out as OTLP `intValue`, other numbers as `doubleValue`.
 */

/**
 * @typedef {object} SpanDraft
 * @property {string} spanId
 * @property {string} parentSpanId
 * @property {string} name
 * @property {number} kind OTLP enum: 1 internal, 2 server, 3 client.
 * @property {string} service
 * @property {number} depth 1 for the root.
 * @property {number} startMs Relative to the root's start.
 * @property {number} endMs
 * @property {Record<string, AttrValue>} attributes
 * @property {{ type: string, message: string, stack: string, atMs: number } | null} error
 */

/** @param {AttrValue} value */
function anyValue(value) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
}

/** @param {Record<string, AttrValue>} attributes */
const keyValues = (attributes) => Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

/** Epoch-ms (fractional) as OTLP's decimal-string nanoseconds. */
const nanos = (/** @type {number} */ ms) => `${Math.round(ms * 1000)}000`;

/**
 * @param {string} traceId
 * @param {SpanDraft} span
 * @param {number} startMs
 */
function spanJson(traceId, span, startMs) {
  const end = startMs + span.endMs;
  return JSON.stringify({
    traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanos(startMs + span.startMs),
    endTimeUnixNano: nanos(end),
    attributes: keyValues(span.attributes),
    events:
      span.error === null
        ? []
        : [
            {
              timeUnixNano: nanos(end),
              name: 'exception',
              attributes: keyValues({ 'exception.type': span.error.type, 'exception.message': span.error.message, 'exception.stacktrace': span.error.stack }),
            },
          ],
    status: span.error === null ? { code: 0 } : { code: 2, message: span.error.message },
  });
}

/**
 * Splits the spans into requests under `maxBytes`, each with one resource group per service.
 * @param {string} traceId
 * @param {SpanDraft[]} spans
 * @param {number} startMs
 * @param {number} maxBytes
 * @param {{ name: string, version: string, host: string }[]} services
 */
export function requestBodies(traceId, spans, startMs, maxBytes, services) {
  /** @type {Map<string, string>} service name -> the JSON before its spans */
  const heads = new Map(
    services.map((s) => [
      s.name,
      `{"resource":${JSON.stringify({
        attributes: keyValues({
          'service.name': s.name,
          'service.version': s.version,
          'deployment.environment.name': 'bench',
          'host.name': s.host,
          'telemetry.sdk.language': 'nodejs',
        }),
      })},"scopeSpans":[{"scope":{"name":"spoor-bench","version":"1.0.0"},"spans":[`,
    ]),
  );
  const frame = '{"resourceSpans":[]}'.length + [...heads.values()].reduce((n, h) => n + h.length + ']}]},'.length, 0);
  /** @type {string[]} */
  const bodies = [];
  /** @type {Map<string, string[]>} */
  let groups = new Map();
  let size = frame;
  const flush = () => {
    const parts = [...groups].map(([service, list]) => `${heads.get(service)}${list.join(',')}]}]}`);
    bodies.push(`{"resourceSpans":[${parts.join(',')}]}`);
    groups = new Map();
    size = frame;
  };
  for (const span of spans) {
    const json = spanJson(traceId, span, startMs);
    const bytes = Buffer.byteLength(json);
    if (size + bytes + 1 > maxBytes && groups.size > 0) flush();
    if (frame + bytes + 1 > maxBytes) throw new Error(`one span needs ${bytes} bytes, more than maxRequestBytes ${maxBytes}`);
    const list = groups.get(span.service) ?? [];
    list.push(json);
    groups.set(span.service, list);
    size += bytes + 1;
  }
  if (groups.size > 0) flush();
  return bodies;
}
