// `npm run bench:sdk`: what the SDK costs an app, measured side by side with plain OpenTelemetry
// and plain pino in one process, alternating rounds so machine drift hits both sides alike.
//
//   1. traced() around an async function  vs  tracer.startActiveSpan with the same batch exporter
//   2. logger.info inside a span           vs  pino with a mixin adding trace_id and span_id
//   3. traced() with the SDK disabled      vs  calling the function directly
//   4. score() inside a span               vs  the same gen_ai.evaluation.result record emitted
//                                              through the OTel logs SDK (batch processor)
//
// Exporters accept and discard, so export cost (masking included) is counted but no network is.
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { init, logger, score, shutdown, traced } from '@spoor/sdk';
// Internal, for a baseline that differs from the SDK only in what the SDK adds.
import { isoTimestamp } from '../dist/log/clock.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const SPANS_PER_ROUND = 20_000;
const LOGS_PER_ROUND = 50_000;
const SCORES_PER_ROUND = 50_000;
const CALLS_PER_ROUND = 20_000_000;
// Yield to the event loop this often so batch processors export instead of dropping spans.
const YIELD_EVERY = 256;

const discard = { write() {} };
const sink = {
  spans: 0,
  logs: 0,
  span: {
    export: (spans, done) => ((sink.spans += spans.length), done({ code: ExportResultCode.SUCCESS })),
    shutdown: async () => {},
    forceFlush: async () => {},
  },
  log: { export: (logs, done) => ((sink.logs += logs.length), done({ code: ExportResultCode.SUCCESS })), shutdown: async () => {}, forceFlush: async () => {} },
};
const tick = () => new Promise((resolve) => setImmediate(resolve));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeAsync(count, body) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await body(i);
    if (i % YIELD_EVERY === 0) await tick();
  }
  return Number(process.hrtime.bigint() - start) / count;
}

async function timeSync(count, body) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    body(i);
    if (i % YIELD_EVERY === 0) await tick();
  }
  return Number(process.hrtime.bigint() - start) / count;
}

/** Runs `sides` alternately for ROUNDS rounds after one warm-up round; returns median ns/op per side. */
async function sideBySide(sides) {
  const results = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(sides)) {
      const ns = await run();
      if (round >= 0) results[name].push(ns);
    }
  }
  return Object.fromEntries(Object.entries(results).map(([name, values]) => [name, median(values)]));
}

async function tracing() {
  init({ serviceName: 'bench', exporter: { spans: sink.span }, logDestination: discard, logFormat: 'json' });
  const rawProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(sink.span)] });
  const rawTracer = rawProvider.getTracer('raw');
  const work = async (i) => i + 1;
  const ours = traced('op', work);
  const raw = (i) =>
    rawTracer.startActiveSpan('op', async (span) => {
      try {
        return await work(i);
      } finally {
        span.end();
      }
    });
  const result = await sideBySide({
    raw: () => timeAsync(SPANS_PER_ROUND, raw),
    spoor: () => timeAsync(SPANS_PER_ROUND, ours),
  });
  await rawProvider.shutdown();
  await shutdown();
  return result;
}

async function logging(exportLogs) {
  init({
    serviceName: 'bench',
    exporter: exportLogs ? { spans: sink.span, logs: sink.log } : { spans: sink.span },
    logDestination: discard,
    logFormat: 'json',
  });
  const rawPino = (timestamp) =>
    pino(
      {
        base: undefined,
        timestamp,
        formatters: { level: (label) => ({ level: label }) },
        mixin() {
          const span = trace.getSpanContext(context.active());
          return span === undefined ? {} : { service: 'bench', trace_id: span.traceId, span_id: span.spanId };
        },
      },
      discard,
    );
  // What a user would write for ISO times, and the same with the SDK's cheaper clock.
  const raw = rawPino(pino.stdTimeFunctions.isoTime);
  const rawSameClock = rawPino(isoTimestamp);
  const fields = { tool: 'search', docs: 3 };
  const result = await traced('request', () =>
    sideBySide({
      raw: () => timeSync(LOGS_PER_ROUND, () => raw.info(fields, 'tool call finished')),
      rawSameClock: () => timeSync(LOGS_PER_ROUND, () => rawSameClock.info(fields, 'tool call finished')),
      spoor: () => timeSync(LOGS_PER_ROUND, () => logger.info(fields, 'tool call finished')),
    }),
  )();
  await shutdown();
  return result;
}

