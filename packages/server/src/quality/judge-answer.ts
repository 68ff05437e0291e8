import type { ProviderName } from '../replay/providers.js';
import { type ReplayCall, anthropicRequest, openAiRequest } from '../replay/replay-request.js';

/**
 * What a judge is asked for and how its answer is read: the declared output (a number in a range,
 * or one of some labels), the structured-output request that asks for it with an explanation
 * (OpenAI: `response_format` with a JSON schema; Anthropic: one tool, forced), and the answer
 * checked against the declaration. Pure.
 */

export type JudgeOutput = { type: 'number'; min: number; max: number } | { type: 'label'; labels: string[] };

/** What went wrong with a judgement, for the runner's error record and counts. */
export type JudgeFailure = 'provider' | 'timeout' | 'cancelled' | 'refused' | 'unparsable' | 'out_of_range' | 'unknown_label' | 'record';

/**
 * A judgement that could not be made. `costUsd` is what the judge's call cost even so (an answer
 * that could not be read was still paid for), for the evaluator's budget; 0 when no call was made.
 */
export class JudgeError extends Error {
  override name = 'JudgeError';

  constructor(
    readonly failure: JudgeFailure,
    message: string,
    readonly costUsd = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The Anthropic tool the judge is made to call with its answer. */
export const ANSWER_TOOL = 'record_judgement';

/** Why `output` is not a usable declaration (naming the field), or `null`. */
export function outputProblem(output: unknown): string | null {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    return `output: must be { "type": "number", "min": 0, "max": 1 } or { "type": "label", "labels": ["pass", "fail"] }`;
  }
  const o = output as Record<string, unknown>;
  if (o.type === 'number') {
    const extra = Object.keys(o).find((k) => k !== 'type' && k !== 'min' && k !== 'max');
    if (extra !== undefined) return `output.${extra}: not a field of a number output (type, min, max)`;
    for (const bound of ['min', 'max'] as const) {
      if (typeof o[bound] !== 'number' || !Number.isFinite(o[bound])) return `output.${bound}: a number output needs a finite ${bound}`;
    }
    if ((o.min as number) >= (o.max as number)) return `output.max: must be greater than min (${o.min as number})`;
    return null;
  }
  if (o.type === 'label') {
    const extra = Object.keys(o).find((k) => k !== 'type' && k !== 'labels');
    if (extra !== undefined) return `output.${extra}: not a field of a label output (type, labels)`;
    const labels = o.labels;
    if (!Array.isArray(labels) || labels.length < 2) return 'output.labels: a label output needs at least two labels';
    const bad = labels.findIndex((l) => typeof l !== 'string' || l.trim() === '');
    if (bad !== -1) return `output.labels[${bad}]: must be a non-empty string`;
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) return `output.labels: '${twice as string}' is given twice`;
    return null;
  }
  return `output.type: must be 'number' or 'label', not ${JSON.stringify(o.type ?? null)}`;
}

/** The JSON schema of the answer asked for: the explanation first, so the model reasons before it scores. */
export function answerSchema(output: JudgeOutput): Record<string, unknown> {
  const verdict =
    output.type === 'number'
      ? { score: { type: 'number', minimum: output.min, maximum: output.max, description: `the score, from ${output.min} to ${output.max}` } }
      : { label: { type: 'string', enum: output.labels, description: `one of: ${output.labels.join(', ')}` } };
  return {
    type: 'object',
    properties: { explanation: { type: 'string', description: 'why, in a few sentences' }, ...verdict },
    required: ['explanation', output.type === 'number' ? 'score' : 'label'],
    additionalProperties: false,
  };
}

const SYSTEM = 'You are an evaluator. Judge exactly what the user message asks, and record your judgement in the required structure.';

