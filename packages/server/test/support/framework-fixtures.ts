import { readFileSync } from 'node:fs';
import { DEFAULT_PRICES, PriceBook, type Attributes, type SpanRecord } from '@spoor/model';
import { expect } from 'vitest';
import { normalizeSpans } from '../../src/normalize/normalize.js';

/** The captures of agent frameworks in fixtures/frameworks, read as span records normalized as ingest does. */

interface FixtureSpan {
  case: string;
  name: string;
  parentIndex: number | null;
  trace: number;
  startUs: number;
  durationUs: number;
  scope: { name: string; version?: string };
  attributes: Attributes;
}

interface Fixture {
  spans: FixtureSpan[];
  requests: { case: string; requests: string[] }[];
}

export const book = new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);
const fixtures = new Map<string, Fixture>();

export function load(file: string): Fixture {
  let fixture = fixtures.get(file);
  if (fixture === undefined) {
    fixture = JSON.parse(readFileSync(new URL(`../fixtures/frameworks/${file}`, import.meta.url), 'utf8')) as Fixture;
    fixtures.set(file, fixture);
  }
  return fixture;
}

const idOf = (i: number) => (i + 1).toString(16).padStart(16, '0');

/** The spans of one case as records, normalized in one batch, with their traces, parents and times as captured. */
export function normalizedCase(file: string, name: string): SpanRecord[] {
  const spans = load(file).spans.filter((s) => s.case === name);
  expect(spans.length, `case ${name} in ${file}`).toBeGreaterThan(0);
  const records = spans.map(
    (s, i): SpanRecord => ({
      projectId: 'default',
      traceId: s.trace.toString(16).padStart(32, '0'),
      spanId: idOf(i),
      parentSpanId: s.parentIndex === null ? null : idOf(s.parentIndex),
      traceState: '',
      flags: 1,
      name: s.name,
      kind: 'internal',
      serviceName: 'svc',
      startTimeUs: 1e15 + s.startUs,
      endTimeUs: 1e15 + s.startUs + s.durationUs,
      status: { code: 'unset', message: '' },
      attributes: s.attributes,
      resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
      scope: { name: s.scope.name, version: s.scope.version ?? '', attributes: {}, droppedAttributesCount: 0 },
      events: [],
      links: [],
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      llm: null,
      sessionId: null,
      userId: null,
      category: 'other',
    }),
  );
  normalizeSpans(records, book);
  return records;
}
