import { describe, expect, it } from 'vitest';
import { unroutedShortText, unroutedText } from './unrouted';

describe('the unrouted alerts notice', () => {
  it.each([
    [1, '1 alert is firing with nowhere to send it', '1 alert unsent'],
    [3, '3 alerts are firing with nowhere to send them', '3 alerts unsent'],
  ])('says %i firing alerts go nowhere', (count, long, short) => {
    expect(unroutedText(count)).toBe(long);
    expect(unroutedShortText(count)).toBe(short);
  });
});
