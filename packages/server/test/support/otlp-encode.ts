import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/**
 * A small OTLP protobuf encoder for tests and benchmarks. It takes plain objects and writes
 * `Export{Trace,Logs,Metrics}ServiceRequest` bytes with the field numbers of opentelemetry-proto.
 * Like proto3 encoders, it leaves zero scalars off the wire; `oneof` and `optional` fields are
 * written whenever they are set.
 */

/** An AnyValue: integral numbers and bigints become `int_value`, other numbers (or `double()`) `double_value`. */
export type ValueInput = string | boolean | number | bigint | Uint8Array | Double | ValueInput[] | { [key: string]: ValueInput } | null;
export type AttributesInput = Record<string, ValueInput>;
/** Unix nanoseconds; use a bigint past 2^53. */
export type Nanos = bigint | number;

export class Double {
  constructor(readonly value: number) {}
}
/** Forces `double_value` for an integral number. */
export const double = (value: number): Double => new Double(value);

export interface ResourceInput {
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
}
export interface ScopeInput {
  name?: string;
  version?: string;
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
}

/** One `Resource{Spans,Logs,Metrics}` with its scopes; `items` are spans, log records or metrics. */
export interface ResourceGroup<T> {
  resource?: ResourceInput;
  schemaUrl?: string;
  /** Writes the resource after its scopes, which the protobuf wire allows. */
  resourceLast?: boolean;
  scopes: Array<{ scope?: ScopeInput; schemaUrl?: string; items: T[] }>;
}

/** Bytes appended to a span, log record or metric as they are, to test unknown or malformed fields. */
interface Extra {
  extra?: Uint8Array;
}

export interface EventInput {
  timeUnixNano?: Nanos;
  name?: string;
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
}
export interface LinkInput {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
  flags?: number;
}
export interface SpanInput extends Extra {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Nanos;
  endTimeUnixNano?: Nanos;
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
  events?: EventInput[];
  droppedEventsCount?: number;
  links?: LinkInput[];
  droppedLinksCount?: number;
  status?: { code?: number; message?: string };
  flags?: number;
}

export interface LogInput extends Extra {
  timeUnixNano?: Nanos;
  observedTimeUnixNano?: Nanos;
  severityNumber?: number;
  severityText?: string;
  body?: ValueInput;
  attributes?: AttributesInput;
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

export interface ExemplarInput {
  timeUnixNano?: Nanos;
  asDouble?: number;
  asInt?: bigint | number;
  traceId?: string;
  spanId?: string;
  filteredAttributes?: AttributesInput;
}
interface PointBase {
  attributes?: AttributesInput;
  startTimeUnixNano?: Nanos;
  timeUnixNano?: Nanos;
  flags?: number;
}
export interface NumberPointInput extends PointBase {
  asDouble?: number;
  asInt?: bigint | number;
  exemplars?: ExemplarInput[];
}
/** A uint64 count; use a bigint past 2^53. */
export type CountInput = number | bigint;
export interface HistogramPointInput extends PointBase {
  count?: CountInput;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: CountInput[];
  explicitBounds?: number[];
  exemplars?: ExemplarInput[];
  /** Repeated scalars packed into one field (the proto3 default) or one field per value. Default true. */
  packed?: boolean;
}
export interface BucketsInput {
  offset?: number;
  bucketCounts?: CountInput[];
}
export interface ExpHistogramPointInput extends PointBase {
  count?: CountInput;
  sum?: number;
  min?: number;
  max?: number;
  scale?: number;
  zeroCount?: CountInput;
  zeroThreshold?: number;
  positive?: BucketsInput;
  negative?: BucketsInput;
  exemplars?: ExemplarInput[];
  packed?: boolean;
}
export interface SummaryPointInput extends PointBase {
  count?: CountInput;
  sum?: number;
  quantiles?: Array<{ quantile: number; value: number }>;
}

export type MetricData =
  | { type: 'gauge'; points: NumberPointInput[] }
  | { type: 'sum'; temporality?: number; monotonic?: boolean; points: NumberPointInput[] }
  | { type: 'histogram'; temporality?: number; points: HistogramPointInput[] }
  | { type: 'exponential_histogram'; temporality?: number; points: ExpHistogramPointInput[] }
  | { type: 'summary'; points: SummaryPointInput[] };
export interface MetricInput extends Extra {
  name?: string;
  description?: string;
  unit?: string;
  data?: MetricData;
}

const { Varint, Bit64, LengthDelimited: Len, Bit32 } = WireType;

/** Builds bytes with a writer: `bytesOf((w) => w.tag(5, WireType.Varint).int32(1))`. */
export function bytesOf(write: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter();
  write(w);
  return w.finish();
}

function message(w: BinaryWriter, field: number, write: () => void): void {
  w.tag(field, Len).fork();
  write();
  w.join();
}
function str(w: BinaryWriter, field: number, value: string | undefined): void {
  if (value) w.tag(field, Len).string(value);
}
function id(w: BinaryWriter, field: number, hex: string | undefined): void {
  if (hex) w.tag(field, Len).bytes(Buffer.from(hex, 'hex'));
}
function uint(w: BinaryWriter, field: number, value: number | undefined): void {
  if (value) w.tag(field, Varint).uint32(value);
}
function fixed32(w: BinaryWriter, field: number, value: number | undefined): void {
  if (value) w.tag(field, Bit32).fixed32(value);
}
function fixed64(w: BinaryWriter, field: number, value: Nanos | undefined): void {
  if (value) w.tag(field, Bit64).fixed64(value);
}
function optionalDouble(w: BinaryWriter, field: number, value: number | undefined): void {
  if (value !== undefined) w.tag(field, Bit64).double(value);
}

function anyValue(w: BinaryWriter, value: ValueInput): void {
  if (value === null) return; // an empty AnyValue
  if (typeof value === 'string') w.tag(1, Len).string(value);
  else if (typeof value === 'boolean') w.tag(2, Varint).bool(value);
  else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) w.tag(3, Varint).int64(value);
  else if (typeof value === 'number') w.tag(4, Bit64).double(value);
  else if (value instanceof Double) w.tag(4, Bit64).double(value.value);
  else if (value instanceof Uint8Array) w.tag(7, Len).bytes(value);
  else if (Array.isArray(value)) message(w, 5, () => value.forEach((item) => message(w, 1, () => anyValue(w, item))));
  else message(w, 6, () => attributes(w, 1, value));
}

