import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../../model/test/support/growth.js';
import { appFrame } from './app-frame.js';

const NODE_TRACE = (line: number) => `Error: boom
    at JSON.parse (<anonymous>)
    at APIClient.makeRequest (/app/node_modules/openai/core.js:${line}:9)
    at async Planner.plan [as step] (file:///srv/app/src/planner.mjs:${line}:4)
    at async main (/srv/app/src/main.ts:3:1)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

describe('appFrame', () => {
  it.each([
    ['the first app frame of a Node trace', NODE_TRACE(12), 'Planner.plan (src/planner.mjs)'],
    ['a frame without a function name', '    at /app/src/x.js:1:2', '<anonymous> (src/x.js)'],
    ['a Windows path', '    at run (C:\\app\\src\\tool.ts:3:4)', 'run (src/tool.ts)'],
    [
      'the most recent app frame of a Python trace, which comes last',
      `Traceback (most recent call last):
  File "/app/main.py", line 10, in <module>
    main()
  File "/app/agent/run.py", line 42, in run
    client.chat.completions.create()
  File "/usr/local/lib/python3.12/site-packages/openai/_base_client.py", line 1059, in request
    raise self._make_status_error_from_response(err.response) from None
openai.RateLimitError: Error code: 429`,
      'run (agent/run.py)',
    ],
    [
      'the first app frame of a JVM trace',
      `java.lang.IllegalStateException: no plan
\tat java.base/java.util.Objects.requireNonNull(Objects.java:233)
\tat app//com.acme.agent.Planner.plan(Planner.java:88)
\tat com.acme.Main.main(Main.java:12)`,
      'com.acme.agent.Planner.plan (Planner.java)',
    ],
    [
      'a Node trace of library frames only',
      `TypeError: x is not a function
    at Object.<anonymous> (/app/node_modules/lib/index.js:1:1)
    at Module._compile (node:internal/modules/cjs/loader:1256:14)
    at async Promise.all (index 0)`,
      null,
    ],
    [
      'a Python trace of library frames only',
      `  File "<frozen runpy>", line 198, in _run_module_as_main
  File "/usr/lib/python3/dist-packages/httpx/_client.py", line 1, in send`,
      null,
    ],
    [
      'the first app frame of a Go trace (debug.Stack, as the OpenTelemetry Go SDK records it)',
      `goroutine 7 [running]:
runtime/debug.Stack()
\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
go.opentelemetry.io/otel/sdk/trace.recordStackTrace()
\t/root/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.28.0/trace/span.go:519 +0x1a
github.com/acme/shop/orders.(*Service).Place(0xc0000a6000, {0x8a1f20, 0xc000012345})
\t/src/shop/orders/service.go:42 +0x1d3
main.main()
\t/src/shop/main.go:18 +0x85`,
      'orders.(*Service).Place (orders/service.go)',
    ],
    [
      'the first app frame of a .NET trace',
      `System.InvalidOperationException: No plan
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at Acme.Agent.Planner.Plan(String goal, Int32 steps) in /src/Agent/Planner.cs:line 88
   at Acme.Agent.Program.Main(String[] args) in /src/Agent/Program.cs:line 12`,
      'Acme.Agent.Planner.Plan (Agent/Planner.cs)',
    ],
    [
      'a .NET frame without symbols',
      `   at System.Threading.Tasks.Task.Run()
   at Acme.Agent.Planner.Plan(String goal)`,
      'Acme.Agent.Planner.Plan',
    ],
    [
      'the first app frame of a Ruby trace (3.4 quotes)',
      `/usr/local/bundle/gems/faraday-2.9.0/lib/faraday/response/raise_error.rb:30:in 'Faraday::Response::RaiseError#on_complete'
