/**
 * The evaluator form: the fields every evaluator has, the chosen kind's own fields as inputs, and
 * anything else (an llm-judge's `output`, a field the form has no input for) as JSON, so saving
 * an edited evaluator never drops a field. The server checks the spec and names the field at
 * fault; `problemField` finds that name so the form shows the message beside its input.
 */

/** `choice`: one of `choices` (or none, `placeholder` naming what none means); `provider`: one of the server's `--provider`s. */
export type KindFieldType = 'text' | 'longtext' | 'number' | 'boolean' | 'on' | 'json' | 'choice' | 'provider';

export interface KindField {
  name: string;
  type: KindFieldType;
  label: string;
  placeholder?: string;
  choices?: readonly string[];
}

/** The server's built-in judges (quality/judge-builtins.ts). */
export const BUILTIN_JUDGES = ['faithfulness', 'answer-relevance', 'toxicity', 'pii-leak'] as const;

const ON: KindField = { name: 'on', type: 'on', label: 'Reads' };

/** Each kind's own fields (README "Evaluators"; quality/deterministic.ts and judge.ts on the server). */
export const KIND_FIELDS: Readonly<Record<string, readonly KindField[]>> = {
  regex: [{ name: 'pattern', type: 'text', label: 'Pattern', placeholder: '\\bsorry\\b' }, ON],
  contains: [{ name: 'text', type: 'text', label: 'Text', placeholder: 'refund' }, { name: 'caseSensitive', type: 'boolean', label: 'Case sensitive' }, ON],
  equals: [{ name: 'expected', type: 'longtext', label: 'Expected output', placeholder: "the item's expected output when left empty" }],
  'json-schema': [{ name: 'schema', type: 'json', label: 'Schema (JSON)', placeholder: '{ "type": "object", "required": ["answer"] }' }],
  length: [{ name: 'min', type: 'number', label: 'Min characters' }, { name: 'max', type: 'number', label: 'Max characters' }, ON],
  latency: [{ name: 'maxMs', type: 'number', label: 'Max ms', placeholder: '2000' }],
  cost: [{ name: 'maxUsd', type: 'number', label: 'Max USD', placeholder: '0.01' }],
  'tool-called': [{ name: 'tool', type: 'text', label: 'Tool', placeholder: 'search_flights' }],
  'llm-judge': [
    { name: 'builtin', type: 'choice', label: 'Built-in judge', choices: BUILTIN_JUDGES, placeholder: 'none: my prompt and output below' },
    { name: 'provider', type: 'provider', label: 'Provider', placeholder: 'choose one' },
    { name: 'model', type: 'text', label: 'Model', placeholder: 'gpt-4o-mini' },
    { name: 'temperature', type: 'number', label: 'Temperature', placeholder: '0' },
    { name: 'prompt', type: 'longtext', label: 'Prompt', placeholder: 'Does {{output}} answer {{input}}, given {{context}}?' },
    { name: 'output', type: 'json', label: 'Output (JSON)', placeholder: '{ "type": "number", "min": 0, "max": 1 }' },
  ],
};

export const KINDS = Object.keys(KIND_FIELDS);
export const TARGETS = ['llm', 'span', 'trace'] as const;

/** Fields every evaluator has, with inputs of their own. */
const COMMON_FIELDS = ['name', 'kind', 'target', 'filter', 'sampleRate', 'dailyBudgetUsd'] as const;

export interface EvaluatorForm {
  name: string;
  kind: string;
  target: string;
  /** The trace list's filters as a query string. */
  filter: string;
  sampleRate: string;
  dailyBudgetUsd: string;
  /** The kind's own fields, as typed (JSON text for `json` fields, `true`/`''` for booleans). */
  fields: Record<string, string>;
  /** A JSON object of every other field, or empty. */
  extra: string;
}

