import { costOf, DEFAULT_PRICES, PriceBook, type LlmFields, type PriceTable } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { modelPriceFrom, priceLlm, priceTableFrom, PriceTableError } from './prices.js';

const book = new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);

function llm(overrides: Partial<LlmFields>): LlmFields {
  return {
    provider: null,
    operation: 'chat',
    requestModel: null,
    responseModel: null,
    inputTokens: null,
    outputTokens: null,
    totalTokens: null,
    cacheReadInputTokens: null,
    cacheCreationInputTokens: null,
    reasoningTokens: null,
    costUsd: null,
    costSource: null,
    timeToFirstTokenMs: null,
    finishReasons: null,
    ...overrides,
  };
}

function priced(fields: Partial<LlmFields>): number | null {
  const l = llm(fields);
  priceLlm(l, book);
  return l.costUsd;
}

describe('costOf, worked out by hand', () => {
  // Counts are canonical: input includes cache reads and writes, output includes reasoning.
  it.each([
    [
      'OpenAI gpt-4o: 1,200 prompt tokens of which 1,000 cached, 300 completion of which 100 reasoning',
      { responseModel: 'gpt-4o-2024-08-06', inputTokens: 1_200, cacheReadInputTokens: 1_000, outputTokens: 300, reasoningTokens: 100 },
      // 200 uncached x $2.50 + 1,000 cached x $1.25 + 300 output x $10 (reasoning bills as output).
      (200 * 2.5 + 1_000 * 1.25 + 300 * 10) / 1e6,
    ],
    [
      'OpenAI o3: 5,000 input of which 4,000 cached, 2,000 output of which 1,500 reasoning',
      { requestModel: 'o3', inputTokens: 5_000, cacheReadInputTokens: 4_000, outputTokens: 2_000, reasoningTokens: 1_500 },
      (1_000 * 2 + 4_000 * 0.5 + 2_000 * 8) / 1e6,
    ],
    [
      'Anthropic claude-sonnet-4-5: 200 uncached + 1,000 cache reads + 300 cache writes, 300 output',
      { requestModel: 'claude-sonnet-4-5', inputTokens: 1_500, cacheReadInputTokens: 1_000, cacheCreationInputTokens: 300, outputTokens: 300 },
      (200 * 3 + 1_000 * 0.3 + 300 * 3.75 + 300 * 15) / 1e6,
    ],
    [
      'Anthropic claude-sonnet-4-5 with thinking: 800 output of which 500 thinking',
      { requestModel: 'claude-sonnet-4-5', inputTokens: 1_000, outputTokens: 800, reasoningTokens: 500 },
      (1_000 * 3 + 800 * 15) / 1e6,
    ],
    [
      'Anthropic claude-sonnet-4-5 above 200k input tokens: the long-context prices apply to the whole call',
      { requestModel: 'claude-sonnet-4-5', inputTokens: 250_000, outputTokens: 1_000 },
      (250_000 * 6 + 1_000 * 22.5) / 1e6,
    ],
    ['an embedding: input only', { requestModel: 'text-embedding-3-small', operation: 'embeddings', inputTokens: 10_000 }, (10_000 * 0.02) / 1e6],
  ])('%s', (_case, fields, expected) => {
    expect(priced(fields)).toBeCloseTo(expected, 12);
  });

  it('bills reasoning at its own price when a model has one, and the rest of the output at the output price', () => {
    const price = { model: 'thinker', provider: 'x', input: 1, output: 2, reasoning: 4 };
    expect(costOf(llm({ inputTokens: 1_000, outputTokens: 1_000, reasoningTokens: 600 }), price)).toBeCloseTo((1_000 * 1 + 400 * 2 + 600 * 4) / 1e6, 12);
  });

  it('bills cache reads at the input price when a model has no cache price, never at zero', () => {
    const price = { model: 'plain', provider: 'x', input: 1, output: 2 };
    expect(costOf(llm({ inputTokens: 1_000, cacheReadInputTokens: 800, outputTokens: 0 }), price)).toBeCloseTo(1_000 / 1e6, 12);
  });

  it('never counts more cached tokens than the call had input', () => {
    const price = { model: 'p', provider: 'x', input: 10, output: 0, cacheRead: 1 };
    expect(costOf(llm({ inputTokens: 100, cacheReadInputTokens: 500 }), price)).toBeCloseTo((100 * 1) / 1e6, 12);
  });

  it('is null for a call without token counts', () => {
    expect(priced({ requestModel: 'gpt-4o' })).toBeNull();
  });
});

