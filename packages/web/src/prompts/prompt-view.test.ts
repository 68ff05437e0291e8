import { describe, expect, it } from 'vitest';
import { comparedVersions, pText, splitText } from './prompt-view';

describe('prompt view', () => {
  it.each([
    [[{ version: 3, weight: 100 }], 'v3'],
    [
      [
        { version: 3, weight: 90 },
        { version: 4, weight: 10 },
      ],
      'v3 90% · v4 10%',
    ],
  ])('writes the split %j as %s', (split, text) => {
    expect(splitText(split)).toBe(text);
  });

  it('writes p-values as people read them', () => {
    expect([pText(null), pText(0.0004), pText(0.04213)]).toEqual(['–', 'p < 0.001', 'p = 0.042']);
  });

  it('reads the versions a comparison URL names', () => {
    expect(comparedVersions('/api/stats/compare?by=spoor.prompt.version&a=1&b=2&attr=x')).toEqual(['1', '2']);
    expect(comparedVersions('/api/stats/compare?by=x')).toBeNull();
  });
});
