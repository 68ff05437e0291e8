const LABELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['service', 'trace_id', 'span_id', 'correlation_id', 'err']);

/**
 * One readable line for a terminal:
 *   `10:15:30.123 INFO  tool call finished  tool=search  [trace 4bf92f35 corr 7c1e…]`
 * An error's stack follows on its own lines.
 */
export function prettyLine(level: number, time: string, fields: Record<string, unknown>, message: string | undefined): string {
  const clock = /T(\d\d:\d\d:\d\d\.\d+)/.exec(time)?.[1] ?? time.replace(/^,"time":/, '');
  let line = `${clock} ${LABELS[level] ?? String(level)} ${message ?? ''}`;
  for (const key in fields) {
    if (HIDDEN.has(key) || fields[key] === undefined) continue;
    const value = fields[key];
    line += `  ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
  }
  const ids: string[] = [];
  if (typeof fields.trace_id === 'string') ids.push(`trace ${fields.trace_id.slice(0, 8)}`);
  if (typeof fields.correlation_id === 'string') ids.push(`corr ${fields.correlation_id.slice(0, 8)}`);
  if (ids.length > 0) line += `  [${ids.join(' ')}]`;
  const err = fields.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err !== undefined) line += `\n${err.stack ?? `${err.type}: ${err.message}`}`.replace(/\n/g, '\n    ');
  return `${line}\n`;
}
