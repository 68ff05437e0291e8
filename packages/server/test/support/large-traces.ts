import { randomBytes } from 'node:crypto';

/**
 * Large traces for the full-disk tests: bodies of 1,000 spans (about 470 KB of OTLP JSON, their
 * prompts random so they compress as little as real ones do), posted and read back.
 */

export const SPANS = 1000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One trace of 1,000 spans, each with 200 random characters of prompt: about 470 KB of JSON. */
export function traceBody(traceId: string): string {
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: `step ${i % 20}`,
    startTimeUnixNano: String(start + BigInt(i) * 1000n),
    endTimeUnixNano: String(start + BigInt(i) * 1000n + 500_000n),
    attributes: [{ key: 'gen_ai.prompt', value: { stringValue: randomBytes(100).toString('hex') } }],
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'backlog-test' } }] }, scopeSpans: [{ spans }] }],
  });
}

export interface Answer {
  status: number;
  message: string;
}

export async function post(url: string, traceId: string): Promise<Answer> {
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    body: traceBody(traceId),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let message = '';
  if (response.status !== 200) message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  return { status: response.status, message };
}

/** The spans a trace reads back with, or minus the status of a failed read. */
export async function spanCount(url: string, traceId: string): Promise<number> {
  const response = await fetch(`${url}/api/traces/${traceId}`, { signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) {
    await response.arrayBuffer();
    return -response.status;
  }
  return ((await response.json()) as { spans: unknown[] }).spans.length;
}

/** Waits until every trace in `traceIds` reads back whole, until `deadline` at most; returns those that do not. */
export async function unreadable(url: string, traceIds: string[], deadline = Date.now() + 60_000): Promise<string[]> {
  let missing = [...traceIds];
  for (;;) {
    const still: string[] = [];
    for (const traceId of missing) if ((await spanCount(url, traceId)) !== SPANS) still.push(traceId);
    missing = still;
    if (missing.length === 0 || Date.now() >= deadline) return missing;
    await pause(500);
  }
}