describe('priceLlm', () => {
  it('leaves an unknown model unpriced (null), never 0', () => {
    const l = llm({ requestModel: 'my-local-llama', inputTokens: 100, outputTokens: 10 });
    priceLlm(l, book);
    expect(l).toMatchObject({ costUsd: null, costSource: null });
  });

  it('keeps a reported cost as reported', () => {
    const l = llm({ requestModel: 'gpt-4o', inputTokens: 100, outputTokens: 10, costUsd: 0.5, costSource: 'reported' });
    priceLlm(l, book);
    expect(l).toMatchObject({ costUsd: 0.5, costSource: 'reported' });
  });

  it('prices by the response model first: a dated snapshot can bill differently from its alias', () => {
    const old = llm({ requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-05-13', inputTokens: 1_000, outputTokens: 0 });
    priceLlm(old, book);
    expect(old.costUsd).toBeCloseTo((1_000 * 5) / 1e6, 12);
    expect(old.costSource).toBe('price_table');
  });
});

describe('PriceBook.find', () => {
  it.each([
    ['gpt-4o', 'gpt-4o'],
    ['GPT-4o', 'gpt-4o'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai/gpt-4o-mini', 'gpt-4o-mini'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['gpt-4o-2099-01-01', 'gpt-4o'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
  ])('finds %s as %s', (id, model) => {
    expect(book.find(id)?.model).toBe(model);
  });

  it.each([['ft:gpt-4o-mini-2024-07-18:acme::abc123'], ['my-local-llama'], [''], [null]])('does not price %s', (id) => {
    expect(book.find(id)).toBeUndefined();
  });

  it('lets a later layer replace a model whole, aliases included', () => {
    const file: PriceTable = { asOf: '2030-01-01', models: [{ model: 'gpt-4o', provider: 'openai', input: 1, output: 1 }] };
    const layered = new PriceBook([
      { table: DEFAULT_PRICES, origin: 'default' },
      { table: file, origin: 'file' },
    ]);
    expect(layered.find('gpt-4o')).toMatchObject({ input: 1, origin: 'file' });
    // The old entry's alias no longer points at the old price.
    expect(layered.find('gpt-4o-2024-08-06')?.input).not.toBe(2.5);
    expect(layered.asOf).toBe('2030-01-01');
  });
});

describe('price validation', () => {
  it('accepts a table in the documented shape and lowercases ids', () => {
    const table = priceTableFrom(
      { asOf: '2026-11-01', models: [{ model: 'Acme-1', provider: 'acme', input: 1, output: 2, aliases: ['ACME-1-0901'] }] },
      'prices.json',
    );
    expect(table.models[0]).toEqual({ model: 'acme-1', provider: 'acme', input: 1, output: 2, aliases: ['acme-1-0901'] });
  });

  it.each([
    [{ asOf: 'yesterday', models: [] }, "'asOf' must be the date"],
    [{ asOf: '2026-11-01', models: {} }, "'models' must be an array"],
    [{ asOf: '2026-11-01', models: [{ model: 'a', provider: 'p', input: 1 }] }, "models[0] (a): 'output' (USD per million tokens) is required"],
    [{ asOf: '2026-11-01', models: [{ model: 'a', provider: 'p', input: -1, output: 1 }] }, "'input' must be a number"],
    [{ asOf: '2026-11-01', models: [{ model: 'a', provider: 'p', input: 1, output: 1, cached: 1 }] }, "unknown field 'cached'"],
  ])('rejects %j saying what is wrong', (table, message) => {
    expect(() => priceTableFrom(table, 'prices.json')).toThrow(PriceTableError);
    expect(() => priceTableFrom(table, 'prices.json')).toThrow(message);
  });

  it('rejects a long-context tier without its threshold', () => {
    expect(() => modelPriceFrom({ model: 'a', provider: 'p', input: 1, output: 1, longContext: { input: 2, output: 2 } }, 'body')).toThrow(
      "'longContext.aboveInputTokens' must be a number",
    );
  });
});
