/**
 * PII and secret masking: one implementation of the detectors, used by `@spoor/sdk` before
 * telemetry leaves an app and by the server at ingest, for whatever SDK sent it.
 */
export { createRedactor, validateRedactOptions } from './redactor.js';
export type { DetectorName, RedactMode, RedactOptions, RedactRule, Redactor, RedactorHooks, TextPattern } from './redactor.js';
export { DETECTOR_LABELS, DETECTOR_NAMES } from './detectors.js';
