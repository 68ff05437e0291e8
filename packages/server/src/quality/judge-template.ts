import { type EvaluationTarget, NothingToJudge } from './kind.js';

/**
 * A judge's prompt template: text with `{{input}}`, `{{output}}`, `{{context}}` and `{{expected}}`
 * (spaces inside the braces allowed), filled from the target it judges. Pure.
 */

export const TEMPLATE_VARIABLES = ['input', 'output', 'context', 'expected'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** The values a template is filled with; `null` for what the target does not have. */
export type TemplateValues = Record<TemplateVariable, string | null>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN = TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ');

function isVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Why `prompt` cannot be a judge's template (naming the first unknown variable), or `null`. */
export function templateProblem(prompt: string): string | null {
  if (prompt.trim() === '') return 'prompt: must be a non-empty template';
  for (const [, name] of prompt.matchAll(PLACEHOLDER)) {
    if (!isVariable(name!)) return `prompt: unknown variable {{${name}}} (known: ${KNOWN})`;
  }
  // A template with no variable asks every target the same question and gets the same answer.
  if (templateVariables(prompt).length === 0) return `prompt: names none of ${KNOWN}, so it would judge every target alike`;
  return null;
}

/** The variables a template names, each once, in order of first use. */
export function templateVariables(prompt: string): TemplateVariable[] {
  const names = new Set<TemplateVariable>();
  for (const [, name] of prompt.matchAll(PLACEHOLDER)) if (isVariable(name!)) names.add(name);
  return [...names];
}

/** What a target gives each variable: retrieved documents numbered, one paragraph each. */
export function templateValuesOf(target: Pick<EvaluationTarget, 'input' | 'output' | 'context' | 'expected'>): TemplateValues {
  return {
    input: target.input,
    output: target.output,
    context: target.context.length === 0 ? null : target.context.map((text, i) => `[${i + 1}] ${text}`).join('\n\n'),
    expected: target.expected,
  };
}

/** Thrown by `renderTemplate` when the template names a variable the target has no value for: nothing to judge. */
export class MissingVariableError extends NothingToJudge {
  override name = 'MissingVariableError';

  constructor(readonly variable: TemplateVariable) {
    super(`the target has no ${variable} for {{${variable}}} (${MISSING_WHY[variable]})`);
  }
}

const MISSING_WHY: Record<TemplateVariable, string> = {
  input: 'its instrumentation did not record the input',
  output: 'its instrumentation did not record the output',
  context: 'no retriever span of the trace returned documents',
  expected: 'an expected output exists only when an experiment runs the evaluator',
};

/**
 * The template filled in one pass, so a value that itself contains `{{output}}` stays as it is.
 * Throws `MissingVariableError` for a variable the target lacks: an empty value would have the
 * judge score a blank rather than say it cannot.
 */
export function renderTemplate(prompt: string, values: TemplateValues): string {
  return prompt.replace(PLACEHOLDER, (placeholder, name: string) => {
    if (!isVariable(name)) return placeholder;
    const value = values[name];
    if (value === null) throw new MissingVariableError(name);
    return value;
  });
}
