import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { DEMO_PROVIDER, chatAnswer, demoFetch } from './demo-provider.js';

const ask = async (body: unknown, path = '/v1/chat/completions') =>
  demoFetch(`http://demo.spoor.invalid${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('the demo provider', () => {
  it('answers a chat from its last user message, the same every time, with usage', async () => {
    const body = {
      model: 'spoor-demo',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'How loud is a heat pump?' },
      ],
    };
    const answer = (await (await ask(body)).json()) as {
      model: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { completion_tokens: number };
    };
    expect(answer.model).toBe('spoor-demo');
    expect(answer.choices[0]!.message.content).toBe(chatAnswer('How loud is a heat pump?'));
    expect(answer.choices[0]!.message.content).toMatch(/^Here is what the sources say about How loud is a heat pump\. /);
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    expect(answer.usage.completion_tokens).toBe(Math.ceil(answer.choices[0]!.message.content.length / 4));
    expect(await (await ask(body)).json()).toMatchObject({ choices: answer.choices });
  });

  it('streams the same answer a word at a time, with its usage last, to the real openai client', async () => {
    const client = new OpenAI({ apiKey: DEMO_PROVIDER.apiKey, baseURL: DEMO_PROVIDER.baseUrl!, fetch: demoFetch });
    const question = 'Which heat pump is quietest?';
    const chunks = await client.chat.completions.create({
      model: 'spoor-demo',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let pieces = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of chunks) {
      const piece = chunk.choices[0]?.delta?.content;
      if (piece) pieces++;
      text += piece ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(chatAnswer(question));
    expect(pieces).toBe(text.split(' ').length);
    expect(usage?.completion_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('cuts an answer at max_completion_tokens, four characters a token, and says so', async () => {
    const answer = (await (
      await ask({ messages: [{ role: 'user', content: 'What is the COP of an air-source heat pump at -20 °C?' }], max_completion_tokens: 5 })
    ).json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    expect(answer.choices[0]).toMatchObject({ message: { content: 'Here is what the sou' }, finish_reason: 'length' });
  });

  it('judges the tagged answer of a structured request: a complete one higher than one cut off', async () => {
    const judge = async (answer: string) => {
      const schema = { properties: { explanation: { type: 'string' }, score: { type: 'number', minimum: 0, maximum: 1 } } };
      const response = await ask({
        messages: [{ role: 'user', content: `<request>q</request>\n<answer>\n${answer}\n</answer>` }],
        response_format: { type: 'json_schema', json_schema: { schema } },
      });
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      return JSON.parse(body.choices[0]!.message.content) as { explanation: string; score: number };
    };
    const whole = await judge('The sources agree on the main point.');
    const cut = await judge('The sources agree on the');
    expect(whole.score).toBeGreaterThan(cut.score);
    expect(whole.explanation).toBe('demo judge (canned, not a model): the answer is 36 characters long and ends with a full sentence');
    expect(cut.explanation).toContain('stops mid-sentence');
  });

  it('picks a passing label for a complete answer', async () => {
    const schema = { properties: { explanation: { type: 'string' }, label: { type: 'string', enum: ['toxic', 'non-toxic'] } } };
    const response = await ask({ messages: [{ role: 'user', content: '<reply>Thanks, that helps.</reply>' }], response_format: { json_schema: { schema } } });
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(JSON.parse(body.choices[0]!.message.content)).toMatchObject({ label: 'non-toxic' });
  });

  it('answers anything but chat completions with a 404 saying so', async () => {
    const response = await ask({}, '/v1/embeddings');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: 'the demo provider answers chat completions only, not /v1/embeddings' } });
  });
});
