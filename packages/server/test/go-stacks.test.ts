import { readFileSync } from 'node:fs';
import type { SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { errorsFromSpans } from '../src/normalize/error-occurrences.js';

/**
 * Error groups of the stacks a real Go program recorded (fixtures/go-stacks: its source, the Go
 * version and how it was built are beside it). The program raises each error from two call
 * sites, and was built four ways: plainly under a GOPATH's src/ (so its files are under
 * `/go/src/`) with Debian's Go root and a module cache, with -trimpath, from vendor/, and from
 * vendor/ with -trimpath.
 */

interface Build {
  build: string;
  records: Array<{ case: string; site: string; stack: string }>;
}

const builds = JSON.parse(readFileSync(new URL('./fixtures/go-stacks/stacks.json', import.meta.url), 'utf8')) as Build[];

/** The frame each call site's group must name. */
const FRAMES: Readonly<Record<string, string>> = {
  First: 'main.First[...] (shop/main.go)',
  Pop: 'main.(*Queue[...]).Pop (shop/main.go)',
  checkout: 'main.checkout (shop/main.go)',
  refund: 'main.refund (shop/main.go)',
  banner: 'main.banner (shop/main.go)',
  divider: 'main.divider (shop/main.go)',
  parseQty: 'main.parseQty (shop/main.go)',
  parsePrice: 'main.parsePrice (shop/main.go)',
};

const CASES = ['generic', 'recover', 'stdlib', 'module'];

/** A span of the program that failed with the same error at every site, recording the stack the program did. */
function failed(index: number, stacktrace: string): SpanRecord {
  return {
    projectId: 'default',
    traceId: 'a'.repeat(32),
    spanId: (index + 1).toString(16).padStart(16, '0'),
    parentSpanId: null,
    traceState: '',
    flags: 0,
    name: 'handle',
    kind: 'server',
    serviceName: 'shop',
    startTimeUs: 1_000,
    endTimeUs: 2_000,
    status: { code: 'error', message: 'shop failed' },
    attributes: {},
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    events: [
      {
        timeUs: 1_500,
        name: 'exception',
        droppedAttributesCount: 0,
        attributes: { 'exception.type': '*errors.errorString', 'exception.message': 'shop failed', 'exception.stacktrace': stacktrace },
      },
    ],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
  };
}

describe('error groups of a real Go program', () => {
  it('holds the four builds, each with two call sites of every case', () => {
    expect(builds.map((b) => b.build)).toEqual(['default', 'trimpath', 'vendor', 'vendor-trimpath']);
    for (const { records } of builds)
      expect(records.map((r) => `${r.case}/${r.site}`)).toEqual(Object.keys(FRAMES).map((site, i) => `${CASES[i >> 1]}/${site}`));
  });

  it.each(builds.flatMap(({ build }) => CASES.map((kase) => ({ build, kase }))))(
    'makes one group per call site of the $kase case in the $build build',
    ({ build, kase }) => {
      const records = builds.find((b) => b.build === build)!.records.filter((r) => r.case === kase);
      const occurrences = errorsFromSpans(records.map((r, i) => failed(i, r.stack)));
      expect(occurrences.map((o) => o.frame)).toEqual(records.map((r) => FRAMES[r.site]));
      expect(new Set(occurrences.map((o) => o.fingerprint)).size).toBe(2);
    },
  );

  it('gives a call site the same group however the program was built', () => {
    const fingerprints = builds.map(({ records }) => errorsFromSpans(records.map((r, i) => failed(i, r.stack))).map((o) => o.fingerprint));
    for (const other of fingerprints.slice(1)) expect(other).toEqual(fingerprints[0]);
  });
});
