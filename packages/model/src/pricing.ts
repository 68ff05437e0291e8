import type { EffectiveModelPrice } from './api.js';
import type { LlmFields } from './span.js';
import type { ModelPrice, PriceTable } from './prices.js';

/** Where an effective price came from: the table shipped with Spoor, the `--prices` file, the API. */
export type PriceOrigin = EffectiveModelPrice['origin'];

type EffectivePrice = EffectiveModelPrice;

/** Prefixes that routers, clouds and SDKs put before a provider's own model id. */
const MODEL_PREFIX = /^(?:models\/|(?:openai|anthropic|google|gemini|mistral|mistralai|vertex_ai|bedrock)\/|(?:us|eu|apac|global)\.|anthropic\.)/;
/** Bedrock's version suffix (`-v1:0`) and a Vertex-style `@date`. */
const MODEL_SUFFIX = /(?:-v\d+:\d+|:\d+)$/;
/** A snapshot date at the end of an id: `-2024-08-06`, `-20241022`, `@20241022`, `-0125`, or `-latest`. */
const DATE_SUFFIX = /(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})|-latest)$/;

const MAX_CACHED_LOOKUPS = 10_000;

/**
 * The prices in force: Spoor's table, then the user's file over it, then prices set through the
 * API over both. Looks a model up by its id as sent (`gpt-4o-2024-08-06`), through the aliases,
 * and then without routing prefixes, version suffixes and snapshot dates. Fine-tuned models
 * (`ft:...`) are never priced as their base model: they bill at other rates.
 */
export class PriceBook {
  readonly asOf: string;
  private readonly byId = new Map<string, EffectivePrice>();
  private readonly cache = new Map<string, EffectivePrice | null>();

  constructor(layers: { table: PriceTable; origin: PriceOrigin }[]) {
    let asOf = '';
    for (const { table, origin } of layers) {
      if (table.asOf > asOf) asOf = table.asOf;
      for (const price of table.models) {
        const effective = { ...price, model: price.model.toLowerCase(), origin };
        // A later layer's entry replaces the earlier entry whole, aliases included.
        const replaced = this.byId.get(effective.model);
        if (replaced !== undefined) for (const alias of replaced.aliases ?? []) this.byId.delete(alias.toLowerCase());
        this.byId.set(effective.model, effective);
        for (const alias of price.aliases ?? []) this.byId.set(alias.toLowerCase(), effective);
      }
    }
    this.asOf = asOf;
  }

  /** The price of `model`, or undefined when Spoor does not know it. */
  find(model: string | null): EffectivePrice | undefined {
    if (model === null || model === '') return undefined;
    const cached = this.cache.get(model);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.resolve(model.toLowerCase().trim()) ?? null;
    if (this.cache.size >= MAX_CACHED_LOOKUPS) this.cache.clear();
    this.cache.set(model, found);
    return found ?? undefined;
  }

  /** Every distinct price in force, one per model, with only the aliases that still lead to it. */
  list(): EffectivePrice[] {
    return [...new Set(this.byId.values())]
      .map((price) =>
        price.aliases === undefined ? price : { ...price, aliases: price.aliases.filter((alias) => this.byId.get(alias.toLowerCase()) === price) },
      )
      .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  }

  private resolve(id: string): EffectivePrice | undefined {
    if (id.startsWith('ft:')) return undefined;
    const exact = this.byId.get(id);
    if (exact !== undefined) return exact;
    let bare = id;
    for (let previous = ''; previous !== bare; ) {
      previous = bare;
      bare = bare.replace(MODEL_PREFIX, '').replace(MODEL_SUFFIX, '');
    }
    const stripped = this.byId.get(bare) ?? this.byId.get(bare.replace('@', '-'));
    if (stripped !== undefined) return stripped;
    const undated = bare.replace(DATE_SUFFIX, '');
    return undated !== bare ? this.byId.get(undated) : undefined;
  }
}

/** The token counts pricing reads: canonical, input including the cache, output the reasoning. */
export type PricedUsage = Pick<LlmFields, 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens' | 'reasoningTokens'>;

/**
 * What an LLM call cost in US dollars by `price`, from the canonical counts (input including cache
 * reads and writes, output including reasoning): each kind of token billed once, at its own rate.
 * `null` when the call reported no tokens.
 */
export function costOf(llm: PricedUsage, price: ModelPrice): number | null {
  if (llm.inputTokens === null && llm.outputTokens === null) return null;
  const input = llm.inputTokens ?? 0;
  const tier = price.longContext !== undefined && input > price.longContext.aboveInputTokens ? price.longContext : price;
  const cacheRead = Math.min(llm.cacheReadInputTokens ?? 0, input);
  const cacheWrite = Math.min(llm.cacheCreationInputTokens ?? 0, input - cacheRead);
  const uncached = input - cacheRead - cacheWrite;
  const output = llm.outputTokens ?? 0;
  const reasoning = price.reasoning === undefined ? 0 : Math.min(llm.reasoningTokens ?? 0, output);
  const micro =
    uncached * tier.input +
    cacheRead * (tier.cacheRead ?? price.cacheRead ?? tier.input) +
    cacheWrite * (tier.cacheWrite ?? price.cacheWrite ?? tier.input) +
    (output - reasoning) * tier.output +
    reasoning * (price.reasoning ?? tier.output);
  return micro / 1_000_000;
}

/** The cost of an LLM call by the book: its response model's price, else its request model's. */
export function costByBook(llm: PricedUsage & Pick<LlmFields, 'requestModel' | 'responseModel'>, prices: PriceBook): number | null {
  const price = prices.find(llm.responseModel) ?? prices.find(llm.requestModel);
  return price === undefined ? null : costOf(llm, price);
}

/**
 * Whether an LLM call had tokens but no cost: no price was known for its model, so a sum of costs
 * leaves it out (`unpricedCalls` counts such calls wherever Spoor shows a cost).
 *
 * @example
 * isUnpricedCall({ costUsd: null, inputTokens: 120, outputTokens: 30 }); // true
 */
export function isUnpricedCall(llm: { costUsd: number | null; inputTokens: number | null; outputTokens: number | null }): boolean {
  return llm.costUsd === null && (llm.inputTokens !== null || llm.outputTokens !== null);
}
