import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVIDER } from '../replay/replayer.js';
import { evaluatorsPart } from './part.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-evaluators-part-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The evaluators part's check, over a file of `text` and the server's providers (the demo one only). */
async function check(text: string | null): Promise<readonly unknown[]> {
  const path = join(dir, 'evaluators.yaml');
  if (text !== null) await writeFile(path, text);
  const part = evaluatorsPart({ config: { evaluatorsFile: text === null ? null : path }, providers: [DEMO_PROVIDER] });
  return part.check!();
}

describe('the evaluators part', () => {
  it('checks the --evaluators file before any part starts, with the llm-judge of the providers the server has', async () => {
    expect(await check(null)).toEqual([]);
    const judge = 'evaluators:\n  - { name: relevance, kind: llm-judge, target: llm, builtin: answer-relevance, provider: demo, model: m }\n';
    expect(await check(judge)).toEqual([expect.objectContaining({ name: 'relevance', kind: 'llm-judge', provider: 'demo' })]);
  });

  it('refuses a judge whose provider the server was not given, naming the line and the field', async () => {
    const judge = 'evaluators:\n  - { name: relevance, kind: llm-judge, target: llm, builtin: answer-relevance, provider: openai, model: m }\n';
    await expect(check(judge)).rejects.toThrow(/evaluators\.yaml:2:5: evaluators\[0\]\.provider: /);
  });
});
