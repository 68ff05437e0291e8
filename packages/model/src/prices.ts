/**
 * Model prices, in US dollars per million tokens.
 *
 * Token counts are read the way the OpenTelemetry GenAI conventions define them: the input count
 * includes cache reads and cache writes, and the output count includes reasoning tokens. Each kind
 * of token is billed once, at its own rate.
 */
export interface ModelPrice {
  /** The provider's model id, lowercase (`gpt-4o`, `claude-sonnet-4-5`, `gemini-2.5-pro`). */
  model: string;
  /** GenAI provider name: `openai`, `anthropic`, `gcp.gemini`, `mistral_ai`. */
  provider: string;
  /** Other ids billed at these prices: dated snapshots, `-latest` names, version tags. */
  aliases?: string[];
  input: number;
  output: number;
  /** Cached input read back. Absent: the model has no cache discount, reads bill as input. */
  cacheRead?: number;
  /** Input written to the cache. Absent: writes bill as input. */
  cacheWrite?: number;
  /** Reasoning (thinking) output. Absent: reasoning bills as output. */
  reasoning?: number;
  /**
   * Prices for a request whose input exceeds `aboveInputTokens`; they then apply to the whole
   * request (how Gemini Pro and Claude's 1M-token context bill).
   */
  longContext?: LongContextPrice;
}

export interface LongContextPrice {
  aboveInputTokens: number;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A price list as of a date. Users' files and the API take the same shape. */
export interface PriceTable {
  /** The day these prices were read from the providers' public price lists (`YYYY-MM-DD`). */
  asOf: string;
  models: ModelPrice[];
}
