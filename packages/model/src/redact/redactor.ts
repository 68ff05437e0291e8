import { DETECTOR_GATE, DETECTOR_NAMES, DETECTORS } from './detectors.js';
import { regexFinder, textPatternFinder } from './finder.js';
import { createKeyClassifier, type KeyVerdict } from './keys.js';
import { type RedactOptions, validateRedactOptions } from './options.js';
import { createHashText, maskText, textForHash } from './replacement.js';
import { collectFindings, type Finding, replaceFindings, type Scanner } from './scan.js';

export type { DetectorName } from './detectors.js';
export type { RedactMode, RedactOptions, RedactRule, TextPattern } from './options.js';
export { validateRedactOptions } from './options.js';

/** Masks PII and secrets in telemetry before it leaves the process. Built by {@link createRedactor}. */
export interface Redactor {
  /** The string with every finding replaced; returns the very same string when nothing matched (callers compare with ===). */
  string(value: string): string;
  /** Masks the attribute/field `value` stored under `key`: whole value when the key is sensitive, findings inside strings and string arrays otherwise. Returns `undefined` when the value must be dropped. Non-string primitives pass through unless the key is sensitive. */
  value(key: string, value: unknown): unknown;
  /** Masks a flat OpenTelemetry attributes object in place (delete the key when dropped). Hot path: no allocation when nothing matches. */
  attributesInPlace(attributes: Record<string, unknown>): void;
  /** A masked copy of a log-fields object: nested plain objects and arrays walked (depth limit 8, cycles replaced by "[Circular]"); returns the same object when nothing changed. Errors, Dates, Buffers are left as they are (the caller serializes errors first). */
  object<T>(value: T): T;
}

/** What a redactor tells its owner as it works. */
export interface RedactorHooks {
  /** A finding was masked, hashed or dropped: the detector's or rule's label (`email`, `secret`, `ssn`). */
  onMasked?: (label: string) => void;
}

/** Containers nested deeper than this below the root are replaced, not walked: see {@link TRUNCATED}. */
const MAX_DEPTH = 8;
const CIRCULAR = '[Circular]';
/** Stands in for a container past {@link MAX_DEPTH}; unwalked content could carry unmasked PII. */
const TRUNCATED = '[Truncated]';

/** Marks a value whose field must be removed (mode `drop`); never escapes this module. */
const DROP: unique symbol = Symbol('drop');
type Dropped = typeof DROP;

/**
 * Builds a redactor from options, validating them first (a mistake throws with how to fix it).
 * All decisions that do not depend on the data are made here, once.
 *
 * @example
 * const redactor = createRedactor({ mode: 'hash', hashSalt: 'per-deployment' });
 * redactor.string('mail bob@example.com'); // 'mail [email:…12 hex…]'
 * redactor.value('db.password', 'hunter2'); // '[secret:…12 hex…]'
 */
