import type { AlertRuleSpec, AlertSeverity } from '@spoor/model';

/**
 * The rule form: the fields most rules set have inputs of their own; everything else (thresholds,
 * labels, notify, groupBy, noData, waits) is edited as JSON, so saving an edited rule never drops
 * a field the form has no input for. The server checks the rule and says what is wrong.
 */
export interface RuleForm {
  name: string;
  expr: string;
  for: string;
  /** `''` leaves it to the server: `warning`, or the `thresholds`. */
  severity: AlertSeverity | '';
  summary: string;
  description: string;
  /** A JSON object of the other rule fields, or empty. */
  extra: string;
}

export const EMPTY_RULE_FORM: RuleForm = { name: '', expr: '', for: '', severity: '', summary: '', description: '', extra: '' };

/** Fields with their own input; `extra` may not set them. */
const OWN_FIELDS = ['name', 'expr', 'for', 'severity'] as const;
/** Annotations with their own input; others stay in `extra.annotations`. */
const OWN_ANNOTATIONS = ['summary', 'description'] as const;

export function ruleFormFromSpec(spec: AlertRuleSpec): RuleForm {
  const { name, expr, for: forDuration, severity, annotations, ...rest } = spec;
  const { summary, description, ...otherAnnotations } = annotations ?? {};
  const extra: Record<string, unknown> = { ...rest };
  if (Object.keys(otherAnnotations).length > 0) extra['annotations'] = otherAnnotations;
  return {
    name,
    expr,
    for: forDuration ?? '',
    severity: severity ?? '',
    summary: summary ?? '',
    description: description ?? '',
    extra: Object.keys(extra).length === 0 ? '' : JSON.stringify(extra, null, 2),
  };
}

export type RuleSpecResult = { ok: true; spec: Record<string, unknown> } | { ok: false; error: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body to POST or PUT, or why the form cannot make one (the JSON part only; the server checks the rest). */
export function ruleSpecFromForm(form: RuleForm): RuleSpecResult {
  let extra: unknown = {};
  if (form.extra.trim() !== '') {
    try {
      extra = JSON.parse(form.extra);
    } catch (error) {
      return { ok: false, error: `Other fields are not valid JSON: ${(error as Error).message}` };
    }
  }
  if (!isObject(extra)) return { ok: false, error: 'Other fields must be a JSON object, like {"labels": {"team": "search"}}.' };
  for (const key of OWN_FIELDS) {
    if (key in extra) return { ok: false, error: `Set '${key}' in its own field, not in other fields.` };
  }
  const { annotations: extraAnnotations, ...rest } = extra;
  if (extraAnnotations !== undefined && !isObject(extraAnnotations)) return { ok: false, error: "Other fields: 'annotations' must be an object of texts." };
  const annotations: Record<string, unknown> = { ...extraAnnotations };
  for (const key of OWN_ANNOTATIONS) {
    if (form[key].trim() !== '') annotations[key] = form[key].trim();
    else delete annotations[key];
  }
  const spec: Record<string, unknown> = { name: form.name.trim(), expr: form.expr.trim() };
  if (form.for.trim() !== '') spec['for'] = form.for.trim();
  if (form.severity !== '') spec['severity'] = form.severity;
  Object.assign(spec, rest);
  if (Object.keys(annotations).length > 0) spec['annotations'] = annotations;
  return { ok: true, spec };
}
