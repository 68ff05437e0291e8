import { expect } from 'vitest';
import { AppError } from '../../src/errors.js';

/** Ids and times the decoder tests of both OTLP encodings share. */
export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';
export const PARENT_ID = 'eee19b7ec3c1b173';
/** 2025-11-21T10:00:00.123456789Z in microseconds. */
export const T0_US = 1_763_719_200_123_456;
export const RECEIVED_US = 1_800_000_000_000_000;
export const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';
/** The schema URL of the fixtures' scope group. */
export const SCOPE_SCHEMA_URL = 'https://example.com/acme-tracer/schemas/1.2.0';

/** Runs `fn` and returns the AppError it threw. */
export function thrownBy(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a throw');
}
