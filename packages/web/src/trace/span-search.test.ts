import { describe, expect, it } from 'vitest';
import { queryWords, searchSpans } from './span-search';
import { buildSpanTree } from './span-tree';
import { idsOf, spanOf } from './testing';

const llm = { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadInputTokens: null, cacheCreationInputTokens: null, reasoningTokens: null, costUsd: 0.001, costSource: 'price_table' as const, timeToFirstTokenMs: null, finishReasons: ['stop'] };
const tree = buildSpanTree([
  spanOf('aaaa0001', null, 0, 100, { name: 'workflow research' }),
  spanOf('aaaa0002', 'aaaa0001', 1, 10, { name: 'chat gpt-4o-mini', category: 'llm', llm, attributes: { 'gen_ai.request.model': 'gpt-4o-mini' } }),
  spanOf('aaaa0003', 'aaaa0001', 20, 10, { name: 'tool search_web', category: 'tool', serviceName: 'tools', attributes: { 'tool.query': 'Paris weather', retries: 2 } }),
  spanOf('aaaa0004', 'aaaa0003', 21, 5, { name: 'http GET', status: { code: 'error', message: 'Timeout talking to upstream' } }),
]);
const found = (query: string) => idsOf(tree.spans, searchSpans(tree, query));

describe('searchSpans', () => {
  it.each([
    ['', []],
    ['RESEARCH', ['aaaa0001']],
    ['tools', ['aaaa0003']],
    ['aaaa0002', ['aaaa0002']],
    ['paris', ['aaaa0003']],
    ['timeout', ['aaaa0004']],
    ['retries=2', ['aaaa0003']],
    ['retries=3', []],
    ['status:error', ['aaaa0004']],
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
