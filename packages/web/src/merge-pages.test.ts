import { describe, expect, it } from 'vitest';
import { mergePages } from './merge-pages';

const id = (item: string) => item;

describe('mergePages', () => {
  it.each([
    { name: 'shows the first page alone', first: ['c', 'b'], loaded: [], want: ['c', 'b'] },
    { name: 'appends a loaded page after the first', first: ['d', 'c'], loaded: ['b', 'a'], want: ['d', 'c', 'b', 'a'] },
    {
      name: 'keeps items a refreshed first page pushed out, below the new ones',
      first: ['f', 'e', 'd'],
      loaded: ['d', 'c', 'b', 'a'],
      want: ['f', 'e', 'd', 'c', 'b', 'a'],
    },
    { name: 'shows an item on two pages once', first: ['b', 'a'], loaded: ['a'], want: ['b', 'a'] },
    { name: 'is empty without pages', first: [], loaded: [], want: [] },
  ])('$name', ({ first, loaded, want }) => {
    expect(mergePages(first, loaded, id)).toEqual(want);
  });
});
