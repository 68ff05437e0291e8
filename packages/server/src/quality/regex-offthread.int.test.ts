import { describe, expect, it } from 'vitest';
import { regexLimits } from '../regex.js';
import { regexKind } from './deterministic.js';
import type { EvaluationTarget } from './kind.js';
import { INLINE_CHARS } from './regex-offthread.js';

const target = (output: string): EvaluationTarget => ({
  projectId: 'default',
  traceId: 'a'.repeat(32),
  spanId: null,
  input: null,
  output,
  context: [],
  expected: null,
  durationMs: 1,
  costUsd: null,
  toolNames: [],
});
const signal = new AbortController().signal;

/** Letters a and b in a fixed random order: a text on which RE2's DFA for the pattern below runs out of states. */
function randomAb(length: number): string {
  let x = 1;
  let text = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    text += (x >> 8) % 2 === 0 ? 'a' : 'b';
  }
  return text;
}

/** In what order a judgement and the next turn of this thread's event loop come. */
async function orderOf(judging: () => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  const judged = judging().then(() => order.push('judged'));
  setImmediate(() => order.push('loop turned'));
  await judged;
  await new Promise((resolve) => setImmediate(resolve));
  return order;
}

describe('regex evaluators', () => {
  // Allowed (23 steps a character on the probe), yet 375 ms on 262,144 such characters: its DFA runs out of states.
  const spec = { pattern: '[ab]*a[ab]{20}[^ab]' };

  it('judge a text off the thread that answers HTTP, which goes on turning meanwhile, and read its first --regex-max-chars characters', async () => {
    const long = randomAb(regexLimits().maxChars + 1000);
    expect(await orderOf(() => regexKind.judge(spec, target(long), { signal }))).toEqual(['loop turned', 'judged']);
    const judgement = await regexKind.judge(spec, target(long), { signal });
    expect(judgement).toMatchObject({
      value: 0,
      comment: `the output does not match /${spec.pattern}/ in its first ${regexLimits().maxChars} characters (--regex-max-chars)`,
    });
    // What lies past the limit is not read: the same text ending in a match is judged alike.
    expect(await regexKind.judge(spec, target(`${long}!`), { signal })).toMatchObject({ value: 0 });
    expect(await regexKind.judge(spec, target(`${long.slice(0, INLINE_CHARS * 2)}!`), { signal })).toMatchObject({
      value: 1,
      comment: `the output matches /${spec.pattern}/`,
    });
  });

  it('judge a reply of a few words where it is, at once', async () => {
    expect(await orderOf(() => regexKind.judge(spec, target(`${randomAb(INLINE_CHARS - 1)}!`), { signal }))).toEqual(['judged', 'loop turned']);
  });
});
