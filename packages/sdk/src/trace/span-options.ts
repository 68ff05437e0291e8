import { SpanKind, trace, type Attributes, type Context, type Link, type SpanOptions } from '@opentelemetry/api';
import { FORCE_ATTRIBUTE } from '../sampling/sampler.js';

/** Span kinds by name, for options written without importing the OTel enum. */
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** What every span helper accepts. */
export interface SpanHelperOptions {
  /** Attributes set when the span starts (the sampler sees them). */
  attributes?: Attributes;
  /** Default `internal`. */
  kind?: SpanKind | SpanKindName;
  /** Links to other spans, e.g. the messages a batch job consumed. */
  links?: Link[];
  /** Keep this span and what runs inside it, whatever the sample rate. */
  force?: boolean;
  /** Start a new trace instead of nesting under the active span (correlation id and log fields carry on). */
  root?: boolean;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** Helper options to OTel start options; `extra` attributes come first so the caller's win. */
export function spanOptionsFrom(options: SpanHelperOptions | undefined, extra?: Attributes): SpanOptions {
  const kind = options?.kind;
  let attributes = options?.attributes;
  if (extra !== undefined) attributes = { ...extra, ...attributes };
  if (options?.force === true) attributes = { ...attributes, [FORCE_ATTRIBUTE]: true };
  return {
    kind: typeof kind === 'string' ? (KINDS[kind] ?? SpanKind.INTERNAL) : (kind ?? SpanKind.INTERNAL),
    attributes,
    links: options?.links,
  };
}

/** The context a helper's span starts under; a new root keeps correlation and log fields. */
export function parentFor(options: SpanHelperOptions | undefined, active: Context): Context {
  return options?.root === true ? trace.deleteSpan(active) : active;
}

/** The `(name, fn)` and `(name, options, fn)` call forms of the span helpers, as one pair. */
export function optionsAndFn<O, F>(optionsOrFn: O | F, maybeFn: F | undefined): [O | undefined, F] {
  return typeof optionsOrFn === 'function' ? [undefined, optionsOrFn as F] : [optionsOrFn as O, maybeFn as F];
}
