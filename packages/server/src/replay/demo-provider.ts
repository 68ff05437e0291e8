import type { Provider } from './providers.js';

/**
 * The built-in `demo` provider: every Spoor has it, with no key and no network, so that judges,
 * experiments and replays can be tried (and `spoor demo` can make them) before any provider is
 * configured. It speaks OpenAI's chat completions API to the real `openai` client, which is
 * given this `fetch` in place of the network: the call is instrumented and recorded as any other.
 *
 * Its answers are made from the request, the same every time, not by a model: a chat gets a few
 * stock sentences about its last user message (cut at `max_completion_tokens`, four characters a
 * token, as a model's would be); a judge's structured request gets a score for how long and how
 * complete the judged answer is. Every answer says it came from the demo provider's model,
 * `spoor-demo`, which has no price.
 */

export const DEMO_MODEL = 'spoor-demo';

/** The demo provider as the server holds it: no key (the client wants one; this one goes nowhere). */
export const DEMO_PROVIDER: Provider = { name: 'demo', apiKey: 'demo-no-key', baseUrl: 'http://demo.spoor.invalid/v1', timeoutMs: 10_000 };

/** The sentences a chat answer is made of, after the first, picked by the question's hash. */
const SENTENCES = [
  'The sources agree on the main point and differ on the details.',
  'Two of them measured it directly; the others cite those two.',
  'The figures hold in typical conditions and fall at the extremes.',
  'The newest source is from this year and confirms the older ones.',
  'One study disagrees, with a smaller sample and a shorter period.',
  'Each claim here is cited in the notes below the answer.',
];

interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role?: string; content?: unknown }>;
  max_completion_tokens?: number;
  response_format?: { json_schema?: { schema?: { properties?: Record<string, { enum?: string[]; minimum?: number; maximum?: number }> } } };
}

/** The `fetch` the demo provider's client is given: answers `POST …/chat/completions` from the request alone. */
export async function demoFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.endsWith('/chat/completions'))
    return json(404, { error: { message: `the demo provider answers chat completions only, not ${new URL(url).pathname}` } });
  const request = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as ChatRequest;
  const messages = request.messages ?? [];
  const promptText = messages.map((m) => textOf(m.content)).join('\n');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const properties = request.response_format?.json_schema?.schema?.properties;
  let content = properties === undefined ? chatAnswer(textOf(lastUser?.content)) : JSON.stringify(judgement(textOf(lastUser?.content), properties));
  let finish = 'stop';
  const limit = request.max_completion_tokens;
  if (properties === undefined && typeof limit === 'number' && limit > 0 && content.length > limit * 4) {
    content = content.slice(0, limit * 4);
    finish = 'length';
  }
  const id = `chatcmpl-demo${hash(promptText + content).toString(16)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: tokens(promptText), completion_tokens: tokens(content), total_tokens: tokens(promptText) + tokens(content) };
  if (request.stream === true) return stream(id, created, content, finish, usage);
  return json(200, {
    id,
    object: 'chat.completion',
    created,
    model: DEMO_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finish, logprobs: null }],
    usage,
  });
}

/**
 * A streamed answer, as OpenAI sends one: the role, the text a word at a time, the finish, the
 * usage (the instrumentation asks for it), then `[DONE]`. All at once: the demo has no model to wait for.
 */
function stream(id: string, created: number, content: string, finish: string, usage: Record<string, number>): Response {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: DEMO_MODEL,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  });
  const events = [
    chunk({ role: 'assistant', content: '' }),
    ...(content.match(/^\s+|\S+\s*/g) ?? []).map((word) => chunk({ content: word })),
    chunk({}, finish),
    { id, object: 'chat.completion.chunk', created, model: DEMO_MODEL, choices: [], usage },
  ];
  const body = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** A stock answer about `question`: two to five sentences, as many as its hash says. */
export function chatAnswer(question: string): string {
  const topic = question
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.?!]+$/, '');
  const h = hash(topic);
  const count = 1 + (h % 4);
  const picked = Array.from({ length: count }, (_, i) => SENTENCES[(h + i * 7) % SENTENCES.length]!);
  return [`Here is what the sources say about ${topic.length > 90 ? `${topic.slice(0, 90)}…` : topic || 'that'}.`, ...picked].join(' ');
}

/**
 * A judge's answer: the judged text is what the prompt holds between `<answer>`, `<reply>` or
 * `<output>` tags (the built-in judges' way), else the whole prompt. A number grows with its length
 * (up to 600 characters) and halves when it stops mid-sentence; a label is the first that sounds
 * like a pass (`clean`, `non-toxic`, `pass`…) for a complete answer, else the first.
 */
function judgement(prompt: string, properties: Record<string, { enum?: string[]; minimum?: number; maximum?: number }>): Record<string, unknown> {
  const tagged = /<(answer|reply|output)>\s*([\s\S]*?)\s*<\/\1>/.exec(prompt);
  const judged = (tagged?.[2] ?? prompt).trim();
  const complete = /[.!?)"'”]$/.test(judged);
  const quality = Math.min(1, 0.4 + judged.length / 1000) * (complete ? 1 : 0.5);
  const explanation = `demo judge (canned, not a model): the answer is ${judged.length} characters long and ${complete ? 'ends with a full sentence' : 'stops mid-sentence'}`;
  if (properties.label?.enum !== undefined) {
    const labels = properties.label.enum;
    const good = labels.find((l) => /^(clean|non-toxic|pass|yes|good|relevant|correct)$/i.test(l));
    return { explanation, label: complete && good !== undefined ? good : labels[0] };
  }
  const min = properties.score?.minimum ?? 0;
  const max = properties.score?.maximum ?? 1;
  return { explanation, score: Math.round((min + quality * (max - min)) * 100) / 100 };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  return '';
}

/** Tokens as a rough count of four characters each, at least one. */
const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** FNV-1a: the same text, the same answer. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
