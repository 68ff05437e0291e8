import type { ExportResult } from '@opentelemetry/core';

export type Signal = 'spans' | 'logs' | 'metrics';
export type ExportErrorHandler = (error: Error, signal: Signal) => void;

const QUIET_MS = 60_000;

/**
 * The default export-error handler: one line on stderr per signal and minute, with how many
 * failures it stayed quiet about, so a Spoor server that is down does not flood the app's output.
 */
export function createStderrReporter(endpoint: string): ExportErrorHandler {
  const last = new Map<Signal, { at: number; quiet: number }>();
  return (error, signal) => {
    const now = Date.now();
    const seen = last.get(signal);
    if (seen !== undefined && now - seen.at < QUIET_MS) {
      seen.quiet += 1;
      return;
    }
    const more = seen !== undefined && seen.quiet > 0 ? ` (${seen.quiet} more failures since the last report)` : '';
    last.set(signal, { at: now, quiet: 0 });
    process.stderr.write(`[spoor] could not export ${signal} to ${endpoint}: ${error.message}${more}\n`);
  };
}

/** A result callback that also tells the handler when an export failed. */
export function reportingCallback(callback: (result: ExportResult) => void, signal: Signal, onError: ExportErrorHandler): (result: ExportResult) => void {
  return (result) => {
    if (result.code !== 0) {
      try {
        onError(result.error ?? new Error('export failed'), signal);
      } catch {
        // The handler is the app's; its failure must not stop the exporter's next batch.
      }
    }
    callback(result);
  };
}
