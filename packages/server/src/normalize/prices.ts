import { costByBook, type LlmFields, type ModelPrice, type PriceBook, type PriceTable } from '@spoor/model';

/** Fills `costUsd` from the price book, unless the span reported its own cost. */
export function priceLlm(llm: LlmFields, prices: PriceBook): void {
  if (llm.costSource === 'reported') return;
  const cost = costByBook(llm, prices);
  llm.costUsd = cost;
  llm.costSource = cost === null ? null : 'price_table';
}

/** Thrown for a price table that cannot be used; the message says where and why. */
export class PriceTableError extends Error {
  override name = 'PriceTableError';
}

const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;
const MODEL_FIELDS = new Set(['model', 'provider', 'aliases', ...PRICE_FIELDS, 'longContext']);
const LONG_CONTEXT_FIELDS = new Set(['aboveInputTokens', 'input', 'output', 'cacheRead', 'cacheWrite']);

/** Checks one model's price as a user wrote it (file or API); returns it with lowercase ids. */
export function modelPriceFrom(value: unknown, where: string): ModelPrice {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PriceTableError(`${where}: expected an object with model, provider, input and output`);
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!MODEL_FIELDS.has(key)) throw new PriceTableError(`${where}: unknown field '${key}' (known: ${[...MODEL_FIELDS].join(', ')})`);
  }
  if (typeof v.model !== 'string' || v.model.trim() === '') throw new PriceTableError(`${where}: 'model' must be a non-empty string`);
  const at = `${where} (${v.model})`;
  if (typeof v.provider !== 'string' || v.provider === '') throw new PriceTableError(`${at}: 'provider' must be a non-empty string, e.g. "openai"`);
  const price: ModelPrice = { model: v.model.trim().toLowerCase(), provider: v.provider, input: 0, output: 0 };
  for (const field of PRICE_FIELDS) {
    const amount = v[field];
    if (amount === undefined && (field === 'input' || field === 'output')) throw new PriceTableError(`${at}: '${field}' (USD per million tokens) is required`);
    if (amount === undefined) continue;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)
      throw new PriceTableError(`${at}: '${field}' must be a number of USD per million tokens, at least 0`);
    price[field] = amount;
  }
  if (v.aliases !== undefined) {
    if (!Array.isArray(v.aliases) || !v.aliases.every((a) => typeof a === 'string' && a !== ''))
      throw new PriceTableError(`${at}: 'aliases' must be an array of model ids`);
    price.aliases = (v.aliases as string[]).map((a) => a.toLowerCase());
  }
  if (v.longContext !== undefined) {
    const lc = v.longContext as Record<string, unknown>;
    if (typeof lc !== 'object' || lc === null || Array.isArray(lc)) throw new PriceTableError(`${at}: 'longContext' must be an object`);
    for (const key of Object.keys(lc)) if (!LONG_CONTEXT_FIELDS.has(key)) throw new PriceTableError(`${at}: unknown field 'longContext.${key}'`);
    for (const key of ['aboveInputTokens', 'input', 'output']) {
      if (typeof lc[key] !== 'number' || !Number.isFinite(lc[key]) || (lc[key] as number) < 0)
        throw new PriceTableError(`${at}: 'longContext.${key}' must be a number, at least 0`);
    }
    for (const key of ['cacheRead', 'cacheWrite']) {
      if (lc[key] !== undefined && (typeof lc[key] !== 'number' || !Number.isFinite(lc[key]) || (lc[key] as number) < 0))
        throw new PriceTableError(`${at}: 'longContext.${key}' must be a number, at least 0`);
    }
    price.longContext = lc as unknown as ModelPrice['longContext'];
  }
  return price;
}

/** Checks a whole price table (a user's `--prices` file). */
export function priceTableFrom(value: unknown, where: string): PriceTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PriceTableError(`${where}: expected { "asOf": "YYYY-MM-DD", "models": [...] }`);
  const v = value as Record<string, unknown>;
  if (typeof v.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v.asOf))
    throw new PriceTableError(`${where}: 'asOf' must be the date of the prices, as YYYY-MM-DD`);
  if (!Array.isArray(v.models)) throw new PriceTableError(`${where}: 'models' must be an array of model prices`);
  return { asOf: v.asOf, models: v.models.map((m, i) => modelPriceFrom(m, `${where}: models[${i}]`)) };
}