function attributes(w: BinaryWriter, field: number, attrs: AttributesInput | undefined): void {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    message(w, field, () => {
      w.tag(1, Len).string(key);
      message(w, 2, () => anyValue(w, value));
    });
  }
}

function request<T>(groups: Array<ResourceGroup<T>>, writeItem: (w: BinaryWriter, item: T) => void): Uint8Array {
  const w = new BinaryWriter();
  for (const group of groups) {
    message(w, 1, () => {
      const resource = (): void => {
        const r = group.resource;
        if (r === undefined) return;
        message(w, 1, () => {
          attributes(w, 1, r.attributes);
          uint(w, 2, r.droppedAttributesCount);
        });
      };
      if (!group.resourceLast) resource();
      for (const { scope, schemaUrl, items } of group.scopes) {
        message(w, 2, () => {
          if (scope !== undefined) {
            message(w, 1, () => {
              str(w, 1, scope.name);
              str(w, 2, scope.version);
              attributes(w, 3, scope.attributes);
              uint(w, 4, scope.droppedAttributesCount);
            });
          }
          for (const item of items) message(w, 2, () => writeItem(w, item));
          str(w, 3, schemaUrl);
        });
      }
      if (group.resourceLast) resource();
      str(w, 3, group.schemaUrl);
    });
  }
  return w.finish();
}

export function encodeTraces(groups: Array<ResourceGroup<SpanInput>>): Uint8Array {
  return request(groups, (w, s) => {
    id(w, 1, s.traceId);
    id(w, 2, s.spanId);
    str(w, 3, s.traceState);
    id(w, 4, s.parentSpanId);
    str(w, 5, s.name);
    uint(w, 6, s.kind);
    fixed64(w, 7, s.startTimeUnixNano);
    fixed64(w, 8, s.endTimeUnixNano);
    attributes(w, 9, s.attributes);
    uint(w, 10, s.droppedAttributesCount);
    for (const e of s.events ?? []) {
      message(w, 11, () => {
        fixed64(w, 1, e.timeUnixNano);
        str(w, 2, e.name);
        attributes(w, 3, e.attributes);
        uint(w, 4, e.droppedAttributesCount);
      });
    }
    uint(w, 12, s.droppedEventsCount);
    for (const l of s.links ?? []) {
      message(w, 13, () => {
        id(w, 1, l.traceId);
        id(w, 2, l.spanId);
        str(w, 3, l.traceState);
        attributes(w, 4, l.attributes);
        uint(w, 5, l.droppedAttributesCount);
        fixed32(w, 6, l.flags);
      });
    }
    uint(w, 14, s.droppedLinksCount);
    const status = s.status;
    if (status !== undefined) {
      message(w, 15, () => {
        str(w, 2, status.message);
        uint(w, 3, status.code);
      });
    }
    fixed32(w, 16, s.flags);
    if (s.extra) w.raw(s.extra);
  });
}

