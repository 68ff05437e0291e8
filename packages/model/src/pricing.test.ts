import { describe, expect, it } from 'vitest';
import { isUnpricedCall } from './pricing.js';

describe('isUnpricedCall', () => {
  it.each([
    [{ costUsd: null, inputTokens: 120, outputTokens: 30 }, true],
    [{ costUsd: null, inputTokens: null, outputTokens: 0 }, true],
    [{ costUsd: 0.002, inputTokens: 120, outputTokens: 30 }, false],
    [{ costUsd: 0, inputTokens: 0, outputTokens: 0 }, false],
    // No tokens: nothing a price could have been applied to.
    [{ costUsd: null, inputTokens: null, outputTokens: null }, false],
  ])('says %o is unpriced: %s', (llm, unpriced) => expect(isUnpricedCall(llm)).toBe(unpriced));
});
