import type { SpanEventRecord, SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { appFrame } from './app-frame.js';
import { errorsFromSpans } from './error-occurrences.js';

/**
 * Go stack traces as the runtime prints them (runtime/debug.Stack, a crash, the OpenTelemetry Go
 * SDK's RecordError with WithStackTrace): `goroutine N [running]:`, then per frame the function
 * with its arguments (`pkg/path.Func(0xc000012345, ...)`, `pkg.(*T).Method(...)`,
 * `pkg.Generic[...](...)`, `panic({0x4a1e20, 0xc000012345})`) and a tab-indented
 * `file.go:line +0xpc`. Each case is one error raised from two call sites; a real program's
 * output is in test/go-stacks.test.ts.
 */

/** A stack of `[function with arguments, file]` frames, top first; `suffix` follows each location. */
function goStack(frames: ReadonlyArray<readonly [string, string]>, suffix = ''): string {
  return ['goroutine 1 [running]:', ...frames.map(([fn, file], i) => `${fn}\n\t${file}:${20 + i * 7} +0x${(0x1d + i * 0x31).toString(16)}${suffix}`)].join(
    '\n',
  );
}

type Frame = readonly [string, string];

/** What the OpenTelemetry Go SDK records with an error in the official image: GOROOT /usr/local/go, GOPATH /go. */
const official = (...app: Frame[]) =>
  goStack([
    ['runtime/debug.Stack()', '/usr/local/go/src/runtime/debug/stack.go'],
    [
      'go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).RecordError(0xc0001a4000, {0x8a1f20, 0xc000012345}, {0xc00004c6f0, 0x1, 0x1})',
      '/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go',
    ],
    ...app,
    ['main.main()', '/go/src/app/main.go'],
  ]);
/** The app's own deferred recover helper records a panic, as HTTP recovery middleware does. */
const recovered = (goroot: string, panicking: readonly Frame[], app: Frame) =>
  goStack([
    ['runtime/debug.Stack()', `${goroot}runtime/debug/stack.go`],
    ['main.withRecovery.func1.1()', '/srv/shop/middleware.go'],
    ['panic({0x6a1e20, 0xc000012345})', `${goroot}runtime/panic.go`],
    ...panicking,
    app,
    ['net/http.HandlerFunc.ServeHTTP(0xc000120000, {0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', `${goroot}net/http/server.go`],
    ['main.withRecovery.func1({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/middleware.go'],
    ['net/http.(*conn).serve(0xc000122000, {0x7f1a28, 0xc000110000})', `${goroot}net/http/server.go`],
  ]);
/** What a crash prints: the panic, then the panicking goroutine from the function that panicked. */
const crashed = (panicking: readonly Frame[], app: Frame, suffix = '') =>
  `panic: shop failed\n\n${goStack([...panicking, app, ['main.main()', app[1]]], suffix)}`;
const repeat = (goroot: string): Frame => ['strings.Repeat({0x4b80e5, 0x1}, 0xfffffffffffffffd)', `${goroot}strings/strings.go`];

const CASES: ReadonlyArray<{ name: string; a: string; b: string; frames: readonly [string, string] }> = [
  {
    name: 'generic functions (Go prints pkg.Name[...])',
    a: official(['main.Sum[...]({0xc000012345, 0x3, 0x3})', '/go/src/app/stats.go']),
    b: official(['main.Max[...]({0xc000012345, 0x3, 0x3})', '/go/src/app/stats.go']),
    frames: ['main.Sum[...] (app/stats.go)', 'main.Max[...] (app/stats.go)'],
  },
  {
    name: "a generic type's method and a generic function's closure",
    a: official(['github.com/acme/shop/cache.(*LRU[...]).Get(0xc000010000, {0x6a1e20, 0x3})', '/src/shop/cache/lru.go']),
    b: official(
      ['github.com/acme/shop/cache.Map[...].func1(...)', '/src/shop/cache/map.go'],
      ['github.com/acme/shop/cache.Map[...]({0xc000012345, 0x3, 0x3}, 0xc00001c030)', '/src/shop/cache/map.go'],
    ),
    frames: ['cache.(*LRU[...]).Get (cache/lru.go)', 'cache.Map[...].func1 (cache/map.go)'],
  },
  {
    name: 'panics a deferred recover helper records (the frame below panic()',
    a: recovered('/usr/local/go/src/', [], ['main.placeOrder({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/orders.go']),
    // A nil dereference panics through the runtime's signal frames.
    b: recovered(
      '/usr/local/go/src/',
      [
        ['runtime.panicmem(...)', '/usr/local/go/src/runtime/panic.go'],
        ['runtime.sigpanic()', '/usr/local/go/src/runtime/signal_unix.go'],
      ],
      ['main.refundOrder({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/refunds.go'],
    ),
    frames: ['main.placeOrder (shop/orders.go)', 'main.refundOrder (shop/refunds.go)'],
  },
  {
    name: 'sources under /go/src (the official image, a GOPATH checkout)',
    a: official(['github.com/acme/shop/orders.(*Service).Place(0xc0000a6000, {0x8a1f20, 0xc000012345})', '/go/src/github.com/acme/shop/orders/service.go']),
    b: official(['github.com/acme/shop/orders.(*Service).Cancel(0xc0000a6000, {0x8a1f20, 0xc000012345})', '/go/src/github.com/acme/shop/orders/service.go']),
    frames: ['orders.(*Service).Place (orders/service.go)', 'orders.(*Service).Cancel (orders/service.go)'],
  },
  {
    name: "a panic inside the standard library under Debian's Go root (/usr/lib/go-1.xx/src)",
    a: crashed([repeat('/usr/lib/go-1.22/src/')], ['main.banner(...)', '/srv/shop/report.go']),
    b: crashed([repeat('/usr/lib/go-1.22/src/')], ['main.divider(...)', '/srv/shop/report.go']),
    frames: ['main.banner (shop/report.go)', 'main.divider (shop/report.go)'],
  },
  {
    name: "a panic inside the standard library under Homebrew's Go root",
    a: crashed([repeat('/opt/homebrew/Cellar/go/1.22.1/libexec/src/')], ['main.banner(...)', '/Users/me/shop/report.go']),
    b: crashed([repeat('/opt/homebrew/Cellar/go/1.22.1/libexec/src/')], ['main.divider(...)', '/Users/me/shop/report.go']),
    frames: ['main.banner (shop/report.go)', 'main.divider (shop/report.go)'],
  },
  {
    name: 'a panic inside the standard library of a -trimpath build (strings/strings.go)',
    a: crashed([repeat('')], ['github.com/acme/shop/report.Banner(0xfffffffffffffffd)', 'github.com/acme/shop/report/banner.go']),
    b: crashed(
      [
        ['encoding/json.(*decodeState).object(0xc000130000, {0x6a1e20, 0xc000012345, 0x16})', 'encoding/json/decode.go'],
        ['encoding/json.Unmarshal({0xc000140000, 0x10, 0x10}, {0x6a1e20, 0xc000012345})', 'encoding/json/decode.go'],
      ],
      ['github.com/acme/shop/report.Load({0xc000140000, 0x10, 0x10})', 'github.com/acme/shop/report/load.go'],
    ),
    frames: ['report.Banner (report/banner.go)', 'report.Load (report/load.go)'],
  },
  {
    name: 'a panic inside the standard library, recorded by a recover helper',
    a: recovered('/usr/lib/go-1.22/src/', [repeat('/usr/lib/go-1.22/src/')], ['main.banner(0xfffffffffffffffd)', '/srv/shop/report.go']),
    b: recovered('/usr/lib/go-1.22/src/', [repeat('/usr/lib/go-1.22/src/')], ['main.divider(0xfffffffffffffffd)', '/srv/shop/report.go']),
    frames: ['main.banner (shop/report.go)', 'main.divider (shop/report.go)'],
  },
  {
    name: 'a panic inside a module (its path names the version, @v3.0.1)',
    // A GOMODCACHE outside GOPATH/pkg/mod, then a -trimpath build.
    a: crashed(
      [
        ['gopkg.in/yaml.v3.handleErr(0xc000151e28)', '/cache/gomod/gopkg.in/yaml.v3@v3.0.1/yaml.go'],
        ['gopkg.in/yaml.v3.Unmarshal({0xc000140000, 0x10, 0x10}, {0x6a1e20, 0xc000012345})', '/cache/gomod/gopkg.in/yaml.v3@v3.0.1/yaml.go'],
      ],
      ['main.loadConfig({0x7ffd5e8c, 0x9})', '/srv/shop/config.go'],
    ),
    b: crashed(
      [['gopkg.in/yaml.v3.Unmarshal({0xc000140000, 0x10, 0x10}, {0x6a1e20, 0xc000012345})', 'gopkg.in/yaml.v3@v3.0.1/yaml.go']],
      ['main.loadRules({0x7ffd5e8c, 0x9})', 'shop/rules.go'],
    ),
    frames: ['main.loadConfig (shop/config.go)', 'main.loadRules (shop/rules.go)'],
  },
  {
    name: 'a panic inside a vendored module (vendor/)',
    a: crashed(
      [['github.com/acme/money.MustParse({0xc000012345, 0x4})', '/srv/shop/vendor/github.com/acme/money/parse.go']],
      ['main.parsePrice({0xc000012345, 0x4})', '/srv/shop/prices.go'],
    ),
    b: crashed(
      [['github.com/acme/money.MustParse({0xc000012345, 0x4})', '/srv/shop/vendor/github.com/acme/money/parse.go']],
      ['main.parseRefund({0xc000012345, 0x4})', '/srv/shop/refunds.go'],
    ),
    frames: ['main.parsePrice (shop/prices.go)', 'main.parseRefund (shop/refunds.go)'],
  },
  {
    name: 'a crash printed with GOTRACEBACK=system (fp=, sp=, pc= after each location)',
    a: crashed([repeat('/usr/local/go/src/')], ['main.banner(...)', '/srv/shop/report.go'], ' fp=0xc00006cf48 sp=0xc00006ce90 pc=0x4674d8'),
    b: crashed([repeat('/usr/local/go/src/')], ['main.divider(...)', '/srv/shop/report.go'], ' fp=0xc00006cf48 sp=0xc00006ce90 pc=0x4674d8'),
    frames: ['main.banner (shop/report.go)', 'main.divider (shop/report.go)'],
  },
  {
    name: 'a panic a recover helper recorded and panicked again, recorded by an outer one (the frame below the last panic()',
    a: goStack([
      ['runtime/debug.Stack()', '/usr/local/go/src/runtime/debug/stack.go'],
      ['main.withLogging.func1.1()', '/srv/shop/middleware.go'],
      ['panic({0x6a1e20, 0xc000012345})', '/usr/local/go/src/runtime/panic.go'],
      ['main.withRecovery.func1.1()', '/srv/shop/middleware.go'],
      ['panic({0x6a1e20, 0xc000012345})', '/usr/local/go/src/runtime/panic.go'],
      ['main.placeOrder({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/orders.go'],
      ['main.withRecovery.func1({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/middleware.go'],
    ]),
    b: goStack([
      ['runtime/debug.Stack()', '/usr/local/go/src/runtime/debug/stack.go'],
      ['main.withLogging.func1.1()', '/srv/shop/middleware.go'],
      ['panic({0x6a1e20, 0xc000012345})', '/usr/local/go/src/runtime/panic.go'],
      ['main.withRecovery.func1.1()', '/srv/shop/middleware.go'],
      ['panic({0x6a1e20, 0xc000012345})', '/usr/local/go/src/runtime/panic.go'],
      ['main.refundOrder({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/refunds.go'],
      ['main.withRecovery.func1({0x7f0c80, 0xc0001a2000}, 0xc0001b4000)', '/srv/shop/middleware.go'],
    ]),
    frames: ['main.placeOrder (shop/orders.go)', 'main.refundOrder (shop/refunds.go)'],
  },
  {
    name: 'function names with letters beyond ASCII',
    a: official(['main.größeCharge(0xc0000a6000)', '/go/src/app/charge.go']),
    b: official(['github.com/acme/shop/zahlung.(*Kasse).Überweisen(0xc0000a6000)', '/go/src/app/zahlung/kasse.go']),
    frames: ['main.größeCharge (app/charge.go)', 'zahlung.(*Kasse).Überweisen (zahlung/kasse.go)'],
  },
  {
    name: 'a package path whose last element has a dot (Go escapes it as %2e)',
    a: official(['github.com/acme/api%2ev2.Charge(0xc0000a6000)', '/go/src/github.com/acme/api.v2/charge.go']),
    b: official(['github.com/acme/api%2ev2.(*Client).Refund(0xc0000a6000)', '/go/src/github.com/acme/api.v2/refund.go']),
    frames: ['api.v2.Charge (api.v2/charge.go)', 'api.v2.(*Client).Refund (api.v2/refund.go)'],
  },
  {
    name: "github.com/pkg/errors' %+v (a function per line, no arguments, then its location)",
    a: pkgErrors([
      ['main.placeOrder', '/srv/shop/orders.go'],
      ['main.main', '/srv/shop/main.go'],
    ]),
    b: pkgErrors([
      ['github.com/acme/money.MustParse', '/root/go/pkg/mod/github.com/acme/money@v1.2.0/parse.go'],
      ['github.com/acme/shop/orders.(*Service).Refund', '/srv/shop/orders/refund.go'],
      ['main.main', '/srv/shop/main.go'],
    ]),
    frames: ['main.placeOrder (shop/orders.go)', 'orders.(*Service).Refund (orders/refund.go)'],
  },
  {
    name: "zap's stacktrace field (the same shape, no message line)",
    a: zapStack([
      ['main.placeOrder', '/srv/shop/orders.go'],
      ['main.main', '/srv/shop/main.go'],
    ]),
    b: zapStack([
      ['go.uber.org/zap.(*Logger).Error', '/root/go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go'],
      ['main.refundOrder', '/srv/shop/refunds.go'],
      ['main.main', '/srv/shop/main.go'],
    ]),
    frames: ['main.placeOrder (shop/orders.go)', 'main.refundOrder (shop/refunds.go)'],
  },
];

/** The frames a stack-carrying error prints with `%+v` (github.com/pkg/errors), after its message; the runtime's last frames end in an assembly file. */
function pkgErrors(frames: readonly Frame[]): string {
  return `shop: out of stock\n${zapStack(frames)}`;
}

/** Frames as zap and github.com/pkg/errors print them: the function alone, then a tab and `file:line`. */
function zapStack(frames: readonly Frame[]): string {
  const all = [...frames, ['runtime.main', '/usr/local/go/src/runtime/proc.go'], ['runtime.goexit', '/usr/local/go/src/runtime/asm_amd64.s']];
  return all.map(([fn, file], i) => `${fn}\n\t${file}:${20 + i * 7}`).join('\n');
}

function failed(spanId: string, stacktrace: string): SpanRecord {
  const thrown: SpanEventRecord = {
    timeUs: 1_500,
    name: 'exception',
    droppedAttributesCount: 0,
    attributes: { 'exception.type': '*errors.errorString', 'exception.message': 'shop: out of stock', 'exception.stacktrace': stacktrace },
  };
  return {
    projectId: 'default',
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId: null,
    traceState: '',
    flags: 0,
    name: 'POST /orders',
    kind: 'server',
    serviceName: 'shop',
    startTimeUs: 1_000,
    endTimeUs: 2_000,
    status: { code: 'error', message: 'shop: out of stock' },
    attributes: {},
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    events: [thrown],
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

describe('Go error groups', () => {
  it.each(CASES)('names each call site of $name', ({ a, b, frames }) => {
    expect([appFrame(a), appFrame(b)]).toEqual(frames);
  });

  it.each(CASES)('makes two groups of one error raised by $name', ({ a, b, frames }) => {
    const [first, second] = errorsFromSpans([failed('1'.repeat(16), a), failed('2'.repeat(16), b)]);
    expect([first?.frame, second?.frame]).toEqual(frames);
    expect(first?.fingerprint).not.toBe(second?.fingerprint);
  });

  it("names an app's own helper that records the error, as the place it was recorded: its callers are told apart by their messages", () => {
    const through = (caller: string) =>
      official(['main.fail({0x8a1f20, 0xc000012345}, {0x8a1f20, 0xc000012399})', '/go/src/app/errors.go'], [`main.${caller}()`, '/go/src/app/orders.go']);
    expect([appFrame(through('placeOrder')), appFrame(through('refundOrder'))]).toEqual(['main.fail (app/errors.go)', 'main.fail (app/errors.go)']);
    const [place, refund] = errorsFromSpans([failed('1'.repeat(16), through('placeOrder')), failed('2'.repeat(16), through('refundOrder'))]);
    expect(place?.fingerprint).toBe(refund?.fingerprint);
    const other = { ...failed('3'.repeat(16), through('refundOrder')), status: { code: 'error' as const, message: 'shop: card declined' } };
    other.events = [{ ...other.events[0]!, attributes: { ...other.events[0]!.attributes, 'exception.message': 'shop: card declined' } }];
    expect(errorsFromSpans([other])[0]?.fingerprint).not.toBe(place?.fingerprint);
  });
});
