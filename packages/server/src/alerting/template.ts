import { labelOf } from './labels.js';

/**
 * Annotation templates: `{{ $value }}`, `{{ $threshold }}` and `{{ $labels.<name> }}`, a number
 * optionally through `| humanizePercentage` (0.1333 → 13.33%, Prometheus's name) or `| usd`
 * ($0.52, $0.00041), nothing else, so a template is checked when the rule is read rather than
 * failing when it fires.
 */

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const REFERENCE = /^\$(value|threshold|labels\.([A-Za-z_][A-Za-z0-9_.]*))(?:\s*\|\s*(humanizePercentage|usd))?$/;
const FORMATS: Record<string, (value: number | null) => string> = { humanizePercentage: formatPercent, usd: formatUsd };

export interface TemplateValues {
  value: number | null;
  threshold: number | null;
  labels: Readonly<Record<string, string>>;
}

/** Why a template cannot be used, or `null`. */
export function templateError(template: string): string | null {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const reference = REFERENCE.exec(match[1]!);
    if (reference === null) {
      return `unknown placeholder '${match[0]}'; use {{ $value }}, {{ $threshold }} or {{ $labels.<name> }}, a number optionally as {{ $value | humanizePercentage }} or {{ $value | usd }}`;
    }
    if (reference[3] !== undefined && reference[2] !== undefined) return `'${match[0]}': only $value and $threshold are numbers to format`;
  }
  return null;
}

/** A checked template with its placeholders filled in; a label the alert lacks reads as empty. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, reference: string) => {
    const match = REFERENCE.exec(reference);
    if (match === null) return whole;
    const format = match[3] === undefined ? formatNumber : FORMATS[match[3]]!;
    if (match[1] === 'value') return format(values.value);
    if (match[1] === 'threshold') return format(values.threshold);
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

/** A ratio as a percentage to 4 significant digits: 0.1333 → 13.33%, 1 → 100%. */
function formatPercent(value: number | null): string {
  if (value === null || Number.isNaN(value) || !Number.isFinite(value)) return formatNumber(value);
  return `${formatNumber(value * 100)}%`;
}

/** Dollars as people read a price: cents from $0.01 up ($0.52, $1,204.50), two significant digits below ($0.00041). */
function formatUsd(value: number | null): string {
  if (value === null || Number.isNaN(value) || !Number.isFinite(value)) return formatNumber(value);
  const sign = value < 0 ? '-' : '';
  const usd = Math.abs(value);
  if (usd === 0 || usd >= 0.01) return `${sign}$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `${sign}$${Number(usd.toPrecision(2))}`;
}
