import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Writes text somewhere; stderr by default so an app's stdout stays its own. */
export type Write = (text: string) => void;

/**
 * `exporter: 'console'`: one readable line per finished span, for development.
 *   `[spoor] 812.4 ms ok    plan            trace 4bf92f35 span 00f067aa  step.number=1`
 */
export class ConsoleSpanPrinter implements SpanExporter {
  constructor(private readonly write: Write = (text) => process.stderr.write(text)) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let text = '';
    for (const span of spans) text += `${formatSpan(span)}\n`;
    this.write(text);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

export function formatSpan(span: ReadableSpan): string {
  const context = span.spanContext();
  const ms = hrTimeToMilliseconds(span.duration).toFixed(1).padStart(8);
  const status = span.status.code === SpanStatusCode.ERROR ? 'ERROR' : 'ok   ';
  const attributes = Object.entries(span.attributes)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const problem = span.status.code === SpanStatusCode.ERROR && span.status.message ? `  "${span.status.message}"` : '';
  return `[spoor] ${ms} ms ${status} ${span.name.padEnd(24)} trace ${context.traceId.slice(0, 8)} span ${context.spanId.slice(0, 8)}${problem}  ${attributes}`;
}
