import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/**
 * The correlation id travels as a W3C baggage entry, so it follows every `await` through the
 * context and crosses process boundaries in the `baggage` header next to `traceparent`.
 */
export const CORRELATION_KEY = 'correlation.id';

/**
 * Runs `fn` with a correlation id (a new UUID when none is given) that every span and log line
 * inside carries, in this process and in every service it calls with propagated headers.
 * @example
 * app.post('/chat', (req, res) => withCorrelation(req.get('x-request-id'), () => handle(req, res)));
 */
export function withCorrelation<R>(fn: () => R): R;
export function withCorrelation<R>(id: string | undefined, fn: () => R): R;
export function withCorrelation<R>(idOrFn: string | undefined | (() => R), maybeFn?: () => R): R {
  const fn = typeof idOrFn === 'function' ? idOrFn : maybeFn!;
  const id = typeof idOrFn === 'string' && idOrFn !== '' ? idOrFn : randomUUID();
  const active = context.active();
  const baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  return context.with(propagation.setBaggage(active, baggage.setEntry(CORRELATION_KEY, { value: id })), fn);
}

/** The correlation id of the running code, or undefined outside `withCorrelation()`. */
export function getCorrelationId(): string | undefined {
  return correlationIdIn(context.active());
}

/** The correlation id carried by a context's baggage, or undefined. */
export function correlationIdIn(ctx: Context): string | undefined {
  return propagation.getBaggage(ctx)?.getEntry(CORRELATION_KEY)?.value;
}

/**
 * Writes `traceparent`, `tracestate` and `baggage` for the running context into `headers` (a
 * plain object or a `Headers`) and returns it, for hand-rolled HTTP calls and queue messages.
 * @example await fetch(url, { headers: injectContext({ 'content-type': 'application/json' }) });
 */
export function injectContext(headers?: Record<string, string>): Record<string, string>;
export function injectContext<H extends { set(name: string, value: string): void }>(headers: H): H;
export function injectContext(headers: object = {}): object {
  propagation.inject(context.active(), headers, headerSetter);
  return headers;
}

/**
 * Runs `fn` in the context carried by incoming `headers` (Node's `req.headers`, a `Headers`, or
 * a message's attributes), so its spans join the caller's trace and keep its correlation id.
 * @example http.createServer((req, res) => extractContext(req.headers, () => handle(req, res)));
 */
export function extractContext<R>(headers: object, fn: () => R): R {
  return context.with(propagation.extract(ROOT_CONTEXT, headers, headerGetter), fn);
}

type HeaderBag = { get?: (name: string) => string | null; set?: (name: string, value: string) => void } & Record<string, unknown>;

const headerSetter: TextMapSetter<object> = {
  set(carrier, key, value) {
    const bag = carrier as HeaderBag;
    if (typeof bag.set === 'function') bag.set(key, value);
    else bag[key] = value;
  },
};

const headerGetter: TextMapGetter<object> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    const bag = carrier as HeaderBag;
    if (typeof bag.get === 'function') return bag.get(key) ?? undefined;
    const value = bag[key] ?? bag[key.toLowerCase()];
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
};