/** The judge's call in the provider's wire form, the replay's request with structured output added. */
export function judgeRequest(provider: ProviderName, model: string, prompt: string, output: JudgeOutput, temperature: number): Record<string, unknown> {
  const call: ReplayCall = {
    provider,
    model,
    system: SYSTEM,
    messages: [{ role: 'user', parts: [{ type: 'text', content: prompt }], finishReason: null }],
    temperature,
    topP: null,
    maxTokens: null,
    tools: null,
  };
  const schema = answerSchema(output);
  if (provider === 'anthropic') {
    return {
      ...anthropicRequest({ ...call, tools: [{ name: ANSWER_TOOL, description: 'Records the judgement.', input_schema: schema }] }),
      tool_choice: { type: 'tool', name: ANSWER_TOOL },
    };
  }
  return { ...openAiRequest(call), response_format: { type: 'json_schema', json_schema: { name: 'judgement', strict: true, schema } } };
}

/** A judgement read from the answer: a value or a label, and the explanation. */
export interface JudgeAnswer {
  value: number | null;
  label: string | null;
  comment: string | null;
}

/** Reads a chat completion's answer. Throws `JudgeError` (cost 0: the caller adds it). */
export function answerFromOpenAi(response: unknown, output: JudgeOutput): JudgeAnswer {
  const choice = (response as { choices?: Array<{ message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }> }).choices?.[0];
  const refusal = choice?.message?.refusal;
  if (typeof refusal === 'string' && refusal !== '') throw new JudgeError('refused', `the judge refused to answer: ${clip(refusal)}`);
  const content = choice?.message?.content;
  if (typeof content !== 'string' || content.trim() === '')
    throw new JudgeError('unparsable', `the judge's answer has no content${cutOff(choice?.finish_reason === 'length')}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new JudgeError('unparsable', `the judge's answer is not JSON${cutOff(choice?.finish_reason === 'length')}: ${clip(content)}`);
  }
  return answerFrom(parsed, output);
}

/** Reads an Anthropic message's answer: the input of its forced tool call. Throws `JudgeError`. */
export function answerFromAnthropic(response: unknown, output: JudgeOutput): JudgeAnswer {
  const message = response as { content?: Array<{ type?: unknown; name?: unknown; input?: unknown; text?: unknown }>; stop_reason?: unknown };
  const use = message.content?.find((block) => block.type === 'tool_use' && block.name === ANSWER_TOOL);
  if (use === undefined) {
    const text = message.content?.find((block) => block.type === 'text')?.text;
    const said = typeof text === 'string' && text !== '' ? `; it said: ${clip(text)}` : '';
    throw new JudgeError('unparsable', `the judge did not call ${ANSWER_TOOL}${cutOff(message.stop_reason === 'max_tokens')}${said}`);
  }
  return answerFrom(use.input, output);
}

/** Checks the answer's fields against the declared output. */
export function answerFrom(answer: unknown, output: JudgeOutput): JudgeAnswer {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
    throw new JudgeError('unparsable', `the judge's answer is not an object: ${clip(JSON.stringify(answer))}`);
  const fields = answer as Record<string, unknown>;
  const explanation = typeof fields.explanation === 'string' && fields.explanation.trim() !== '' ? fields.explanation.trim() : null;
  if (output.type === 'number') {
    const score = fields.score;
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw new JudgeError('unparsable', `the judge's answer has no numeric score: ${clip(JSON.stringify(answer))}`);
    if (score < output.min || score > output.max)
      throw new JudgeError('out_of_range', `the judge's score ${score} is outside the declared range ${output.min}..${output.max}`);
    return { value: score, label: null, comment: explanation };
  }
  const label = fields.label;
  if (typeof label !== 'string') throw new JudgeError('unparsable', `the judge's answer has no label: ${clip(JSON.stringify(answer))}`);
  if (!output.labels.includes(label))
    throw new JudgeError('unknown_label', `the judge's label '${clip(label)}' is not one of the declared labels (${output.labels.join(', ')})`);
  return { value: null, label, comment: explanation };
}

function cutOff(truncated: boolean): string {
  return truncated ? ' (it was cut off at the token limit)' : '';
}

/** Enough of a bad answer to see what went wrong, not so much that an error record holds a whole essay. */
function clip(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}…`;
}
