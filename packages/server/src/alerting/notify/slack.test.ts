import { describe, expect, it } from 'vitest';
import { notificationTitle, slackMessage, truncate } from './slack.js';
import { notifiedAlert as alert, notification } from './test-notifications.js';

describe('slackMessage', () => {
  it('has a header, a section per alert with its annotations or labels, and the channel', () => {
    const firing = notification([
      alert({ annotations: { summary: 'Error rate of rag is 12% > 5%', description: 'Spans of <rag> & co fail.' } }),
      alert({ severity: 'warning', labels: { alertname: 'high-error-rate', severity: 'warning', service: 'chat' }, value: 0.07 }),
    ]);
    expect(slackMessage(firing, '#alerts')).toEqual({
      channel: '#alerts',
      text: '[FIRING:2] high-error-rate (critical)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[FIRING:2] high-error-rate (critical)' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Error rate of rag is 12% &gt; 5%*\nSpans of &lt;rag&gt; &amp; co fail.\nFiring · critical · value 0.12 vs threshold 0.05',
          },
          accessory: { type: 'button', text: { type: 'plain_text', text: 'View traces' }, url: 'http://spoor.test/traces?service=rag&status=error' },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*alertname=high-error-rate, severity=warning, service=chat*\nFiring · warning · value 0.07 vs threshold 0.05' },
          accessory: { type: 'button', text: { type: 'plain_text', text: 'View traces' }, url: 'http://spoor.test/traces?service=rag&status=error' },
        },
      ],
    });
  });

  it('says RESOLVED, shows missing data and thresholds, and leaves the channel out when none is set', () => {
    const resolved = notification(
      [
        alert({
          status: 'resolved',
          severity: 'warning',
          annotations: { description: 'No spans came in.' },
          value: null,
          threshold: null,
          links: { traces: '', alerts: '' },
        }),
      ],
      { groupLabels: { alertname: 'high-error-rate', service: 'rag' } },
    );
    expect(slackMessage(resolved)).toEqual({
      text: '[RESOLVED] high-error-rate service=rag (warning)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[RESOLVED] high-error-rate service=rag (warning)' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'No spans came in.\nResolved · warning · no data' } },
      ],
    });
  });

  it('lists ten alerts and counts the rest', () => {
    const alerts = Array.from({ length: 13 }, (_, i) => alert({ annotations: { summary: `alert ${i + 1}` }, value: 0.1 + 0.2 }));
    const { blocks } = slackMessage(notification(alerts));
    expect(blocks).toHaveLength(12);
    expect(blocks[10]).toMatchObject({ type: 'section', text: { text: '*alert 10*\nFiring · critical · value 0.3 vs threshold 0.05' } });
    expect(blocks[11]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'and 3 more' }] });
  });

  it("keeps text fields within Slack's limits", () => {
    const long = notification(
      [alert({ annotations: { description: 'x'.repeat(5000) }, links: { traces: `http://spoor.test/${'t'.repeat(3000)}`, alerts: '' } })],
      {
        groupLabels: { alertname: 'high-error-rate', tenant: 'y'.repeat(4000) },
      },
    );
    const message = slackMessage(long);
    expect(message.text).toHaveLength(3000);
    expect(message.text.endsWith('y…')).toBe(true);
    const [header, section] = message.blocks;
    expect(header).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^\[FIRING:1\] high-error-rate tenant=y+…$/) } });
    expect((header as { text: { text: string } }).text.text).toHaveLength(150);
    expect(section).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `${'x'.repeat(2999)}…` } });
  });
});

describe('notificationTitle', () => {
  it.each([
    [
      'the firing count and the highest firing severity',
      [alert({ severity: 'warning' }), alert(), alert({ status: 'resolved', severity: 'critical' })],
      '[FIRING:2] high-error-rate (critical)',
    ],
    [
      'a resolved group with its highest severity',
      [alert({ status: 'resolved', severity: 'info' }), alert({ status: 'resolved', severity: 'warning' })],
      '[RESOLVED] high-error-rate (warning)',
    ],
    ['only the severity of firing alerts while firing', [alert({ severity: 'info' }), alert({ status: 'resolved' })], '[FIRING:1] high-error-rate (info)'],
  ])('shows %s', (_case, alerts, expected) => {
    expect(notificationTitle(notification(alerts))).toBe(expected);
  });

  it('names the rule from the alerts when the group labels do not', () => {
    expect(notificationTitle(notification([alert({ rule: 'slow-llm' })], { groupLabels: { model: 'gpt-4o' } }))).toBe(
      '[FIRING:1] slow-llm model=gpt-4o (critical)',
    );
  });
});

describe('truncate', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['abcdefghijk', 10, 'abcdefghi…'],
    ['abcdef&amp;xyz', 10, 'abcdef…'],
    ['abcdefgh😀z', 10, 'abcdefgh…'],
  ])('cuts %j to %i characters as %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});
