import { randomBytes } from 'node:crypto';
import { HANG_MS } from './wait.js';

/** Reads until `done` holds; fails with the last value read after `ms` (by default a hang, `HANG_MS`). */
export async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = HANG_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms} ms; last: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An OTLP/JSON body of one trace of `spans` spans of service `agent`, the first the root of the others. */
export function traceBody(traceId: string, spans: number, startMs = Date.now() - 2000): string {
  const ns = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] },
        scopeSpans: [
          {
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId,
              spanId: (i + 1).toString(16).padStart(16, '0'),
              ...(i === 0 ? {} : { parentSpanId: '0000000000000001' }),
              name: i === 0 ? 'run' : `step ${i}`,
              kind: 1,
              startTimeUnixNano: ns(startMs + i),
              endTimeUnixNano: ns(startMs + i + 5),
            })),
          },
        ],
      },
    ],
  });
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A trace of a root and one LLM call with its messages, starting now: an evaluator judges what completes after it was made. */
export function llmTraceBody(traceId: string, spanId: string): string {
  const rootId = randomBytes(8).toString('hex');
  const start = BigInt(Date.now()) * 1_000_000n;
  const attributes = [
    str('gen_ai.provider.name', 'openai'),
    str('gen_ai.operation.name', 'chat'),
    str('gen_ai.request.model', 'gpt-4o'),
    { key: 'gen_ai.usage.input_tokens', value: { intValue: '40' } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: '12' } },
    str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'What is the capital of Portugal?' }] }])),
    str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Lisbon.' }], finish_reason: 'stop' }])),
  ];
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'qa-agent')] },
        scopeSpans: [
          {
            spans: [
              { traceId, spanId: rootId, name: 'answer', startTimeUnixNano: String(start), endTimeUnixNano: String(start + 900_000_000n) },
              {
                traceId,
                spanId,
                parentSpanId: rootId,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: String(start + 10_000_000n),
                endTimeUnixNano: String(start + 800_000_000n),
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });
}
