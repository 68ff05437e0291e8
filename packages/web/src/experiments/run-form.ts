import { type Experiment, type NewExperiment, experimentNameProblem } from '@spoor/model';

/**
 * The dataset page's "Run experiment" form as the dashboard checks and sends it, and what it says
 * of the run while it goes. Pure; tested in run-form.test.ts.
 */

export interface RunForm {
  name: string;
  provider: string;
  model: string;
  /** Empty: the recorded system prompt. */
  system: string;
  /** Empty: the recorded temperature. */
  temperature: string;
  evaluators: readonly string[];
}

/** What an experiment's name may hold, said before it is sent (the server answers the same rule with a 400). */
export const NAME_RULE = 'letters, digits, spaces and . _ : / - (starting with a letter or digit), up to 200';

/**
 * Why the name would be refused, naming the characters that are not allowed (a comma is the one
 * people reach for: `gpt-4o-mini, shorter prompt`), or `null`. The form shows `NAME_RULE` beside it.
 */
export function experimentNameText(name: string): string | null {
  if (experimentNameProblem(name) === null) return null;
  if (name.trim() === '') return 'name the experiment';
  const refused = [...new Set([...name].filter((c) => !/[A-Za-z0-9._ :/-]/.test(c)))];
  if (refused.length > 0) return `the name may not hold ${refused.map((c) => (c === '\t' || c === '\n' ? JSON.stringify(c) : `“${c}”`)).join(' ')}`;
  if (name.length > 200) return `the name is ${name.length} characters long: at most 200`;
  return 'the name must start with a letter or digit';
}

/** The first thing in the way of sending the form, or `null`. */
export function runFormProblem(form: RunForm, providers: readonly string[]): string | null {
  const name = experimentNameText(form.name);
  if (name !== null) return name;
  if (providers.length === 0) return 'this Spoor has no provider to run calls on: start it with --provider openai=env:OPENAI_API_KEY';
  if (!providers.includes(form.provider)) return 'pick a provider';
  if (form.model.trim() === '') return 'name the model each call asks for';
  if (form.temperature.trim() !== '') {
    const t = Number(form.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) return 'temperature: a number from 0 to 2, or empty for the recorded one';
  }
  return null;
}

/** The `POST /api/experiments` body of a checked form: each item's recorded call made again with these changes. */
export function newExperimentOf(form: RunForm, dataset: string): NewExperiment {
  const system = form.system.trim() === '' ? {} : { system: form.system };
  const temperature = form.temperature.trim() === '' ? {} : { temperature: Number(form.temperature) };
  return {
    dataset,
    name: form.name,
    target: { kind: 'llm-call', provider: form.provider as 'openai' | 'anthropic', model: form.model.trim(), ...system, ...temperature },
    evaluators: [...form.evaluators],
  };
}

/** The run a new one is compared with: the newest other run on the dataset made before it; `null` for the first. */
export function previousRun(runs: readonly Experiment[], run: Pick<Experiment, 'id' | 'createdAt'>): Experiment | null {
  let found: Experiment | null = null;
  for (const r of runs) {
    if (r.id === run.id || r.createdAt > run.createdAt) continue;
    if (found === null || r.createdAt > found.createdAt) found = r;
  }
  return found;
}

/** `running: 2 of 5 items`, `done: 5 items, 1 errored`, `failed: why`. */
export function progressText(run: Pick<Experiment, 'state' | 'itemsDone' | 'itemCount' | 'itemsErrored' | 'error'>): string {
  const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
  const errored = run.itemsErrored > 0 ? `, ${run.itemsErrored} errored` : '';
  if (run.state === 'running') return `running: ${run.itemsDone} of ${items(run.itemCount)}${errored}`;
  if (run.state === 'failed') return `failed after ${run.itemsDone} of ${items(run.itemCount)}: ${run.error ?? 'no reason given'}`;
  return `done: ${items(run.itemsDone)}${errored}`;
}
