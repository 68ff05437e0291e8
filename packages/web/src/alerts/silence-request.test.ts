import type { LabelMatcher } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { matcherText, silenceDraftProblem, silenceNamesRule, silenceRequestFor, type SilenceDraft } from './silence-request';

const labels = { alertname: 'rag-slow', severity: 'warning', service: 'rag', team: 'search' };
const draft = (over: Partial<SilenceDraft>): SilenceDraft => ({ labelNames: ['alertname'], duration: '2h', createdBy: 'ana', comment: '', ...over });

describe('silenceRequestFor', () => {
  it.each([
    {
      name: 'matches every chosen label exactly, sorted by name',
      draft: draft({ labelNames: ['service', 'alertname'] }),
      want: {
        matchers: [
          { name: 'alertname', op: '=', value: 'rag-slow' },
          { name: 'service', op: '=', value: 'rag' },
        ],
        duration: '2h',
        createdBy: 'ana',
      },
    },
    {
      name: 'ignores a label the alert does not have',
      draft: draft({ labelNames: ['alertname', 'model'] }),
      want: { matchers: [{ name: 'alertname', op: '=', value: 'rag-slow' }], duration: '2h', createdBy: 'ana' },
    },
    {
      name: 'trims the author and keeps a comment',
      draft: draft({ createdBy: '  ana ', comment: ' deploy in progress ', duration: '30m' }),
      want: { matchers: [{ name: 'alertname', op: '=', value: 'rag-slow' }], duration: '30m', createdBy: 'ana', comment: 'deploy in progress' },
    },
  ])('$name', ({ draft, want }) => {
    expect(silenceRequestFor(labels, draft)).toEqual(want);
  });
});

describe('silenceDraftProblem', () => {
  it.each([
    { name: 'accepts a complete draft', draft: draft({}), want: null },
    { name: 'wants a label', draft: draft({ labelNames: [] }), want: 'Choose at least one label to match.' },
    { name: 'wants an author', draft: draft({ createdBy: '   ' }), want: 'Say who silences, so others can ask.' },
  ])('$name', ({ draft, want }) => {
    expect(silenceDraftProblem(draft)).toBe(want);
  });
});

describe('matchers', () => {
  it.each<{ matcher: LabelMatcher; want: string }>([
    { matcher: { name: 'service', op: '=', value: 'rag' }, want: 'service="rag"' },
    { matcher: { name: 'name', op: '=~', value: 'retr.*' }, want: 'name=~"retr.*"' },
    { matcher: { name: 'q', op: '!=', value: 'say "hi"' }, want: 'q!="say \\"hi\\""' },
  ])('writes $want', ({ matcher, want }) => {
    expect(matcherText(matcher)).toBe(want);
  });

  it.each<{ matchers: LabelMatcher[]; want: boolean }>([
    { matchers: [{ name: 'alertname', op: '=', value: 'rag-slow' }], want: true },
    { matchers: [{ name: 'alertname', op: '=~', value: 'rag-slow' }], want: false },
    { matchers: [{ name: 'service', op: '=', value: 'rag-slow' }], want: false },
    { matchers: [{ name: 'alertname', op: '=', value: 'other' }], want: false },
  ])('tells whether $matchers names the rule: $want', ({ matchers, want }) => {
    expect(silenceNamesRule(matchers, 'rag-slow')).toBe(want);
  });
});