/app/services/planner.rb:42:in 'Planner#plan'
/app/main.rb:7:in '<main>'`,
      'Planner#plan (services/planner.rb)',
    ],
    ['a Ruby block, before 3.4', "/app/services/planner.rb:12:in `block (2 levels) in plan'", 'plan (services/planner.rb)'],
    [
      'the first app frame of a Rust backtrace',
      `   0: std::backtrace_rs::backtrace::libunwind::trace
             at /rustc/129f3b9964af4d4a709d1383930ade12dfe7c081/library/std/src/../../backtrace/src/backtrace/libunwind.rs:116:5
   1: std::backtrace::Backtrace::create
             at /rustc/129f3b9964af4d4a709d1383930ade12dfe7c081/library/std/src/backtrace.rs:331:13
   2: anyhow::error::<impl anyhow::Error>::msg
             at /home/ci/.cargo/registry/src/index.crates.io-6f17d22bba15001f/anyhow-1.0.86/src/error.rs:83:36
   3: shop::orders::place
             at ./src/orders.rs:42:9
   4: shop::main
             at ./src/main.rs:10:5`,
      'shop::orders::place (src/orders.rs)',
    ],
    [
      'the first app frame of a PHP trace',
      `#0 /var/www/vendor/guzzlehttp/guzzle/src/Client.php(187): GuzzleHttp\\Client->transfer(Object(GuzzleHttp\\Psr7\\Request), Array)
#1 /var/www/src/Agent/Planner.php(42): GuzzleHttp\\Client->request('POST', '/v1/chat')
#2 /var/www/public/index.php(17): App\\Agent\\Planner->plan()
#3 {main}`,
      'GuzzleHttp\\Client->request (Agent/Planner.php)',
    ],
    [
      'a Go trace of runtime and module frames only',
      `goroutine 1 [running]:
runtime/debug.Stack()
\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
net/http.(*conn).serve(0xc000122000)
\t/usr/local/go/src/net/http/server.go:2039 +0x8bc`,
      null,
    ],
    ['a JVM trace of JDK frames only', '\tat jdk.internal.reflect.Method.invoke(Method.java:1)\n\tat sun.nio.ch.Net.connect(Native Method)', null],
    ['no trace at all', '', null],
  ])('finds %s', (_label, trace, expected) => {
    expect(appFrame(trace)).toBe(expected);
  });

  it('ignores line and column numbers', () => {
    expect(appFrame(NODE_TRACE(12))).toBe(appFrame(NODE_TRACE(480)));
  });

  it('tells two Go call sites apart, and keeps one site stable across builds', () => {
    const goTrace = (fn: string, line: number, offset: string) =>
      `goroutine 1 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\nmain.${fn}(...)\n\t/src/app/main.go:${line} +${offset}`;
    expect(appFrame(goTrace('charge', 40, '0x1d'))).toBe('main.charge (app/main.go)');
    expect(appFrame(goTrace('charge', 44, '0x2f'))).toBe(appFrame(goTrace('charge', 40, '0x1d')));
    expect(appFrame(goTrace('refund', 90, '0x1d'))).not.toBe(appFrame(goTrace('charge', 40, '0x1d')));
  });
});

describe('appFrame on long lines', () => {
  // A stack trace is the app's text, of any length; every line is read in time linear in its
  // length. The lines below took from 0.1 s to minutes: quadratic or cubic in their length, or,
  // for a .NET frame cut off in its parameters, 15 times longer with each parameter (6: 0.66 s,
  // 7: 11.4 s, 8 did not end in two minutes). Each line is read at two sizes, timed side by side:
  // the larger may take at most 20 times as long as the smaller, which linear work does in at most
  // 8 (the sizes' ratio), quadratic work in 64 and exponential work not at all.
  const GROWTH = 20;
  it.each<[string, (n: number) => string, Array<[number, number]>]>([
    // Three parameters, then six: exponential work fails here before the 40 would hang it.
    [
      'a .NET frame cut off in its parameters',
      (n) => `   at Acme.Shop.Orders.Place(${'Int32 count, '.repeat(n)}`,
      [
        [3, 6],
        [5, 40],
      ],
    ],
    ['a .NET frame with " in " over and over', (n) => `   at A.B() in ${'(x) in '.repeat(n)}`, [[150, 1_200]]],
    ['a V8 frame with " (" over and over', (n) => `    at f${' ('.repeat(n)}`, [[1_250, 10_000]]],
    ['a V8 frame with [as …] over and over', (n) => `    at f${' [as g'.repeat(n)} (x`, [[500, 4_000]]],
    ['a V8 frame with [as …] over and over before one long close', (n) => `    at f${' [as g'.repeat(n)}]${' '.repeat(5 * n)}x)`, [[500, 4_000]]],
    ['spaces inside an at line', (n) => `    at f${' '.repeat(n)}x`, [[2_500, 20_000]]],
    ['spaces inside a Rust frame', (n) => `  1: f${' '.repeat(n)}x`, [[2_500, 20_000]]],
    ['spaces after a Python frame', (n) => `  File "x.py", line 1, in f${' '.repeat(n)}x`, [[2_500, 20_000]]],
    ['Ruby locations over and over', (n) => `/a${'.rb:1:in `x'.repeat(n)}`, [[500, 4_000]]],
    // Cubic before: 6 s at 1,000 and hours at 20,000, so the smaller pair goes first.
    [
      'a Go-like name',
      (n) => `${'a.'.repeat(n)}!`,
      [
        [125, 1_000],
        [2_500, 20_000],
      ],
    ],
    [
      'a Go-like name with arguments',
      (n) => `${'a.'.repeat(n)}(x\n\tmain.go:1`,
      [
        [125, 1_000],
        [2_500, 20_000],
      ],
    ],
  ])('reads %s in linear time', (_label, line, sizes) => {
    // The line alone, and twice over two lines.
    const texts = new Map<number, [string, string]>();
    const read = (n: number): void => {
      let text = texts.get(n);
      if (text === undefined) texts.set(n, (text = [line(n), `${line(n)}\n${line(n)}`]));
      appFrame(text[0]);
      appFrame(text[1]);
    };
    for (const [small, large] of sizes) expect(timeGrowth(read, small, large), `${small} to ${large}`).toBeLessThan(GROWTH);
  });
});
