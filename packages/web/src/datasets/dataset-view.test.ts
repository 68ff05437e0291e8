import { describe, expect, it } from 'vitest';
import { addTargetProblem, addedText, duplicateText, editTextOf, itemFromSpan, itemIdText, itemsFromTraces, valueOfEdit, versionChoices } from './dataset-view';

describe('editTextOf and valueOfEdit', () => {
  it.each([
    ['text', 'Plan two days in Lisbon.\nCheap.'],
    ['an object', { question: 'capital of France?', lang: 'en' }],
    ['an array', [1, 'two', null]],
    ['a number', 42],
    ['a boolean', false],
  ])('reads back %s as it was', (_, value) => {
    const edit = editTextOf(value);
    expect(valueOfEdit('input', edit)).toEqual({ ok: true, value });
  });

  it('shows text as it is and anything else as indented JSON', () => {
    expect(editTextOf('42')).toEqual({ text: '42', json: false });
    expect(editTextOf({ a: 1 })).toEqual({ text: '{\n  "a": 1\n}', json: true });
    expect(editTextOf(null)).toEqual({ text: '', json: true });
  });

  it('keeps text that looks like JSON as text when the field is text', () => {
    expect(valueOfEdit('input', { text: '42', json: false })).toEqual({ ok: true, value: '42' });
  });

  it('reads an empty JSON field as null (a cleared expected output)', () => {
    expect(valueOfEdit('expectedOutput', { text: '  ', json: true })).toEqual({ ok: true, value: null });
  });

  it('refuses a JSON field that is not JSON, naming the field', () => {
    const read = valueOfEdit('metadata', { text: '{ nope', json: true });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(/^metadata: not JSON/);
  });
});

describe('itemIdText', () => {
  it('shows the end of an id, where ids made together differ', () => {
    expect(itemIdText('0661006500000000000000000000beef')).toBe('…0000beef');
    expect(itemIdText('abc')).toBe('abc');
  });
});

describe('versionChoices', () => {
  it.each([
    [1, [1]],
    [4, [4, 3, 2, 1]],
    [0, []],
  ])('offers the versions of a dataset at %i, newest first', (newest, want) => {
    expect(versionChoices(newest)).toEqual(want);
  });
});

describe('addTargetProblem', () => {
  const existing = ['qa', 'support-v2'];
  it.each([
    [{ kind: 'existing', name: 'qa' } as const, null],
    [{ kind: 'existing', name: '' } as const, 'pick a dataset, or name a new one'],
    [{ kind: 'new', name: 'travel', description: '' } as const, null],
    [{ kind: 'new', name: '  travel ', description: '' } as const, null],
    [{ kind: 'new', name: '', description: '' } as const, 'name the new dataset'],
    [{ kind: 'new', name: 'qa', description: '' } as const, 'a dataset named qa exists: pick it from the list'],
    [
      { kind: 'new', name: 'two words', description: '' } as const,
      'dataset name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    ],
  ])('%j: %s', (target, want) => {
    expect(addTargetProblem(target, existing)).toBe(want);
  });
});

describe('the items "Add to dataset" sends', () => {
  it('takes each trace as one run, and one span as its call', () => {
    expect(itemsFromTraces(['a'.repeat(32), 'b'.repeat(32)])).toEqual([{ fromTrace: { traceId: 'a'.repeat(32) } }, { fromTrace: { traceId: 'b'.repeat(32) } }]);
    expect(itemFromSpan('a'.repeat(32), 'c'.repeat(16))).toEqual({ fromTrace: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16) } });
  });

  it('says how many were added, where', () => {
    expect(addedText(1, 'qa', 2)).toBe('Added 1 item to qa (version 2).');
    expect(addedText(1000, 'qa', 3)).toBe('Added 1000 items to qa (version 3).');
  });

  const T = 'a'.repeat(32);
  const ITEM = `0000${'1'.repeat(20)}deadbeef`;
  it.each([
    [
      `items[0].fromTrace: trace ${T} is already in dataset qa as item ${ITEM}: send allowDuplicate: true to add it again`,
      `The run of trace ${T} is already in qa as item …deadbeef. Add it again?`,
    ],
    [
      `items[2].fromTrace: span ${'c'.repeat(16)} of trace ${T} is already in dataset q.a as item ${ITEM}: send …`,
      `The call ${'c'.repeat(16)} of trace ${T} is already in q.a as item …deadbeef. Add it again?`,
    ],
    ['something else', 'something else. Add it again?'],
  ])('asks before adding a duplicate: %s', (message, want) => {
    expect(duplicateText(message)).toBe(want);
  });
});
