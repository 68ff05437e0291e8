/** Reads until `done` holds; fails with the last value read after `ms`. */
export async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
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