export function encodeLogs(groups: Array<ResourceGroup<LogInput>>): Uint8Array {
  return request(groups, (w, l) => {
    fixed64(w, 1, l.timeUnixNano);
    uint(w, 2, l.severityNumber);
    str(w, 3, l.severityText);
    if (l.body !== undefined) message(w, 5, () => anyValue(w, l.body ?? null));
    attributes(w, 6, l.attributes);
    uint(w, 7, l.droppedAttributesCount);
    fixed32(w, 8, l.flags);
    id(w, 9, l.traceId);
    id(w, 10, l.spanId);
    fixed64(w, 11, l.observedTimeUnixNano);
    str(w, 12, l.eventName);
    if (l.extra) w.raw(l.extra);
  });
}

const DATA_FIELD = { gauge: 5, sum: 7, histogram: 9, exponential_histogram: 10, summary: 11 } as const;

export function encodeMetrics(groups: Array<ResourceGroup<MetricInput>>): Uint8Array {
  return request(groups, (w, m) => {
    str(w, 1, m.name);
    str(w, 2, m.description);
    str(w, 3, m.unit);
    const data = m.data;
    if (data !== undefined) message(w, DATA_FIELD[data.type], () => writeData(w, data));
    if (m.extra) w.raw(m.extra);
  });
}

function writeData(w: BinaryWriter, data: MetricData): void {
  for (const p of data.points) {
    message(w, 1, () => {
      fixed64(w, 2, p.startTimeUnixNano);
      fixed64(w, 3, p.timeUnixNano);
      if (data.type === 'gauge' || data.type === 'sum') numberPoint(w, p as NumberPointInput);
      else if (data.type === 'histogram') histogramPoint(w, p as HistogramPointInput);
      else if (data.type === 'exponential_histogram') expHistogramPoint(w, p as ExpHistogramPointInput);
      else summaryPoint(w, p as SummaryPointInput);
    });
  }
  if (data.type !== 'gauge' && data.type !== 'summary') uint(w, 2, data.temporality);
  if (data.type === 'sum' && data.monotonic) w.tag(3, Varint).bool(true);
}

function numberPoint(w: BinaryWriter, p: NumberPointInput): void {
  optionalDouble(w, 4, p.asDouble);
  exemplars(w, 5, p.exemplars);
  if (p.asInt !== undefined) w.tag(6, Bit64).sfixed64(p.asInt);
  attributes(w, 7, p.attributes);
  uint(w, 8, p.flags);
}

function histogramPoint(w: BinaryWriter, p: HistogramPointInput): void {
  fixed64(w, 4, p.count);
  optionalDouble(w, 5, p.sum);
  repeated(w, 6, Bit64, p.bucketCounts, p.packed, (v) => w.fixed64(v));
  repeated(w, 7, Bit64, p.explicitBounds, p.packed, (v) => w.double(v));
  exemplars(w, 8, p.exemplars);
  attributes(w, 9, p.attributes);
  uint(w, 10, p.flags);
  optionalDouble(w, 11, p.min);
  optionalDouble(w, 12, p.max);
}

function expHistogramPoint(w: BinaryWriter, p: ExpHistogramPointInput): void {
  attributes(w, 1, p.attributes);
  fixed64(w, 4, p.count);
  optionalDouble(w, 5, p.sum);
  if (p.scale) w.tag(6, Varint).sint32(p.scale);
  fixed64(w, 7, p.zeroCount);
  for (const [field, buckets] of [
    [8, p.positive],
    [9, p.negative],
  ] as const) {
    if (buckets === undefined) continue;
    message(w, field, () => {
      if (buckets.offset) w.tag(1, Varint).sint32(buckets.offset);
      repeated(w, 2, Varint, buckets.bucketCounts, p.packed, (v) => w.uint64(v));
    });
  }
  uint(w, 10, p.flags);
  exemplars(w, 11, p.exemplars);
  optionalDouble(w, 12, p.min);
  optionalDouble(w, 13, p.max);
  if (p.zeroThreshold) w.tag(14, Bit64).double(p.zeroThreshold);
}