export function createRedactor(options?: RedactOptions, hooks: RedactorHooks = {}): Redactor {
  validateRedactOptions(options);
  const onMasked = hooks.onMasked;
  const mode = options?.mode ?? 'mask';
  const rules = options?.rules ?? [];
  const enabled = new Set(options?.detectors ?? DETECTOR_NAMES);
  const detectors = DETECTORS.filter((detector) => enabled.has(detector.name));

  const ruleScanners: Scanner[] = rules.flatMap((rule) =>
    rule.pattern === undefined
      ? []
      : [
          {
            label: rule.name,
            mode: rule.mode ?? mode,
            // Our own copy: exec loops need the g flag, and lastIndex must not be shared with the
            // caller's regex. Sticky would only match at lastIndex, so it goes.
            find:
              rule.pattern instanceof RegExp
                ? regexFinder(new RegExp(rule.pattern.source, `${rule.pattern.flags.replace(/[gy]/g, '')}g`))
                : textPatternFinder(rule.pattern),
            maskText: maskText(rule.name),
          },
        ],
  );
  const detectorScanners = detectors.map((detector) => ({
    hint: detector.hint,
    scanner: { label: detector.label, mode, find: detector.find, maskText: maskText(detector.label) } satisfies Scanner,
  }));
  const gate = detectors.length === 0 ? undefined : DETECTOR_GATE;
  const classifyKey = createKeyClassifier(rules, mode);
  const hashText = createHashText(options?.hashSalt ?? '');

  const findAll = (text: string): Finding[] | undefined => {
    let found: Finding[] | undefined;
    for (const scanner of ruleScanners) found = collectFindings(text, scanner, found);
    if (gate !== undefined && gate.test(text)) {
      for (const { hint, scanner } of detectorScanners) {
        if (hint.test(text)) found = collectFindings(text, scanner, found);
      }
    }
    return found;
  };

  const replacement = (finding: Finding, matched: string): string =>
    finding.scanner.mode === 'hash' ? hashText(finding.scanner.label, matched) : finding.scanner.maskText;

  /** `dropAllowed` is false where there is no field to remove (a message): drop masks there. */
  const redactText = (text: string, dropAllowed: boolean): string | Dropped => {
    const found = findAll(text);
    if (found === undefined) return text;
    if (onMasked !== undefined) for (const finding of found) onMasked(finding.scanner.label);
    if (dropAllowed && found.some((finding) => finding.scanner.mode === 'drop')) return DROP;
    return replaceFindings(text, found, replacement);
  };

  const redactWhole = (verdict: KeyVerdict, value: unknown): unknown => {
    // Nothing to hide in an absent value, and keeping it says no more than the key already does.
    if (value === null || value === undefined) return value;
    onMasked?.(verdict.label);
    if (verdict.mode === 'drop') return DROP;
    return verdict.mode === 'hash' ? hashText(verdict.label, textForHash(value)) : verdict.maskText;
  };

  const redactStrings = (values: readonly unknown[]): unknown => {
    let copy: unknown[] | undefined;
    for (let i = 0; i < values.length; i++) {
      const before = values[i];
      if (typeof before !== 'string') continue;
      const after = redactText(before, true);
      if (after === DROP) return DROP;
      if (after !== before) (copy ??= values.slice())[i] = after;
    }
    return copy ?? values;
  };

  const redactValue = (key: string, value: unknown): unknown => {
    const verdict = classifyKey(key);
    if (verdict !== undefined) return redactWhole(verdict, value);
    if (typeof value === 'string') return redactText(value, true);
    if (Array.isArray(value)) return redactStrings(value);
    return value;
  };

  const walk = (value: unknown, depth: number, dropAllowed: boolean, ancestors: object[]): unknown => {
    if (typeof value === 'string') return redactText(value, dropAllowed);
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) return value;
    if (ancestors.includes(value)) return CIRCULAR;
    if (depth > MAX_DEPTH) return TRUNCATED;
    ancestors.push(value);
    try {
      return isArray ? walkArray(value, depth, dropAllowed, ancestors) : walkFields(value as Record<string, unknown>, depth, ancestors);
    } finally {
      ancestors.pop();
    }
  };

  /** A dropped element drops the array, as for attribute arrays: the field is what gets removed. */
  const walkArray = (items: unknown[], depth: number, dropAllowed: boolean, ancestors: object[]): unknown => {
    let copy: unknown[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const before = items[i];
      const after = walk(before, depth + 1, dropAllowed, ancestors);
      if (after === DROP) return DROP;
      if (after !== before) (copy ??= items.slice())[i] = after;
    }
    return copy ?? items;
  };

  const walkFields = (fields: Record<string, unknown>, depth: number, ancestors: object[]): unknown => {
    let copy: Record<string, unknown> | undefined;
    for (const key in fields) {
      if (!Object.hasOwn(fields, key)) continue;
      const before = fields[key];
      const verdict = classifyKey(key);
      const after = verdict !== undefined ? redactWhole(verdict, before) : walk(before, depth + 1, true, ancestors);
      if (after === before) continue;
      copy ??= { ...fields };
      if (after === DROP) delete copy[key];
      else copy[key] = after;
    }
    return copy ?? fields;
  };

  return {
    string: (value) => redactText(value, false) as string,
    value: (key, value) => {
      const after = redactValue(key, value);
      return after === DROP ? undefined : after;
    },
    attributesInPlace: (attributes) => {
      for (const key in attributes) {
        const before = attributes[key];
        const after = redactValue(key, before);
        if (after === before) continue;
        if (after === DROP) delete attributes[key];
        else attributes[key] = after;
      }
    },
    object: <T>(value: T): T => walk(value, 0, false, []) as T,
  };
}

/** Objects built from literals or JSON; class instances (Error, Date, Buffer, Map…) are left alone. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
