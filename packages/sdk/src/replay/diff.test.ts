import { describe, expect, it } from 'vitest';
import { describeChanges, requestChanges } from './diff.js';

const message = (content: string) => ({ role: 'user', parts: [{ type: 'text', content }] });

describe('requestChanges', () => {
  it.each([
    ['nothing changed', { model: 'm', messages: [message('a')] }, { model: 'm', messages: [message('a')] }, []],
    [
      'a prompt changed',
      { messages: [message('Weather in Paris?')] },
      { messages: [message('Weather in Rome?')] },
      [{ field: 'messages[0].parts[0].content', before: '"Weather in Paris?"', after: '"Weather in Rome?"' }],
    ],
    [
      'a message added',
      { messages: [message('a')] },
      { messages: [message('a'), message('b')] },
      [
        { field: 'messages[1].role', before: undefined, after: '"user"' },
        { field: 'messages[1].parts[0].type', before: undefined, after: '"text"' },
        { field: 'messages[1].parts[0].content', before: undefined, after: '"b"' },
      ],
    ],
    ['a parameter removed', { temperature: 0.2, model: 'm' }, { model: 'm' }, [{ field: 'temperature', before: '0.2', after: undefined }]],
  ])('%s', (_case, before, after, expected) => {
    expect(requestChanges(before, after)).toEqual(expected);
  });
});

describe('describeChanges', () => {
  it('shows old and new text of each field', () => {
    expect(describeChanges([{ field: 'model', before: '"a"', after: '"b"' }])).toBe('  model: "a" → "b"');
  });

  it('cuts long texts around the first difference', () => {
    const before = `"${'x'.repeat(500)}Paris${'y'.repeat(500)}"`;
    const after = `"${'x'.repeat(500)}Rome${'y'.repeat(500)}"`;
    const line = describeChanges([{ field: 'f', before, after }]);
    expect(line).toContain('Paris');
    expect(line).toContain('Rome');
    expect(line.length).toBeLessThan(400);
  });

  it('says so when nothing the trace keeps changed', () => {
    expect(describeChanges([])).toMatch(/tools/);
  });
});
