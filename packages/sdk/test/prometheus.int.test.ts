import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { counter, gauge, histogram, init, prometheusHandler, shutdown, step, timer, workflow } from '../src/index.js';

/**
 * The app's own metrics scraped through `prometheusHandler()` served by a plain Node HTTP server,
 * checked series by series and by `promtool check metrics`, Prometheus' own parser and linter.
 */

let server: Server;
let url: string;

/** One sample line of the text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(url);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

function samplesOf(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of `name` whose labels include `labels`. */
function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The value of the one sample of `name` with `labels`; fails when there is none or several. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = find(samples, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
}

/** Bucket bounds and cumulative counts of a histogram series, in exposition order. */
function buckets(samples: Sample[], name: string, labels: Record<string, string> = {}): Array<[string, number]> {
  return find(samples, `${name}_bucket`, labels).map((sample) => [sample.labels.le!, sample.value]);
}

/** Runs `promtool check metrics` with `text` on stdin. */
function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new Error('promtool is not installed (not on PATH); this test needs promtool (Debian package prometheus): apt-get install prometheus'));
      } else reject(error);
    });
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.on('error', () => {
      // The 'error' or 'close' handler above reports why promtool stopped reading.
    });
    child.stdin.end(text);
  });
}

beforeAll(async () => {
  // Made before init(): the handler looks the SDK up on every scrape.
  server = createServer(prometheusHandler());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  await shutdown();
  await new Promise((resolve) => server.close(resolve));
});

it('answers a scrape before init() with 200 and a single comment line', async () => {
  const { status, contentType, text } = await scrape();
  expect(status).toBe(200);
  expect(contentType).toMatch(/^text\/plain/);
  expect(text).toMatch(/^# [^\n]*\n$/);
  expect(text).toContain('init()');
});

describe('after init() with no exporter', () => {
  let text: string;
  let samples: Sample[];

  beforeAll(async () => {
    init({ serviceName: 'prom-test', exporter: 'none', logDestination: { write: () => undefined } });
    const placed = counter('orders.placed', { description: 'Orders placed, by channel.' });
    placed.add(2, { channel: 'web' });
    placed.inc({ channel: 'api' });
    const depth = gauge('queue.depth', { description: 'Jobs waiting.' });
    depth.set(3, { queue: 'ingest' });
    depth.set(7, { queue: 'ingest' });
    const latency = histogram('rerank.latency', { unit: 's', buckets: [0.1, 0.5, 1], description: 'Rerank latency.' });
    for (const seconds of [0.05, 0.3, 0.7, 2]) latency.record(seconds, { model: 'small' });
    const answer = timer('answer.duration', { description: 'Time to answer.' });
    // A faked clock, so the two answers take exactly 0.25 s and 1.5 s.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      expect(answer.time(() => (vi.advanceTimersByTime(250), 'sync answer'), { route: 'chat' })).toBe('sync answer');
      const stop = answer.start({ route: 'chat' });
      vi.advanceTimersByTime(1500);
      stop();
    } finally {
      vi.useRealTimers();
    }
    await workflow('nightly-report', { agent: 'reporter' }, () => step('collect', { number: 1 }, async () => 'rows'));

    const scraped = await scrape();
    expect(scraped.status).toBe(200);
    text = scraped.text;
    samples = samplesOf(text);
  });

  it('exposes a counter with the _total suffix, per label set', () => {
    expect(text).toContain('# TYPE orders_placed_total counter');
    expect(text).toContain('# HELP orders_placed_total Orders placed, by channel.');
    expect(valueOf(samples, 'orders_placed_total', { channel: 'web' })).toBe(2);
    expect(valueOf(samples, 'orders_placed_total', { channel: 'api' })).toBe(1);
  });

  it('exposes a gauge with its last value', () => {
    expect(text).toContain('# TYPE queue_depth gauge');
    expect(valueOf(samples, 'queue_depth', { queue: 'ingest' })).toBe(7);
  });

  it('exposes a histogram with the custom bucket bounds and cumulative counts', () => {
    expect(text).toContain('# TYPE rerank_latency histogram');
    expect(text).toContain('# UNIT rerank_latency s');
    expect(buckets(samples, 'rerank_latency', { model: 'small' })).toEqual([
      ['0.1', 1],
      ['0.5', 2],
      ['1', 3],
      ['+Inf', 4],
    ]);
    expect(valueOf(samples, 'rerank_latency_count', { model: 'small' })).toBe(4);
    expect(valueOf(samples, 'rerank_latency_sum', { model: 'small' })).toBeCloseTo(3.05, 10);
  });

  it('exposes a timer as a histogram in seconds with the SDK buckets, counting each measurement', () => {
    expect(text).toContain('# TYPE answer_duration histogram');
    expect(text).toContain('# UNIT answer_duration s');
    const bounds = buckets(samples, 'answer_duration', { route: 'chat' });
    expect(bounds.map(([le]) => le)).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
      '60',
      '120',
      '300',
      '600',
      '1800',
      '+Inf',
    ]);
    expect(bounds.find(([le]) => le === '0.1')).toEqual(['0.1', 0]);
    expect(bounds.find(([le]) => le === '0.25')).toEqual(['0.25', 1]);
    expect(bounds.find(([le]) => le === '1')).toEqual(['1', 1]);
    expect(bounds.find(([le]) => le === '2.5')).toEqual(['2.5', 2]);
    expect(bounds.at(-1)).toEqual(['+Inf', 2]);
    expect(valueOf(samples, 'answer_duration_count', { route: 'chat' })).toBe(2);
    // 0.25 s + 1.5 s, in seconds, not milliseconds.
    expect(valueOf(samples, 'answer_duration_sum', { route: 'chat' })).toBeCloseTo(1.75, 9);
  });

  it('exposes the workflow run count and the workflow and step durations', () => {
    expect(valueOf(samples, 'workflow_count_total', { workflow_name: 'nightly-report', status: 'ok' })).toBe(1);
    expect(valueOf(samples, 'workflow_duration_count', { workflow_name: 'nightly-report', status: 'ok' })).toBe(1);
    expect(valueOf(samples, 'step_duration_count', { step_name: 'collect', workflow_name: 'nightly-report', status: 'ok' })).toBe(1);
  });

  it('names the service in target_info', () => {
    expect(valueOf(samples, 'target_info', { service_name: 'prom-test' })).toBe(1);
  });

  it('passes promtool check metrics', async () => {
    const { code, output } = await promtoolCheck(text);
    expect({ code, output }).toEqual({ code: 0, output: '' });
  });
});

it('answers a scrape after shutdown() with 200 and a single comment line', async () => {
  await shutdown();
  const { status, text } = await scrape();
  expect(status).toBe(200);
  expect(text).toMatch(/^# [^\n]*\n$/);
  expect(text).not.toContain('orders_placed_total');
});
