import { context, INVALID_TRACEID, trace, type HrTime } from '@opentelemetry/api';
import { SeverityNumber, type LogAttributes } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import { pino } from 'pino';
import type { LogDestination } from '../config.js';
import { runtime, SDK_NAME, SDK_VERSION } from '../runtime.js';
import type { LogBatch } from './log-batch.js';
import { prettyLine } from './pretty.js';
import { isSerializedError } from './serialize-error.js';

// pino hands a stream that sets this symbol the raw level, fields and message of each line
// (the mechanism behind pino.multistream), so the OTLP bridge needs no JSON parsing.
const NEEDS_METADATA = Symbol.for('pino.metadata');

/**
 * The one stream every Spoor logger writes to. It forwards the JSON line (or a pretty rendering
 * of it) to the current destination and, after `init()`, emits the same record as an OTLP log.
 */
export class LogSink {
  readonly [NEEDS_METADATA] = true;
  lastLevel = 0;
  lastObj: Record<string, unknown> = {};
  lastMsg: string | undefined = undefined;
  lastTime = '';
  lastLogger: { bindings(): Record<string, unknown> } | undefined = undefined;

  private destination: LogDestination = pino.destination(1);
  private pretty = false;

  /** Points the sink at a destination; `undefined` means standard output. */
  configure(destination: LogDestination | undefined, pretty: boolean): void {
    this.destination = destination ?? pino.destination(1);
    this.pretty = pretty;
  }

  write(line: string): void {
    this.destination.write(this.pretty ? prettyLine(this.lastLevel, this.lastTime, { ...bindingsOf(this.lastLogger), ...this.lastObj }, this.lastMsg) : line);
    const logs = runtime.logs;
    if (logs !== undefined || runtime.appLogger !== undefined) this.export(logs?.batch, logs?.resource);
  }

  /** Flushes a buffered destination (pino's sonic-boom) before the process exits. */
  flush(): void {
    (this.destination as { flushSync?: () => void }).flushSync?.();
  }

  // Not named `emit`: pino calls a stream's emit() as an EventEmitter method.
  private export(batch: LogBatch | undefined, resource: Resource | undefined): void {
    const bindings = bindingsOf(this.lastLogger);
    const attributes: LogAttributes = bindings === NO_BINDINGS ? {} : { ...(bindings as LogAttributes) };
    const fields = this.lastObj;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined || OMITTED.has(key)) continue;
      if (key === 'correlation_id') attributes['correlation.id'] = value as string;
      else if (key === 'err' && isSerializedError(value)) {
        attributes['exception.type'] = value.type;
        attributes['exception.message'] = value.message;
        if (value.stack !== undefined) attributes['exception.stacktrace'] = value.stack;
      } else attributes[key] = typeof value === 'object' && value !== null ? logValue(value, 0, new WeakSet()) : (value as LogAttributes[string]);
    }
    const level = LEVELS[this.lastLevel];
    const now = Date.now();
    const time: HrTime = [Math.floor(now / 1000), (now % 1000) * 1_000_000];
    const active = context.active();
    const spanContext = trace.getSpanContext(active);
    const severityNumber = level?.number ?? SeverityNumber.UNSPECIFIED;
    // Joined to the app's own OpenTelemetry SDK: its logger provider takes the line too, for the app's backend.
    const body = this.lastMsg;
    runtime.appLogger?.emit({ timestamp: time, observedTimestamp: time, severityNumber, severityText: level?.text, body, attributes, context: active });
    if (batch === undefined || resource === undefined) return;
    batch.add({
      hrTime: time,
      hrTimeObserved: time,
      spanContext: spanContext !== undefined && spanContext.traceId !== INVALID_TRACEID ? spanContext : undefined,
      severityNumber,
      severityText: level?.text,
      body: this.lastMsg,
      resource,
      instrumentationScope: SCOPE,
      attributes,
      droppedAttributesCount: 0,
    });
  }
}

// One object for every record (log lines and scores): the OTLP serializer groups records by scope identity.
export const SCOPE = { name: SDK_NAME, version: SDK_VERSION };

// Carried by the OTLP record itself: trace and span ids by its context, the service by its resource.
const OMITTED = new Set(['service', 'trace_id', 'span_id', 'level', 'time', 'msg']);

const LEVELS: Record<number, { number: SeverityNumber; text: string }> = {
  10: { number: SeverityNumber.TRACE, text: 'TRACE' },
  20: { number: SeverityNumber.DEBUG, text: 'DEBUG' },
  30: { number: SeverityNumber.INFO, text: 'INFO' },
  40: { number: SeverityNumber.WARN, text: 'WARN' },
  50: { number: SeverityNumber.ERROR, text: 'ERROR' },
  60: { number: SeverityNumber.FATAL, text: 'FATAL' },
};

type LogValue = LogAttributes[string];

/**
 * A field as an OTLP value: plain objects and arrays copied to a bounded depth with cycles cut,
 * anything else (class instances, Dates, Buffers) as text. The OTLP serializer recurses without
 * limits, and one cyclic field would otherwise fail the whole batch.
 */
function logValue(value: unknown, depth: number, seen: WeakSet<object>): LogValue {
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? value.toString() : (value as LogValue);
  if (seen.has(value)) return '[Circular]';
  if (depth >= 6) return '[Truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => logValue(item, depth + 1, seen)) as LogValue;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return String(value);
  const copy: Record<string, LogValue> = {};
  for (const key in value) copy[key] = logValue((value as Record<string, unknown>)[key], depth + 1, seen);
  return copy as LogValue;
}

// Child loggers keep their bindings as a JSON fragment; parse once per child, not per line.
const bindingsCache = new WeakMap<object, Record<string, unknown>>();
const NO_BINDINGS = {};

function bindingsOf(logger: { bindings(): Record<string, unknown> } | undefined): Record<string, unknown> {
  if (logger === undefined) return NO_BINDINGS;
  let bindings = bindingsCache.get(logger);
  if (bindings === undefined) {
    bindings = logger.bindings();
    if (Object.keys(bindings).length === 0) bindings = NO_BINDINGS;
    bindingsCache.set(logger, bindings);
  }
  return bindings;
}
