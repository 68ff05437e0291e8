import { describe, expect, it } from 'vitest';
import { attributeSearchText, mergeMatches, queryWords, searchSpans } from './span-search';
import { hexId, idsOf, spanOf, treeOf } from './testing';

const tree = treeOf([
  spanOf('aaaa0001', null, 0, 100, { name: 'workflow research' }),
  spanOf('aaaa0002', 'aaaa0001', 1, 10, { name: 'chat', category: 'llm', model: 'gpt-4o-mini-2024-07-18' }),
  spanOf('aaaa0003', 'aaaa0001', 20, 10, { name: 'tool search_web', category: 'tool', service: 'tools' }),
  spanOf('aaaa0004', 'aaaa0003', 21, 5, { name: 'http GET', error: true }),
]);
const found = (query: string) => idsOf(tree, searchSpans(tree, query));

describe('searchSpans', () => {
  it.each([
    ['', []],
    ['RESEARCH', ['aaaa0001']],
    ['tools', ['aaaa0003']],
    ['aaaa0002', ['aaaa0002']],
    ['gpt-4o', ['aaaa0002']],
    ['status:error', ['aaaa0004']],
    ['status:ok', ['aaaa0001', 'aaaa0002', 'aaaa0003']],
    ['category:llm', ['aaaa0002']],
    ['model:gpt-4o', ['aaaa0002']],
    ['service:tools', ['aaaa0003']],
    ['tool web', ['aaaa0003']],
    ['"search_web" status:error', []],
  ])('finds %j in %j', (query, ids) => {
    expect(found(query)).toEqual(ids);
  });

  it('splits words, keeping quoted phrases together', () => {
    expect(queryWords(' a  "b c" d=e ')).toEqual(['a', 'b c', 'd=e']);
  });
});

describe('attribute search on the server', () => {
  it.each([
    ['paris', 'paris'],
    ['"Paris weather"', 'Paris weather'],
    ['x', null],
    ['two words', null],
    ['status:error', null],
    ['', null],
  ])('asks the server about %j as %j', (query, text) => {
    expect(attributeSearchText(query)).toBe(text);
  });

  it('merges the server rows into the local ones, in row order, ignoring unknown ids', () => {
    const local = searchSpans(tree, 'research');
    expect(idsOf(tree, mergeMatches(tree, local, [hexId('aaaa0004'), 'ffff000000000000', hexId('aaaa0001')]))).toEqual(['aaaa0001', 'aaaa0004']);
    expect(mergeMatches(tree, local, [])).toBe(local);
  });
});
