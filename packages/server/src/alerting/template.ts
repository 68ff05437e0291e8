import { labelOf } from './labels.js';

/**
 * Annotation templates: `{{ $value }}`, `{{ $threshold }}` and `{{ $labels.<name> }}`, nothing
 * else, so a template is checked when the rule is read rather than failing when it fires.
 */

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const REFERENCE = /^\$(value|threshold|labels\.([A-Za-z_][A-Za-z0-9_.]*))$/;

export interface TemplateValues {
  value: number | null;
  threshold: number | null;
  labels: Readonly<Record<string, string>>;
}

/** Why a template cannot be used, or `null`. */
export function templateError(template: string): string | null {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!REFERENCE.test(match[1]!)) return `unknown placeholder '${match[0]}'; use {{ $value }}, {{ $threshold }} or {{ $labels.<name> }}`;
  }
  return null;
}

/** A checked template with its placeholders filled in; a label the alert lacks reads as empty. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, reference: string) => {
    const match = REFERENCE.exec(reference);
    if (match === null) return whole;
    if (match[1] === 'value') return formatNumber(values.value);
    if (match[1] === 'threshold') return formatNumber(values.threshold);
    return labelOf(values.labels, match[2]!) ?? '';
  });
}

/**
 * A value as people read it in a message: whole numbers as they are, others to 4 significant
 * digits (0.05234 → 0.05234, 3421.57 → 3422, 1.23456 → 1.235); no data reads "no data".
 */
export function formatNumber(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'no data';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value)) return String(value);
  const digits = Math.abs(value) >= 1000 ? 0 : undefined;
  return digits === 0 ? String(Math.round(value)) : String(Number(value.toPrecision(4)));
}
