import { format } from 'node:util';
import { context, INVALID_TRACEID, trace } from '@opentelemetry/api';
import { pino, type Logger, type LogFn } from 'pino';
import { LOG_FIELDS_KEY } from '../context/keys.js';
import { correlationIdIn } from '../context/correlation.js';
import type { Redactor } from '@spoor/model';
import { runtime, warnOnce } from '../runtime.js';
import { isoTimestamp } from './clock.js';
import { LogSink } from './sink.js';
import { serializeError } from './serialize-error.js';

/** The categories a log line can be filed under with a `category` field. */
export const LOG_CATEGORIES = ['system', 'agent', 'api', 'performance', 'security', 'business'] as const;
export type LogCategory = (typeof LOG_CATEGORIES)[number];

/** The destination every logger writes through; `init()` points it at stdout, a file or a test buffer. */
export const logSink = new LogSink();

/**
 * The Spoor logger: pino, writing one JSON line per call with `time`, `level`, `msg`, `service`,
 * `trace_id`, `span_id` and `correlation_id`, plus the fields of `withLogContext()`. Errors become
 * `err: { type, message, stack }`; everything is masked before it is written. After `init()` the
 * same records are exported as OTLP logs, so the server shows them inside their trace.
 * @example
 * logger.info({ category: 'agent', tool: 'search' }, 'tool call finished');
 * logger.error(err, 'retrieval failed');
 */
export const logger: Logger = pino(
  {
    level: 'info',
    base: undefined,
    timestamp: isoTimestamp,
    formatters: {
      level: (label) => ({ level: label }),
    },
    serializers: { err: (value: unknown) => value },
    mixin: traceFields,
    hooks: { logMethod: maskArguments },
  },
  logSink,
);

// Child logger fields (`logger.child({ user })`) are masked once, when the child is made. pino's
// `formatters.bindings` only sees the root's fields, so the masking wraps `child` itself; children
// inherit it through their prototype, grandchildren included.
const pinoChild = logger.child;
logger.child = function maskedChild(this: Logger, bindings, options) {
  return pinoChild.call(this, runtime.redactor?.object(bindings) ?? bindings, options);
} as Logger['child'];

/**
 * Runs `fn` with extra fields on every log line written inside it, across `await`s.
 * @example await withLogContext({ user_id: user.id, tenant: 'acme' }, () => handle(request));
 */
export function withLogContext<R>(fields: Record<string, unknown>, fn: () => R): R {
  const active = context.active();
  const outer = active.getValue(LOG_FIELDS_KEY) as Record<string, unknown> | undefined;
  const masked = runtime.redactor?.object(fields) ?? fields;
  return context.with(active.setValue(LOG_FIELDS_KEY, outer === undefined ? { ...masked } : { ...outer, ...masked }), fn);
}

function traceFields(): Record<string, unknown> {
  const active = context.active();
  const fields: Record<string, unknown> = {};
  if (runtime.serviceName !== undefined) fields.service = runtime.serviceName;
  const spanContext = trace.getSpanContext(active);
  // Spans we can see were made by an SDK that validated their ids; only the all-zero id means none.
  if (spanContext !== undefined && spanContext.traceId !== INVALID_TRACEID) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  const correlationId = correlationIdIn(active);
  if (correlationId !== undefined) fields.correlation_id = correlationId;
  const extra = active.getValue(LOG_FIELDS_KEY) as Record<string, unknown> | undefined;
  return extra === undefined ? fields : Object.assign(fields, extra);
}

/**
 * Masks what the app passed before pino formats it: the message (formatted here, so a secret
 * split across `%s` arguments is masked whole), every field, and errors, which are serialized to
 * `{ type, message, stack }` so their messages can be masked too.
 */
function maskArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const redactor = runtime.redactor;
  const first: unknown = args[0];
  let fields: Record<string, unknown> | undefined;
  let message: string | undefined;
  if (typeof first === 'object' && first !== null) {
    if (first instanceof Error) {
      fields = { err: serializeError(first, redactor) };
      message = args.length > 1 ? messageFrom(args, 1) : first.message;
    } else {
      fields = maskFields(first as Record<string, unknown>, redactor);
      message = args.length > 1 ? messageFrom(args, 1) : undefined;
    }
  } else {
    // pino reads `info(undefined, 'm')` as a message with no fields.
    message = (first === undefined || first === null) && args.length > 1 ? messageFrom(args, 1) : messageFrom(args, 0);
  }
  if (redactor !== undefined && message !== undefined) message = redactor.string(message);
  if (fields?.category !== undefined && !LOG_CATEGORIES.includes(fields.category as LogCategory)) {
    warnOnce(
      `category:${String(fields.category)}`,
      `log category '${String(fields.category)}' is not one of ${LOG_CATEGORIES.join(', ')}; it is kept as given`,
    );
  }
  if (fields === undefined) (method as (msg?: string) => void).call(this, message);
  else (method as (obj: object, msg?: string) => void).call(this, fields, message);
}

/** The message at `args[from]`, with any printf-style arguments after it formatted in. */
function messageFrom(args: unknown[], from: number): string | undefined {
  if (args.length <= from) return undefined;
  const template = args[from];
  if (args.length === from + 1) return typeof template === 'string' ? template : template === undefined ? undefined : format(template);
  return format(template, ...args.slice(from + 1));
}

/** Fields with errors serialized and everything masked; the same object when nothing changed. */
function maskFields(fields: Record<string, unknown>, redactor: Redactor | undefined): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (value instanceof Error) {
      copy ??= { ...fields };
      copy[key] = serializeError(value, redactor);
    }
  }
  const serialized = copy ?? fields;
  return redactor === undefined ? serialized : redactor.object(serialized);
}
