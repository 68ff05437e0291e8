import { describe, expect, it } from 'vitest';
import { readEvaluatorsFile } from './evaluators-file.js';
import { kindsOf } from './spec.js';

const kinds = kindsOf();

describe('the evaluators file', () => {
  it('reads a list of specs', () => {
    const text =
      'evaluators:\n  - { name: polite, kind: contains, target: llm, text: please }\n  - name: fast\n    kind: latency\n    target: trace\n    maxMs: 2000\n    filter: service=api\n';
    expect(readEvaluatorsFile(text, 'e.yaml', kinds)).toEqual([
      { name: 'polite', kind: 'contains', target: 'llm', text: 'please' },
      { name: 'fast', kind: 'latency', target: 'trace', maxMs: 2000, filter: 'service=api' },
    ]);
    expect(readEvaluatorsFile('', 'e.yaml', kinds)).toEqual([]);
  });

  it.each([
    [
      'evaluators:\n  - { name: ok, kind: contains, target: llm, text: a }\n  - { name: bad, kind: regex, target: llm, pattern: "(a" }\n',
      'e.yaml:3:5: evaluators[1].pattern: missing closing )',
    ],
    [
      'evaluators:\n  - { name: a, kind: latency, target: trace, maxMs: 1 }\n  - { name: a, kind: latency, target: trace, maxMs: 2 }\n',
      "e.yaml:3:5: evaluators[1].name: 'a' names another evaluator already",
    ],
    [
      'evaluators:\n  - { name: ok, kind: contains, target: llm, text: a }\n  - { name: hook, kind: latency, target: trace, maxMs: 1, baseUrl: "http://x" }\n',
      "e.yaml:3:5: evaluators[1].baseUrl: 'baseUrl' is not a field of a latency evaluator",
    ],
    ['rules: []\n', 'e.yaml:1:1: the file must be a mapping with one key, evaluators'],
    [
      'evaluators:\n  - { name: x, kind: latency, target: trace, maxMs: 1, sampleRate: 2 }\n',
      'e.yaml:2:5: evaluators[0].sampleRate: must be a number from 0 to 1',
    ],
  ])('refuses a bad file at its line: %j', (text, message) => {
    expect(() => readEvaluatorsFile(text, 'e.yaml', kinds)).toThrow(message);
  });
});
