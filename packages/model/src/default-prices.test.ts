import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from './default-prices.js';
import type { ModelPrice } from './prices.js';

const { models } = DEFAULT_PRICES;
const PROVIDERS = ['openai', 'anthropic', 'gcp.gemini', 'mistral_ai'];

const idsOf = (m: ModelPrice): string[] => [m.model, ...(m.aliases ?? [])];
const isEmbedding = (m: ModelPrice): boolean => m.model.includes('embed');
/** The built-in demo provider's model, which costs nothing. */
const isFree = (m: ModelPrice): boolean => m.model === 'spoor-demo';

/** The entry whose model id or one of whose aliases is `id`. */
function lookup(id: string): ModelPrice {
  const found = models.filter((m) => idsOf(m).includes(id));
  expect(found, id).toHaveLength(1);
  return found[0]!;
}

/** Every price of an entry, labelled, long-context ones included. */
function pricesOf(m: ModelPrice): [string, number | undefined][] {
  const lc = m.longContext;
  return [
    ['input', m.input],
    ['output', m.output],
    ['cacheRead', m.cacheRead],
    ['cacheWrite', m.cacheWrite],
    ['reasoning', m.reasoning],
    ['longContext.input', lc?.input],
    ['longContext.output', lc?.output],
    ['longContext.cacheRead', lc?.cacheRead],
    ['longContext.cacheWrite', lc?.cacheWrite],
  ];
}

