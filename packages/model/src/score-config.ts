/**
 * A score config: what a score of one name means, so that a rubric, the API and evaluators read a
 * name one way. `numeric` scores are values in `[min, max]`; `categorical` ones are one of
 * `labels`; `boolean` ones are the value 1 (true) or 0 (false).
 */
export const SCORE_CONFIG_TYPES = ['numeric', 'categorical', 'boolean'] as const;
export type ScoreConfigType = (typeof SCORE_CONFIG_TYPES)[number];

export type ScoreConfig =
  | { name: string; description: string; type: 'numeric'; min: number; max: number }
  | { name: string; description: string; type: 'categorical'; labels: string[] }
  | { name: string; description: string; type: 'boolean' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const FIELDS: Record<ScoreConfigType, readonly string[]> = {
  numeric: ['name', 'description', 'type', 'min', 'max'],
  categorical: ['name', 'description', 'type', 'labels'],
  boolean: ['name', 'description', 'type'],
};

/** Why `raw` is not a score config, naming the field under `at` (`rubric[0]`), or `null`. */
export function scoreConfigProblem(raw: unknown, at: string): string | null {
  if (!isObject(raw)) return `${at}: must be an object with name, type and description`;
  if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 200) return `${at}.name: a score config needs a name (1 to 200 characters)`;
  if (!(SCORE_CONFIG_TYPES as readonly unknown[]).includes(raw.type)) return `${at}.type: must be one of ${SCORE_CONFIG_TYPES.join(', ')}`;
  const type = raw.type as ScoreConfigType;
  const extra = Object.keys(raw).find((k) => !FIELDS[type].includes(k));
  if (extra !== undefined) return `${at}.${extra}: not a field of a ${type} score config (${FIELDS[type].join(', ')})`;
  if (raw.description !== undefined && typeof raw.description !== 'string') return `${at}.description: must be a string`;
  if (type === 'numeric') {
    if (typeof raw.min !== 'number' || !Number.isFinite(raw.min)) return `${at}.min: a numeric score config needs a finite min`;
    if (typeof raw.max !== 'number' || !Number.isFinite(raw.max)) return `${at}.max: a numeric score config needs a finite max`;
    if (!(raw.max > raw.min)) return `${at}.max: must be above min (${raw.min})`;
  }
  if (type === 'categorical') {
    const labels = raw.labels;
    if (!Array.isArray(labels) || labels.length < 2) return `${at}.labels: a categorical score config needs at least two labels`;
    const bad = labels.findIndex((l) => typeof l !== 'string' || l.trim() === '');
    if (bad !== -1) return `${at}.labels[${bad}]: must be a non-empty string`;
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) return `${at}.labels: '${twice as string}' is given twice`;
  }
  return null;
}

/** `raw` (checked by `scoreConfigProblem`) with its description filled in. */
export function scoreConfigOf(raw: Record<string, unknown>): ScoreConfig {
  return { ...raw, description: (raw.description as string | undefined) ?? '' } as ScoreConfig;
}

/**
 * Why a score of `config`'s name is not one it allows, naming the field under `at` and the value,
 * or `null`. A boolean is sent as `value` true or false (or 1 or 0).
 */
export function configuredScoreProblem(config: ScoreConfig, score: { value?: unknown; label?: unknown }, at: string): string | null {
  const value = score.value ?? null;
  const label = score.label ?? null;
  if (config.type === 'categorical') {
    if (value !== null) return `${at}.value: '${config.name}' is categorical: give a label (${config.labels.join(', ')})`;
    if (typeof label !== 'string' || !config.labels.includes(label))
      return `${at}.label: '${String(label)}' is not a label of '${config.name}' (${config.labels.join(', ')})`;
    return null;
  }
  if (label !== null) return `${at}.label: '${config.name}' is ${config.type}: give a value, not a label`;
  if (config.type === 'boolean') {
    if (value === true || value === false || value === 0 || value === 1) return null;
    return `${at}.value: '${String(value)}' is not a value of '${config.name}' (boolean: true or false)`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < config.min || value > config.max)
    return `${at}.value: ${JSON.stringify(value)} is out of the range of '${config.name}' (${config.min} to ${config.max})`;
  return null;
}

/** A checked score's stored value and label: a boolean's `true` is the value 1. */
export function configuredScore(config: ScoreConfig, score: { value?: unknown; label?: unknown }): { value: number | null; label: string | null } {
  if (config.type === 'categorical') return { value: null, label: score.label as string };
  const value = score.value;
  return { value: value === true ? 1 : value === false ? 0 : (value as number), label: null };
}
