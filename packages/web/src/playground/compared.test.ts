import { describe, expect, it } from 'vitest';
import { type RunOutcome, baselineOf, completionText } from './compared';

const run = (model: string, text: string | null): RunOutcome => ({
  model,
  streamed: text ?? '',
  side:
    text === null
      ? null
      : {
          model,
          inputTokens: 1,
          outputTokens: 1,
          costUsd: null,
          durationMs: 1,
          completion: [{ role: 'assistant', parts: [{ type: 'text', content: text }], finishReason: 'stop' }],
        },
  trace: null,
  error: text === null ? 'refused' : null,
  baseline: null,
});

describe('what a run is compared with', () => {
  it('is the recorded completion when a recorded call is open, else the previous answer in its place', () => {
    expect(baselineOf('Day 1: Alfama.', run('gpt-4o', 'Day 1: Belém.'))).toEqual({ title: 'the recorded completion', text: 'Day 1: Alfama.' });
    expect(baselineOf(null, run('gpt-4o', 'Day 1: Belém.'))).toEqual({ title: 'the previous run (gpt-4o)', text: 'Day 1: Belém.' });
    // A first run, or one whose last run failed, has nothing to be compared with.
    expect(baselineOf(null, undefined)).toBeNull();
    expect(baselineOf(null, run('gpt-4o', null))).toBeNull();
  });

  it('reads a completion as text: each part a line, a tool call with its arguments', () => {
    expect(
      completionText([
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Checking.' },
            { type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Porto' } },
          ],
          finishReason: 'tool_calls',
        },
      ]),
    ).toBe('Checking.\nweather({"city":"Porto"})');
  });
});