describe('DEFAULT_PRICES.asOf', () => {
  it('is a real YYYY-MM-DD date', () => {
    expect(DEFAULT_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Round-tripping catches impossible dates such as 2026-02-30.
    expect(new Date(`${DEFAULT_PRICES.asOf}T00:00:00Z`).toISOString().slice(0, 10)).toBe(DEFAULT_PRICES.asOf);
  });

  it('is not later than 2026-12-31', () => {
    expect(DEFAULT_PRICES.asOf <= '2026-12-31').toBe(true);
  });
});

describe('DEFAULT_PRICES ids', () => {
  const all = models.flatMap(idsOf);

  it('covers every provider', () => {
    expect(new Set(models.map((m) => m.provider))).toEqual(new Set(PROVIDERS));
  });

  it.each(all)('%s is lowercase and has no whitespace', (id) => {
    expect(id).toBe(id.toLowerCase());
    expect(id).toMatch(/^\S+$/);
  });

  it('has no id or alias twice across the table', () => {
    const seen = new Set<string>();
    const duplicates = all.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    expect(duplicates).toEqual([]);
  });

  it.each(models.filter((m) => m.aliases !== undefined).map((m) => [m.model, m.aliases!] as const))(
    '%s lists at least one alias when it has the field',
    (_model, aliases) => {
      expect(aliases.length).toBeGreaterThan(0);
    },
  );
});

describe.each(models.map((m) => [m.model, m] as const))('%s', (_id, m) => {
  it('names a known provider', () => {
    expect(PROVIDERS).toContain(m.provider);
  });

  it('has finite, non-negative prices', () => {
    for (const [field, price] of pricesOf(m)) {
      if (price === undefined) continue;
      expect(Number.isFinite(price), field).toBe(true);
      expect(price, field).toBeGreaterThanOrEqual(0);
    }
  });

  it(isFree(m) ? 'is free' : isEmbedding(m) ? 'is an embedding model: no output price' : 'is a chat model: charges for input and output', () => {
    if (isFree(m)) {
      expect([m.input, m.output]).toEqual([0, 0]);
    } else if (isEmbedding(m)) {
      expect(m.output).toBe(0);
    } else {
      expect(m.input).toBeGreaterThan(0);
      expect(m.output).toBeGreaterThan(0);
    }
  });

  it('reads the cache for less than input, and writes it for no less', () => {
    if (m.cacheRead !== undefined) expect(m.cacheRead).toBeLessThan(m.input);
    if (m.cacheWrite !== undefined) expect(m.cacheWrite).toBeGreaterThanOrEqual(m.input);
  });

  it('charges no less above the long-context threshold', () => {
    const lc = m.longContext;
    if (lc === undefined) return;
    expect(Number.isInteger(lc.aboveInputTokens)).toBe(true);
    expect(lc.aboveInputTokens).toBeGreaterThan(0);
    expect(lc.input).toBeGreaterThanOrEqual(m.input);
    expect(lc.output).toBeGreaterThanOrEqual(m.output);
    if (lc.cacheRead !== undefined) {
      expect(lc.cacheRead).toBeGreaterThanOrEqual(m.cacheRead ?? 0);
      expect(lc.cacheRead).toBeLessThan(lc.input);
    }
    if (lc.cacheWrite !== undefined) {
      expect(lc.cacheWrite).toBeGreaterThanOrEqual(m.cacheWrite ?? 0);
      expect(lc.cacheWrite).toBeGreaterThanOrEqual(lc.input);
    }
  });
});

describe('well-known prices', () => {
  it.each([
    // id, provider, input, output, cacheRead, cacheWrite
    ['gpt-4o', 'openai', 2.5, 10, 1.25, undefined],
    ['gpt-4o-2024-08-06', 'openai', 2.5, 10, 1.25, undefined],
    ['gpt-4o-2024-05-13', 'openai', 5, 15, undefined, undefined],
    ['gpt-4o-mini-2024-07-18', 'openai', 0.15, 0.6, 0.075, undefined],
    ['gpt-4.1', 'openai', 2, 8, 0.5, undefined],
    ['gpt-5', 'openai', 1.25, 10, 0.125, undefined],
    ['o3', 'openai', 2, 8, 0.5, undefined],
    ['text-embedding-3-small', 'openai', 0.02, 0, undefined, undefined],
    ['text-embedding-3-large', 'openai', 0.13, 0, undefined, undefined],
    ['claude-sonnet-4-5', 'anthropic', 3, 15, 0.3, 3.75],
    ['claude-sonnet-4-5-20250929', 'anthropic', 3, 15, 0.3, 3.75],
    ['claude-3-5-sonnet-latest', 'anthropic', 3, 15, 0.3, 3.75],
    ['claude-opus-4-1', 'anthropic', 15, 75, 1.5, 18.75],
    ['claude-haiku-4-5', 'anthropic', 1, 5, 0.1, 1.25],
    ['claude-3-haiku-20240307', 'anthropic', 0.25, 1.25, 0.03, 0.3],
    ['gemini-2.5-pro', 'gcp.gemini', 1.25, 10, 0.125, undefined],
    ['gemini-2.5-flash', 'gcp.gemini', 0.3, 2.5, 0.03, undefined],
    ['gemini-embedding-001', 'gcp.gemini', 0.15, 0, undefined, undefined],
    ['mistral-embed', 'mistral_ai', 0.1, 0, undefined, undefined],
    ['codestral-latest', 'mistral_ai', 0.3, 0.9, 0.03, undefined],
  ] as const)('%s (%s) costs %d in, %d out', (id, provider, input, output, cacheRead, cacheWrite) => {
    const m = lookup(id);
    expect(m.provider).toBe(provider);
    expect([m.input, m.output, m.cacheRead, m.cacheWrite]).toEqual([input, output, cacheRead, cacheWrite]);
  });

  it('bills Claude Sonnet 4.5 above 200K input tokens at the long-context rates', () => {
    expect(lookup('claude-sonnet-4-5').longContext).toEqual({
      aboveInputTokens: 200_000,
      input: 6,
      output: 22.5,
      cacheRead: 0.6,
      cacheWrite: 7.5,
    });
  });

  it('bills Gemini 2.5 Pro above 200K prompt tokens at the long-context rates', () => {
    expect(lookup('gemini-2.5-pro').longContext).toEqual({ aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25 });
  });

  it('keeps the 2024-05-13 GPT-4o snapshot apart from gpt-4o', () => {
    expect(lookup('gpt-4o-2024-05-13').model).toBe('gpt-4o-2024-05-13');
    expect(lookup('gpt-4o-2024-11-20').model).toBe('gpt-4o');
  });
});
