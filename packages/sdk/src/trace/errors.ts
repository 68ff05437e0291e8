import type { Context } from '@opentelemetry/api';
import { WORKFLOW_KEY, type WorkflowFrame } from '../context/keys.js';
import { counter } from '../metrics/instruments.js';

/** The `error.type` of a thrown value: the error's class name, or the kind of value thrown. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name !== 'Error' ? error.name : error.constructor?.name;
    return name || 'Error';
  }
  if (error === null) return 'null';
  return typeof error === 'object' ? (error.constructor?.name ?? 'object') : typeof error;
}

// An exception that unwinds through five nested spans is one error, not five.
const counted = new WeakSet<object>();

/** Adds one to `error.count` by `error.type` (and the workflow of `where`), once per thrown object. */
export function countError(error: unknown, where: Context): void {
  if (typeof error === 'object' && error !== null) {
    if (counted.has(error)) return;
    counted.add(error);
  }
  const frame = where.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined;
  const labels: Record<string, string> = { 'error.type': errorTypeOf(error) };
  if (frame !== undefined) labels['workflow.name'] = frame.name;
  counter('error.count', { description: 'Exceptions raised inside traced code, by error type.' }).add(1, labels);
}
