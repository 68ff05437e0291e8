import type { Attributes } from '@opentelemetry/api';
import type { GenAiMessage, GenAiPart, OutputChoice } from './content.js';
import type { LlmReplay } from './replay-shapes.js';

// What a provider's file (openai.ts, anthropic.ts) gives for each client method it instruments,
// and what the call fills in as it goes: the contract between the two.

/** What a call produced, filled from the response or from a stream's chunks. */
export interface LlmOutcome {
  responseId?: string;
  responseModel?: string;
  finishReasons: string[];
  /** Every input token, cache reads and writes included (the GenAI conventions' meaning). */
  inputTokens?: number;
  /** Every output token, reasoning included. */
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
  /** Names of the tools the model asked for, in order. */
  toolCalls: string[];
  /** Filled only when content is captured. */
  choices: OutputChoice[];
  attributes: Attributes;
}

/** Reads one stream's chunks into the outcome. */
export interface ChunkReader {
  /**
   * Reads a chunk. Returns `'output'` for a chunk that carries generated content (it starts the
   * time-to-first-chunk clock), `'hide'` for a chunk the instrumentation asked for and the app
   * must not see, anything else for other chunks.
   */
  read(chunk: unknown): 'output' | 'hide' | undefined;
}

/** How one client method maps to the GenAI conventions. */
export interface LlmMethod {
  operation: 'chat' | 'embeddings';
  /** The model and request attributes, and the body to send (the same object unless changed). */
  request(body: Record<string, unknown>, capture: boolean): LlmRequest;
  /** Reads a complete (non-streamed) response. */
  response(outcome: LlmOutcome, data: unknown, capture: boolean): void;
  /** Starts reading a streamed response. */
  stream?(outcome: LlmOutcome, capture: boolean, request: LlmRequest): ChunkReader;
  /** Answers from a recording under `init({ replay })`; a method without it always calls out. */
  replay?: LlmReplay;
}

/** One request as {@link LlmMethod.request} read it. */
export interface LlmRequest {
  model: string | undefined;
  stream: boolean;
  attributes: Attributes;
  body: Record<string, unknown>;
  inputMessages?: GenAiMessage[];
  systemInstructions?: GenAiPart[];
  /** Set when the instrumentation asked the API for something the app did not (stream usage). */
  hideExtras?: boolean;
}

/** What is the same for every call of one client. */
export interface ClientInfo {
  provider: string;
  serverAddress: string | undefined;
  serverPort: number | undefined;
  captureContent: boolean;
}