async function disabled() {
  init({ enabled: false, logDestination: discard });
  const plain = (x) => x + 1;
  const wrapped = traced(plain);
  let sum = 0;
  const loop = (fn) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_ROUND; i++) sum += fn(i);
    return Number(process.hrtime.bigint() - start) / CALLS_PER_ROUND;
  };
  const result = await sideBySide({ direct: async () => loop(plain), traced: async () => loop(wrapped) });
  await shutdown();
  if (sum === 0) throw new Error('unreachable: keeps the loop from being optimized away');
  return result;
}

async function scoring() {
  init({ serviceName: 'bench', exporter: { spans: sink.span, logs: sink.log }, logDestination: discard, logFormat: 'json' });
  const rawProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: sink.log })] });
  const rawLogger = rawProvider.getLogger('raw');
  const attributes = {
    'gen_ai.evaluation.name': 'grounded',
    'gen_ai.evaluation.score.value': 0.9,
    'gen_ai.evaluation.explanation': 'cites 3 of 3 sources',
    'spoor.score.source': 'sdk',
  };
  const options = { name: 'grounded', value: 0.9, comment: 'cites 3 of 3 sources' };
  const result = await traced('request', () =>
    sideBySide({
      raw: () => timeSync(SCORES_PER_ROUND, () => rawLogger.emit({ eventName: 'gen_ai.evaluation.result', severityNumber: 9, attributes })),
      spoor: () => timeSync(SCORES_PER_ROUND, () => score(options)),
    }),
  )();
  await rawProvider.shutdown();
  await shutdown();
  return result;
}

const fmt = (ns) => `${ns.toFixed(ns < 100 ? 1 : 0)} ns`;
const span = await tracing();
const logsWithExport = await logging(true);
const logsLineOnly = await logging(false);
const off = await disabled();
const scores = await scoring();

const rows = [
  ['traced() async, 1 span', fmt(span.raw), fmt(span.spoor), `${(span.spoor / span.raw).toFixed(2)}×`, '≤ 1.15×'],
  [
    'logger.info, JSON line only, vs pino + isoTime',
    fmt(logsLineOnly.raw),
    fmt(logsLineOnly.spoor),
    `${(logsLineOnly.spoor / logsLineOnly.raw).toFixed(2)}×`,
    '≤ 1.2×',
  ],
  [
    'logger.info, JSON line only, vs pino + same clock',
    fmt(logsLineOnly.rawSameClock),
    fmt(logsLineOnly.spoor),
    `${(logsLineOnly.spoor / logsLineOnly.rawSameClock).toFixed(2)}×`,
    '≤ 1.2×',
  ],
  [
    'logger.info, JSON line + OTLP record, vs pino + isoTime',
    fmt(logsWithExport.raw),
    fmt(logsWithExport.spoor),
    `${(logsWithExport.spoor / logsWithExport.raw).toFixed(2)}×`,
    '≤ 1.2×',
  ],
  [
    'logger.info, JSON line + OTLP record, vs pino + same clock',
    fmt(logsWithExport.rawSameClock),
    fmt(logsWithExport.spoor),
    `${(logsWithExport.spoor / logsWithExport.rawSameClock).toFixed(2)}×`,
    '≤ 1.2×',
  ],
  ['traced() with the SDK disabled', fmt(off.direct), fmt(off.traced), `+${fmt(off.traced - off.direct)}`, '< 100 ns over direct'],
  ['score() in a span (comment masked), vs the OTel logs SDK', fmt(scores.raw), fmt(scores.spoor), `${(scores.spoor / scores.raw).toFixed(2)}×`, '≤ 1.2×'],
];
console.log(`node ${process.version}, ${ROUNDS} rounds, medians; spans exported ${sink.spans}, log records exported ${sink.logs}\n`);
console.log('| operation | baseline | Spoor | ratio / overhead | goal |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
