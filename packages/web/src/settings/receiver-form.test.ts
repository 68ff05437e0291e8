import { describe, expect, it } from 'vitest';
import { EMPTY_RECEIVER_FORM, receiverBodyFrom } from './receiver-form';

describe('receiverBodyFrom', () => {
  it('makes a webhook with its secret, headers and delivery', () => {
    const headers = 'Authorization: Bearer a:b\n\nX-Team: search';
    const form = { ...EMPTY_RECEIVER_FORM, name: ' oncall ', url: 'https://example.com/h', secret: 's3', headers, timeout: '5s', maxAttempts: '3' };
    expect(receiverBodyFrom(form)).toEqual({
      ok: true,
      body: {
        name: 'oncall',
        webhook: { url: 'https://example.com/h', secret: 's3', headers: { Authorization: 'Bearer a:b', 'X-Team': 'search' }, timeout: '5s', maxAttempts: 3 },
      },
    });
  });

  it('makes a Slack receiver and a log one, leaving out what is empty', () => {
    expect(receiverBodyFrom({ ...EMPTY_RECEIVER_FORM, name: 's', kind: 'slack', url: 'https://hooks.slack.com/x', channel: '#a' })).toEqual({
      ok: true,
      body: { name: 's', slack: { url: 'https://hooks.slack.com/x', channel: '#a' } },
    });
    expect(receiverBodyFrom({ ...EMPTY_RECEIVER_FORM, name: 'l', kind: 'log' })).toEqual({ ok: true, body: { name: 'l', log: {} } });
  });

  it('says which header line and which number it cannot read', () => {
    const twoLines = { ...EMPTY_RECEIVER_FORM, headers: 'X-A: 1\nno colon' };
    expect(receiverBodyFrom(twoLines)).toEqual({ ok: false, error: 'Headers line 2 must be written Name: value' });
    expect(receiverBodyFrom({ ...EMPTY_RECEIVER_FORM, maxAttempts: 'five' })).toEqual({ ok: false, error: 'Attempts must be a whole number, from 1 to 20' });
  });
});
