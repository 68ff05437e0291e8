import type { PriceTable } from './prices.js';

/**
 * The price table Spoor ships with: list prices for the models of OpenAI, Anthropic, Google Gemini
 * and Mistral, in US dollars per million tokens, Standard tier, no batch or promotional discounts
 * unless an entry says so. Users override or extend it with a file of the same shape.
 *
 * An entry marked `// unverified` carries a price no source consulted could confirm; the comment
 * says which field. A retired model stays in the table so that old traces still price.
 */
export const DEFAULT_PRICES: PriceTable = {
  asOf: '2026-11-21',
  models: [
    // OpenAI. Source: developers.openai.com model pages and pricing page (GPT-6.x, GPT-5.x), the
    // LiteLLM and LaoZhang launch notes for GPT-6.2, and simonw/llm-prices data/openai.json for
    // older models. Above 272K input tokens GPT-5.4 and later bill the whole request at the
    // long-context rates. `cacheWrite` is the 30-minute retention price.
    {
      model: 'gpt-6.2-astra',
      provider: 'openai',
      input: 8,
      output: 40,
      cacheRead: 0.4,
      cacheWrite: 10, // unverified: cacheWrite assumed 1.25x input, as for every other GPT-6 model
      longContext: { aboveInputTokens: 272_000, input: 16, output: 60, cacheRead: 0.8, cacheWrite: 20 },
    },
    {
      model: 'gpt-6.2-sol',
      provider: 'openai',
      input: 2,
      output: 10,
      cacheRead: 0.1,
      cacheWrite: 2.5,
      longContext: { aboveInputTokens: 272_000, input: 4, output: 15, cacheRead: 0.2, cacheWrite: 5 },
    },
    {
      model: 'gpt-6.1-sol',
      provider: 'openai',
      input: 2,
      output: 10,
      cacheRead: 0.1,
      cacheWrite: 2.5,
      longContext: { aboveInputTokens: 272_000, input: 4, output: 15, cacheRead: 0.2, cacheWrite: 5 },
    },
    {
      model: 'gpt-6.1-terra',
      provider: 'openai',
      input: 1,
      output: 5,
      cacheRead: 0.05,
      cacheWrite: 1.25,
      longContext: { aboveInputTokens: 272_000, input: 2, output: 7.5, cacheRead: 0.1, cacheWrite: 2.5 },
    },
    {
      model: 'gpt-6-astra',
      provider: 'openai',
      input: 10,
      output: 50,
      cacheRead: 1,
      cacheWrite: 12.5,
      longContext: { aboveInputTokens: 272_000, input: 20, output: 75, cacheRead: 2, cacheWrite: 25 },
    },
    {
      model: 'gpt-6-sol',
      provider: 'openai',
      input: 2,
      output: 10,
      cacheRead: 0.2,
      cacheWrite: 2.5,
      longContext: { aboveInputTokens: 272_000, input: 4, output: 15, cacheRead: 0.4, cacheWrite: 5 },
    },
    {
      model: 'gpt-6-luna',
      provider: 'openai',
      input: 0.1,
      output: 0.5,
      cacheRead: 0.01,
      cacheWrite: 0.125,
      longContext: { aboveInputTokens: 272_000, input: 0.2, output: 0.75, cacheRead: 0.02, cacheWrite: 0.25 },
    },
    {
      // Promotional price, announced as running at least until 2026-11-21 (list: $5 / $30).
      model: 'gpt-5.6-sol',
      provider: 'openai',
      aliases: ['gpt-5.6'],
      input: 4,
      output: 20,
      cacheRead: 0.4,
      cacheWrite: 5,
      longContext: { aboveInputTokens: 272_000, input: 8, output: 30 },
    },
    {
      model: 'gpt-5.6-terra',
      provider: 'openai',
      input: 2,
      output: 12,
      cacheRead: 0.2,
      cacheWrite: 2.5,
      longContext: { aboveInputTokens: 272_000, input: 4, output: 18 },
    },
    {
      model: 'gpt-5.6-luna',
      provider: 'openai',
      input: 0.2,
      output: 1.2,
      cacheRead: 0.02,
      cacheWrite: 0.25,
      longContext: { aboveInputTokens: 272_000, input: 0.4, output: 1.8 },
    },
    {
      model: 'gpt-5.5',
      provider: 'openai',
      input: 5,
      output: 30,
      cacheRead: 0.5,
      longContext: { aboveInputTokens: 272_000, input: 10, output: 45, cacheRead: 1 },
    },
    { model: 'gpt-5.5-pro', provider: 'openai', input: 30, output: 180 },
    {
      model: 'gpt-5.4',
      provider: 'openai',
      input: 2.5,
      output: 15,
      cacheRead: 0.25,
      longContext: { aboveInputTokens: 272_000, input: 5, output: 22.5, cacheRead: 0.5 },
    },
    { model: 'gpt-5.4-mini', provider: 'openai', input: 0.75, output: 4.5, cacheRead: 0.075 },
    { model: 'gpt-5.4-nano', provider: 'openai', input: 0.2, output: 1.25, cacheRead: 0.02 },
    {
      model: 'gpt-5.4-pro',
      provider: 'openai',
      input: 30,
      output: 180,
      longContext: { aboveInputTokens: 272_000, input: 60, output: 270 },
    },
    {
      model: 'gpt-5.2',
      provider: 'openai',
      aliases: ['gpt-5.2-2025-12-11', 'gpt-5.2-chat-latest', 'gpt-5.2-codex', 'gpt-5.3-codex'],
      input: 1.75,
      output: 14,
      cacheRead: 0.175,
    },
    { model: 'gpt-5.2-pro', provider: 'openai', input: 21, output: 168 },
    {
      model: 'gpt-5.1',
      provider: 'openai',
      aliases: ['gpt-5.1-2025-11-13', 'gpt-5.1-chat-latest', 'gpt-5.1-codex', 'gpt-5.1-codex-max'],
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
    },
    {
      model: 'gpt-5',
      provider: 'openai',
      aliases: ['gpt-5-2025-08-07', 'gpt-5-chat-latest', 'gpt-5-codex'],
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
    },
    {
      model: 'gpt-5-mini',
      provider: 'openai',
      aliases: ['gpt-5-mini-2025-08-07', 'gpt-5.1-codex-mini'],
      input: 0.25,
      output: 2,
      cacheRead: 0.025,
    },
    { model: 'gpt-5-nano', provider: 'openai', aliases: ['gpt-5-nano-2025-08-07'], input: 0.05, output: 0.4, cacheRead: 0.005 },
    { model: 'gpt-5-pro', provider: 'openai', aliases: ['gpt-5-pro-2025-10-06'], input: 15, output: 120 },
    { model: 'gpt-4.1', provider: 'openai', aliases: ['gpt-4.1-2025-04-14'], input: 2, output: 8, cacheRead: 0.5 },
    { model: 'gpt-4.1-mini', provider: 'openai', aliases: ['gpt-4.1-mini-2025-04-14'], input: 0.4, output: 1.6, cacheRead: 0.1 },
    { model: 'gpt-4.1-nano', provider: 'openai', aliases: ['gpt-4.1-nano-2025-04-14'], input: 0.1, output: 0.4, cacheRead: 0.025 },
    {
      model: 'gpt-4o',
      provider: 'openai',
      aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'],
      input: 2.5,
      output: 10,
      cacheRead: 1.25,
    },
    // The first GPT-4o snapshot kept its launch price and has no cache discount.
    { model: 'gpt-4o-2024-05-13', provider: 'openai', input: 5, output: 15 },
    { model: 'gpt-4o-mini', provider: 'openai', aliases: ['gpt-4o-mini-2024-07-18'], input: 0.15, output: 0.6, cacheRead: 0.075 },
    { model: 'o1', provider: 'openai', aliases: ['o1-2024-12-17'], input: 15, output: 60, cacheRead: 7.5 },
    { model: 'o1-mini', provider: 'openai', aliases: ['o1-mini-2024-09-12'], input: 1.1, output: 4.4, cacheRead: 0.55 },
    { model: 'o1-pro', provider: 'openai', aliases: ['o1-pro-2025-03-19'], input: 150, output: 600 },
    // o3 after the June 2025 price cut.
    { model: 'o3', provider: 'openai', aliases: ['o3-2025-04-16'], input: 2, output: 8, cacheRead: 0.5 },
    { model: 'o3-pro', provider: 'openai', aliases: ['o3-pro-2025-06-10'], input: 20, output: 80 },
    { model: 'o3-mini', provider: 'openai', aliases: ['o3-mini-2025-01-31'], input: 1.1, output: 4.4, cacheRead: 0.55 },
    { model: 'o4-mini', provider: 'openai', aliases: ['o4-mini-2025-04-16'], input: 1.1, output: 4.4, cacheRead: 0.275 },
    {
      model: 'gpt-4-turbo',
      provider: 'openai',
      aliases: ['gpt-4-turbo-2024-04-09', 'gpt-4-turbo-preview', 'gpt-4-0125-preview', 'gpt-4-1106-preview'],
      input: 10,
      output: 30,
    },
    { model: 'gpt-4', provider: 'openai', aliases: ['gpt-4-0613'], input: 30, output: 60 }, // unverified: legacy list price, not in the sources read
    { model: 'gpt-3.5-turbo', provider: 'openai', aliases: ['gpt-3.5-turbo-0125'], input: 0.5, output: 1.5 },
    { model: 'text-embedding-3-small', provider: 'openai', input: 0.02, output: 0 },
    // Spoor's built-in demo provider (it answers as OpenAI's API does, without a model): free, so
    // its calls count as priced at $0 rather than as calls with no price.
    { model: 'spoor-demo', provider: 'openai', input: 0, output: 0 },
    { model: 'text-embedding-3-large', provider: 'openai', input: 0.13, output: 0 },
    { model: 'text-embedding-ada-002', provider: 'openai', input: 0.1, output: 0 },

    // Anthropic. Source: platform.claude.com pricing page and model overview pages. `cacheWrite` is
    // the 5-minute write (1.25x input); `cacheRead` is 0.1x input except where Anthropic set it
    // lower (Fable 5.1, Opus 5.5, Sonnet 5.5) or rounded it (Haiku 3). Sonnet 4 and 4.5 bill the
    // whole request at the long-context rates above 200K input tokens; Haiku 5.5 above 100K
    // prompt tokens (input, cache reads and cache writes counted together).
    { model: 'claude-fable-5-1', provider: 'anthropic', input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 },
    // Limited availability; same prices as Fable 5.1.
    { model: 'claude-mythos-5-1', provider: 'anthropic', input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 },
    { model: 'claude-fable-5', provider: 'anthropic', input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
    { model: 'claude-mythos-5', provider: 'anthropic', input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
    { model: 'claude-opus-5-5', provider: 'anthropic', input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 },
    { model: 'claude-opus-5', provider: 'anthropic', input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    { model: 'claude-opus-4-8', provider: 'anthropic', input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    { model: 'claude-opus-4-7', provider: 'anthropic', input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    { model: 'claude-opus-4-6', provider: 'anthropic', input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    {
      model: 'claude-opus-4-5',
      provider: 'anthropic',
      aliases: ['claude-opus-4-5-20251101', 'claude-opus-4-5@20251101', 'anthropic.claude-opus-4-5-20251101-v1:0'],
      input: 5,
      output: 25,
      cacheRead: 0.5,
      cacheWrite: 6.25,
    },
    {
      model: 'claude-opus-4-1',
      provider: 'anthropic',
      aliases: ['claude-opus-4-1-20250805', 'claude-opus-4-1@20250805', 'anthropic.claude-opus-4-1-20250805-v1:0'],
      input: 15,
      output: 75,
      cacheRead: 1.5,
      cacheWrite: 18.75,
    },
    {
      model: 'claude-opus-4',
      provider: 'anthropic',
      aliases: ['claude-opus-4-0', 'claude-opus-4-20250514', 'claude-opus-4@20250514', 'anthropic.claude-opus-4-20250514-v1:0'],
      input: 15,
      output: 75,
      cacheRead: 1.5,
      cacheWrite: 18.75,
    },
    // Cache reads cut from $0.20 to $0.10 on 2026-10-07.
    { model: 'claude-sonnet-5-5', provider: 'anthropic', input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 },
    { model: 'claude-sonnet-5', provider: 'anthropic', input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
    { model: 'claude-sonnet-4-6', provider: 'anthropic', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    {
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      aliases: ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5@20250929', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      longContext: { aboveInputTokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5 },
    },
    {
      model: 'claude-sonnet-4',
      provider: 'anthropic',
      aliases: ['claude-sonnet-4-0', 'claude-sonnet-4-20250514', 'claude-sonnet-4@20250514', 'anthropic.claude-sonnet-4-20250514-v1:0'],
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      longContext: { aboveInputTokens: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5 },
    },
    {
      model: 'claude-3-7-sonnet-20250219',
      provider: 'anthropic',
      aliases: ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet@20250219', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    },
    {
      model: 'claude-3-5-sonnet-20241022',
      provider: 'anthropic',
      aliases: [
        'claude-3-5-sonnet-latest',
        'claude-3-5-sonnet-20240620',
        'claude-3-5-sonnet-v2@20241022',
        'claude-3-5-sonnet@20240620',
        'anthropic.claude-3-5-sonnet-20241022-v2:0',
        'anthropic.claude-3-5-sonnet-20240620-v1:0',
      ],
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    },
    {
      model: 'claude-haiku-5-5',
      provider: 'anthropic',
      input: 0.1,
      output: 0.5,
      cacheRead: 0.01,
      cacheWrite: 0.125,
      longContext: { aboveInputTokens: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625 },
    },
    {
      model: 'claude-haiku-4-5',
      provider: 'anthropic',
      aliases: ['claude-haiku-4-5-20251001', 'claude-haiku-4-5@20251001', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
      input: 1,
      output: 5,
      cacheRead: 0.1,
      cacheWrite: 1.25,
    },
    {
      model: 'claude-3-5-haiku-20241022',
      provider: 'anthropic',
      aliases: ['claude-3-5-haiku-latest', 'claude-3-5-haiku@20241022', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
      input: 0.8,
      output: 4,
      cacheRead: 0.08,
      cacheWrite: 1,
    },
    {
      model: 'claude-3-opus-20240229',
      provider: 'anthropic',
      aliases: ['claude-3-opus-latest', 'claude-3-opus@20240229', 'anthropic.claude-3-opus-20240229-v1:0'],
      input: 15,
      output: 75,
      cacheRead: 1.5,
      cacheWrite: 18.75,
    },
    {
      model: 'claude-3-haiku-20240307',
      provider: 'anthropic',
      aliases: ['claude-3-haiku@20240307', 'anthropic.claude-3-haiku-20240307-v1:0'],
      input: 0.25,
      output: 1.25,
      cacheRead: 0.03,
      cacheWrite: 0.3,
    },

    // Google Gemini. Source: ai.google.dev/gemini-api/docs/pricing (as transcribed by
    // api-evangelist/deepmind, 2026-10-07), the Gemini changelog and "what's new" pages, and
    // simonw/llm-prices data/google.json. `cacheRead` is the context-cache read price; cache
    // storage per hour is not priced here. The Pro models bill the whole request at the
    // long-context rates above 200K prompt tokens.
    // Promotional price through 2026-12-31; $1.50 / $7.50 from 2027-01-01.
    { model: 'gemini-3.8-flash', provider: 'gcp.gemini', input: 0.75, output: 3.75, cacheRead: 0.075 },
    // Promotional launch price (half of $1.50 / $7.50).
    { model: 'gemini-3.7-flash', provider: 'gcp.gemini', input: 0.75, output: 3.75, cacheRead: 0.075 }, // unverified: cacheRead assumed 0.1x input
    { model: 'gemini-3.6-flash', provider: 'gcp.gemini', input: 1.5, output: 7.5, cacheRead: 0.15 },
    { model: 'gemini-3.5-flash', provider: 'gcp.gemini', input: 1.5, output: 9, cacheRead: 0.15 },
    { model: 'gemini-3.5-flash-lite', provider: 'gcp.gemini', input: 0.3, output: 2.5, cacheRead: 0.03 },
    {
      model: 'gemini-3.1-pro-preview',
      provider: 'gcp.gemini',
      aliases: ['gemini-3.1-pro-preview-customtools'],
      input: 2,
      output: 12,
      cacheRead: 0.2,
      longContext: { aboveInputTokens: 200_000, input: 4, output: 18, cacheRead: 0.4 },
    },
    {
      // unverified: cacheRead, taken to match Gemini 3.1 Pro Preview
      model: 'gemini-3-pro-preview',
      provider: 'gcp.gemini',
      input: 2,
      output: 12,
      cacheRead: 0.2,
      longContext: { aboveInputTokens: 200_000, input: 4, output: 18, cacheRead: 0.4 },
    },
    {
      model: 'gemini-3.1-flash-lite-preview',
      provider: 'gcp.gemini',
      aliases: ['gemini-3.1-flash-lite'], // unverified: that the GA id kept the preview price
      input: 0.25,
      output: 1.5,
      cacheRead: 0.025,
    },
    { model: 'gemini-3-flash-preview', provider: 'gcp.gemini', input: 0.5, output: 3, cacheRead: 0.05 }, // unverified: cacheRead
    {
      model: 'gemini-2.5-pro',
      provider: 'gcp.gemini',
      aliases: ['gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro-preview-03-25'],
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
      longContext: { aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25 },
    },
    // Text, image and video input; audio input is $1.00.
    { model: 'gemini-2.5-flash', provider: 'gcp.gemini', aliases: ['gemini-2.5-flash-preview-09-2025'], input: 0.3, output: 2.5, cacheRead: 0.03 },
    {
      model: 'gemini-2.5-flash-lite',
      provider: 'gcp.gemini',
      aliases: ['gemini-2.5-flash-lite-preview-09-2025', 'gemini-2.5-flash-lite-preview-06-17'],
      input: 0.1,
      output: 0.4,
      cacheRead: 0.01,
    },
    // Retired 2026-06-01.
    { model: 'gemini-2.0-flash', provider: 'gcp.gemini', aliases: ['gemini-2.0-flash-001'], input: 0.1, output: 0.4, cacheRead: 0.025 }, // unverified: cacheRead
    { model: 'gemini-2.0-flash-lite', provider: 'gcp.gemini', aliases: ['gemini-2.0-flash-lite-001'], input: 0.075, output: 0.3 },
    { model: 'gemini-embedding-001', provider: 'gcp.gemini', input: 0.15, output: 0 },
    // Retired 2026-01-14; the Gemini API offered it free of charge only.
    { model: 'text-embedding-004', provider: 'gcp.gemini', input: 0, output: 0 }, // unverified: no paid price was ever listed

    // Mistral. Source: docs.mistral.ai model cards and pricing page (as recorded by
    // anomalyco/models.dev, accessed 2026-08-27 to 2026-10-06), Mistral's changelog, and
    // simonw/llm-prices data/mistral.json for older models. Mistral lists cache reads at 0.1x
    // input; `cacheRead` is set only where a source gave the figure.
    // Public-preview price, half the $1.36 / $4.18 / $0.14 list price.
    {
      model: 'mistral-large-4',
      provider: 'mistral_ai',
      aliases: ['mistral-large-4-0'],
      input: 0.68,
      output: 2.09,
      cacheRead: 0.07,
    },
    { model: 'mistral-large-2512', provider: 'mistral_ai', aliases: ['mistral-large-latest'], input: 0.5, output: 1.5 },
    { model: 'mistral-large-2411', provider: 'mistral_ai', aliases: ['mistral-large-2407'], input: 2, output: 6 },
    { model: 'pixtral-large-2411', provider: 'mistral_ai', aliases: ['pixtral-large-latest'], input: 2, output: 6 },
    {
      model: 'mistral-medium-2604',
      provider: 'mistral_ai',
      aliases: ['mistral-medium-3.5', 'mistral-medium-3-5', 'mistral-medium-3-5-26-04', 'mistral-medium-3', 'mistral-medium-latest'],
      input: 1.5,
      output: 7.5,
    },
    // Medium 3 and 3.1, deprecated 2026-05-22.
    { model: 'mistral-medium-2508', provider: 'mistral_ai', aliases: ['mistral-medium-2505'], input: 0.4, output: 2 },
    {
      model: 'mistral-small-2603',
      provider: 'mistral_ai',
      aliases: ['mistral-small-latest', 'magistral-small-latest'],
      input: 0.15,
      output: 0.6,
      cacheRead: 0.015,
    },
    { model: 'mistral-small-2506', provider: 'mistral_ai', aliases: ['mistral-small-2503'], input: 0.1, output: 0.3 },
    {
      model: 'codestral-2508',
      provider: 'mistral_ai',
      aliases: ['codestral-latest', 'codestral-2501'],
      input: 0.3,
      output: 0.9,
      cacheRead: 0.03,
    },
    { model: 'ministral-14b-2512', provider: 'mistral_ai', aliases: ['ministral-14b-latest'], input: 0.2, output: 0.2, cacheRead: 0.02 },
    { model: 'ministral-8b-2512', provider: 'mistral_ai', aliases: ['ministral-8b-latest'], input: 0.15, output: 0.15, cacheRead: 0.015 },
    { model: 'ministral-3b-2512', provider: 'mistral_ai', aliases: ['ministral-3b-latest'], input: 0.1, output: 0.1, cacheRead: 0.01 },
    { model: 'ministral-8b-2410', provider: 'mistral_ai', input: 0.1, output: 0.1 },
    { model: 'ministral-3b-2410', provider: 'mistral_ai', input: 0.04, output: 0.04 },
    {
      model: 'magistral-medium-2509',
      provider: 'mistral_ai',
      aliases: ['magistral-medium-latest', 'magistral-medium-2507', 'magistral-medium-2506'],
      input: 2,
      output: 5,
    },
    {
      model: 'magistral-small-2509',
      provider: 'mistral_ai',
      aliases: ['magistral-small-2507', 'magistral-small-2506'],
      input: 0.5,
      output: 1.5,
    },
    { model: 'open-mistral-nemo', provider: 'mistral_ai', aliases: ['open-mistral-nemo-2407'], input: 0.15, output: 0.15 },
    { model: 'mistral-embed', provider: 'mistral_ai', aliases: ['mistral-embed-2312'], input: 0.1, output: 0 },
    { model: 'codestral-embed', provider: 'mistral_ai', aliases: ['codestral-embed-2505'], input: 0.15, output: 0 },
  ],
};
