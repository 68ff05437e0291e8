/**
 * A loopback fake of the OpenAI and Anthropic HTTP APIs, in their real wire formats, so the real
 * `openai`, `@anthropic-ai/sdk` and Vercel `ai` clients can run against it in tests.
 *
 * Routes (anything else is a 404, and a body that is not a JSON object a 400; neither consumes a
 * scripted reply):
 * - `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/embeddings`: OpenAI; point the
 *   `openai` client and `createOpenAI()` at `${baseUrl}/v1`.
 * - `POST /v1/messages`: Anthropic; point the `@anthropic-ai/sdk` client at `baseUrl` and
 *   `createAnthropic()` at `${baseUrl}/v1`.
 *
 * A request streams when its JSON body has `stream: true`. Each request takes the next scripted
 * reply; with none queued it gets the default reply ({@link DEFAULT_TEXT}, {@link DEFAULT_USAGE}).
 * The real clients retry 408/409/429/5xx and dropped connections twice by default, and each retry
 * takes the next reply: create them with `maxRetries: 0` when scripting errors.
 *
 * The parts live in `./fake-llm/`: `server.ts` (HTTP, routing, recording, the script queue),
 * `exchange.ts` (writing one reply: JSON, SSE, delays, disconnects), `openai.ts` and `anthropic.ts`
 * (the wire formats), `shared.ts` (what both derive from a reply) and `types.ts`.
 */

export { fakeVector } from './fake-llm/openai.js';
export { startFakeLlm } from './fake-llm/server.js';
export {
  DEFAULT_EMBEDDING_DIMENSIONS,
  DEFAULT_TEXT,
  DEFAULT_USAGE,
  type FakeEndpoint,
  type FakeError,
  type FakeLlm,
  type FakeReply,
  type FakeToolCall,
  type FakeUsage,
  type RecordedRequest,
} from './fake-llm/types.js';