export const EMPTY_EVALUATOR_FORM: EvaluatorForm = {
  name: '',
  kind: 'regex',
  target: 'llm',
  filter: '',
  sampleRate: '1',
  dailyBudgetUsd: '',
  fields: {},
  extra: '',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A saved spec in the form, its kind's fields in their inputs and the rest as JSON. */
export function formFromSpec(spec: Record<string, unknown>): EvaluatorForm {
  const kind = typeof spec['kind'] === 'string' ? spec['kind'] : '';
  const own = KIND_FIELDS[kind] ?? [];
  const fields: Record<string, string> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if ((COMMON_FIELDS as readonly string[]).includes(key)) continue;
    const field = own.find((f) => f.name === key);
    if (field === undefined) extra[key] = value;
    else if (field.type === 'json') fields[key] = JSON.stringify(value, null, 2);
    else if (field.type === 'boolean') fields[key] = value === true ? 'true' : '';
    else fields[key] = String(value);
  }
  const text = (key: string, fallback = ''): string => (spec[key] === undefined || spec[key] === null ? fallback : String(spec[key]));
  return {
    name: text('name'),
    kind,
    target: text('target', 'llm'),
    filter: text('filter'),
    sampleRate: text('sampleRate', '1'),
    dailyBudgetUsd: text('dailyBudgetUsd'),
    fields,
    extra: Object.keys(extra).length === 0 ? '' : JSON.stringify(extra, null, 2),
  };
}

export type SpecResult = { ok: true; spec: Record<string, unknown> } | { ok: false; field: string; error: string };

/** A number typed in a box, or why it is not one; blank is `undefined` (left to the server's default). */
function numberOf(text: string): number | undefined | string {
  if (text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 'must be a number';
}

/** The body to POST, PUT or preview, or the first field the form itself can tell is wrong (numbers, JSON); the server checks the rest. */
export function specFromForm(form: EvaluatorForm): SpecResult {
  let extra: unknown = {};
  if (form.extra.trim() !== '') {
    try {
      extra = JSON.parse(form.extra);
    } catch (error) {
      return { ok: false, field: 'extra', error: `not valid JSON: ${(error as Error).message}` };
    }
  }
  if (!isObject(extra)) return { ok: false, field: 'extra', error: 'must be a JSON object, like {"temperature": 0}' };
  const own = KIND_FIELDS[form.kind] ?? [];
  for (const key of Object.keys(extra)) {
    if ((COMMON_FIELDS as readonly string[]).includes(key) || own.some((f) => f.name === key))
      return { ok: false, field: 'extra', error: `set '${key}' in its own field, not here` };
  }
  const spec: Record<string, unknown> = { name: form.name.trim(), kind: form.kind, target: form.target };
  if (form.filter.trim() !== '') spec['filter'] = form.filter.trim();
  for (const key of ['sampleRate', 'dailyBudgetUsd'] as const) {
    const n = numberOf(form[key]);
    if (typeof n === 'string') return { ok: false, field: key, error: n };
    if (n !== undefined) spec[key] = n;
  }
  for (const field of own) {
    const text = form.fields[field.name] ?? '';
    if (field.type === 'boolean') {
      if (text === 'true') spec[field.name] = true;
      continue;
    }
    if (text.trim() === '') continue;
    if (field.type === 'number') {
      const n = numberOf(text);
      if (typeof n === 'string') return { ok: false, field: field.name, error: n };
      spec[field.name] = n;
    } else if (field.type === 'json') {
      try {
        spec[field.name] = JSON.parse(text);
      } catch (error) {
        return { ok: false, field: field.name, error: `not valid JSON: ${(error as Error).message}` };
      }
    } else spec[field.name] = field.type === 'longtext' ? text : text.trim();
  }
  Object.assign(spec, extra);
  return { ok: true, spec };
}

/**
 * The field an API error names, when the form has an input for it: the evaluator check's
 * `invalid evaluator: sampleRate: must be …` and the route schema's `'sampleRate' must be …`
 * (`'spec.sampleRate'` in a preview's body, `'output.type'` inside a field). Else `null`: the
 * message is shown above the form.
 */
export function problemField(message: string, kind: string): string | null {
  const text = message.replace(/^invalid evaluator: /, '');
  const named = /^([A-Za-z][\w.]*): /.exec(text)?.[1] ?? /^'([^']+)'/.exec(text)?.[1];
  if (named === undefined) return null;
  const path = named.replace(/^spec\./, '').split(/[.[]/);
  const top = path[0] ?? '';
  if ((COMMON_FIELDS as readonly string[]).includes(top)) return top;
  return (KIND_FIELDS[kind] ?? []).some((f) => f.name === top) ? top : null;
}