function summaryPoint(w: BinaryWriter, p: SummaryPointInput): void {
  fixed64(w, 4, p.count);
  if (p.sum) w.tag(5, Bit64).double(p.sum);
  for (const q of p.quantiles ?? []) {
    message(w, 6, () => {
      if (q.quantile) w.tag(1, Bit64).double(q.quantile);
      if (q.value) w.tag(2, Bit64).double(q.value);
    });
  }
  attributes(w, 7, p.attributes);
  uint(w, 8, p.flags);
}

function repeated<V extends number | bigint>(
  w: BinaryWriter,
  field: number,
  wireType: WireType,
  values: V[] | undefined,
  packed: boolean | undefined,
  write: (v: V) => void,
): void {
  if (values === undefined || values.length === 0) return;
  if (packed !== false) {
    w.tag(field, Len).fork();
    values.forEach(write);
    w.join();
  } else {
    for (const v of values) {
      w.tag(field, wireType);
      write(v);
    }
  }
}

function exemplars(w: BinaryWriter, field: number, list: ExemplarInput[] | undefined): void {
  for (const e of list ?? []) {
    message(w, field, () => {
      fixed64(w, 2, e.timeUnixNano);
      optionalDouble(w, 3, e.asDouble);
      id(w, 4, e.spanId);
      id(w, 5, e.traceId);
      if (e.asInt !== undefined) w.tag(6, Bit64).sfixed64(e.asInt);
      attributes(w, 7, e.filteredAttributes);
    });
  }
}

export interface SpanBatchOptions {
  traces: number;
  spansPerTrace: number;
  /** Services the traces are spread over. Default 3. */
  services?: number;
  /** Start of the first trace, unix nanoseconds. Default 2025-11-21T10:00:00Z. */
  startTimeUnixNano?: bigint;
  /** Makes ids differ between batches. Default 0. */
  seed?: number;
}

const hex = (n: number, bytes: number): string =>
  n
    .toString(16)
    .padStart(bytes * 2, '0')
    .slice(-bytes * 2);

/**
 * `traces` traces of `spansPerTrace` spans: an HTTP server root, LLM client calls under it with
 * `gen_ai.*` attributes and an event, one resource per service. Ids are deterministic.
 */
export function spanBatch(options: SpanBatchOptions): Array<ResourceGroup<SpanInput>> {
  const { traces, spansPerTrace, services = 3, startTimeUnixNano = 1_763_719_200_000_000_000n, seed = 0 } = options;
  const groups = Array.from(
    { length: Math.min(services, traces) },
    (_, s): ResourceGroup<SpanInput> => ({
      resource: { attributes: { 'service.name': `service-${s}`, 'host.name': `host-${s}`, 'telemetry.sdk.language': 'nodejs' } },
      scopes: [{ scope: { name: '@spoor/bench', version: '1.0.0' }, items: [] }],
    }),
  );
  for (let t = 0; t < traces; t++) {
    const traceId = hex(seed, 8) + hex(t + 1, 8);
    const traceStart = startTimeUnixNano + BigInt(t) * 1_000_000_000n;
    const items = groups[t % groups.length]!.scopes[0]!.items;
    for (let i = 0; i < spansPerTrace; i++) {
      const start = traceStart + BigInt(i) * 1_000_000n;
      const llm = i > 0;
      items.push({
        traceId,
        spanId: hex(t + 1, 4) + hex(i + 1, 4),
        parentSpanId: i === 0 ? undefined : hex(t + 1, 4) + hex(1, 4),
        name: llm ? 'chat gpt-4o-mini' : 'POST /api/answer',
        kind: llm ? 3 : 2,
        startTimeUnixNano: start,
        endTimeUnixNano: start + (llm ? 850_000_000n : BigInt(spansPerTrace) * 1_000_000n + 900_000_000n),
        attributes: llm
          ? { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 120 + i, 'gen_ai.usage.output_tokens': 48 }
          : { 'http.request.method': 'POST', 'http.route': '/api/answer', 'http.response.status_code': 200 },
        events: llm ? [{ timeUnixNano: start + 300_000_000n, name: 'gen_ai.content.completion', attributes: { 'gen_ai.completion': 'ok' } }] : [],
        status: { code: 1 },
        flags: 1,
      });
    }
  }
  return groups;
}

/** `spanBatch` encoded as an `ExportTraceServiceRequest`. */
export function encodeSpanBatch(options: SpanBatchOptions): Uint8Array {
  return encodeTraces(spanBatch(options));
}
