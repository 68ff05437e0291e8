import { describe, expect, it } from 'vitest';
import type { NotifierDeps } from './delivery.js';
import { LogNotifier } from './log.js';
import { createNotifier, validateReceivers } from './receivers.js';
import { SlackNotifier } from './slack.js';
import { WebhookNotifier } from './webhook.js';

const DEPS: NotifierDeps = { onResult: () => {}, logger: { info: () => {}, warn: () => {}, error: () => {} } };

describe('validateReceivers', () => {
  it('returns each kind of receiver with the fields it was given', () => {
    const parsed: unknown = [
      {
        name: 'ops',
        webhook: { url: 'https://hooks.example.com/spoor', secret: 'env:OPS_SECRET', headers: { 'X-Team': 'ml' }, timeout: '5s', maxAttempts: 3 },
      },
      { name: 'team-slack', slack: { url: 'https://hooks.slack.com/services/T0/B0/X', channel: '#alerts' } },
      { name: 'audit', log: { level: 'warn' } },
      // `log:` with nothing after it.
      { name: 'quiet', log: null },
    ];
    expect(validateReceivers(parsed)).toEqual([
      {
        name: 'ops',
        webhook: { url: 'https://hooks.example.com/spoor', secret: 'env:OPS_SECRET', headers: { 'X-Team': 'ml' }, timeout: '5s', maxAttempts: 3 },
      },
      { name: 'team-slack', slack: { url: 'https://hooks.slack.com/services/T0/B0/X', channel: '#alerts' } },
      { name: 'audit', log: { level: 'warn' } },
      { name: 'quiet', log: {} },
    ]);
  });

  it('keeps a header of any token name, __proto__ and constructor too', () => {
    const parsed: unknown = JSON.parse('[{"name": "ops", "webhook": {"url": "https://x.test/", "headers": {"__proto__": "a", "constructor": "b"}}}]');
    const [receiver] = validateReceivers(parsed) as Array<{ webhook: { headers: Record<string, string> } }>;
    expect(Object.entries(receiver!.webhook.headers)).toEqual([
      ['__proto__', 'a'],
      ['constructor', 'b'],
    ]);
  });

  it('takes no receivers as an empty list', () => {
    expect(validateReceivers(undefined)).toEqual([]);
    expect(validateReceivers(null)).toEqual([]);
    expect(validateReceivers([])).toEqual([]);
  });

  const ok = { name: 'first', log: {} };
  const ok2 = { name: 'second', log: {} };
  it.each<[string, unknown, string]>([
    ['a list', { name: 'ops' }, 'receivers must be a list'],
    ['a mapping per receiver', [ok, 'ops'], 'receivers[1] must be a mapping'],
    ['a name', [ok, { log: {} }], 'receivers[1].name must be a non-empty string'],
    ['a name that is text', [{ name: 42, log: {} }], 'receivers[0].name must be a non-empty string'],
    ['unique names', [ok, { name: 'first', slack: { url: 'https://x.test/' } }], "receivers[1].name 'first' is already the name of receivers[0]"],
    ['a kind', [ok, { name: 'ops' }], "receivers[1] must have one of webhook, slack or log (receiver 'ops')"],
    [
      'one kind only',
      [{ name: 'ops', webhook: { url: 'https://x.test/' }, slack: { url: 'https://x.test/' } }],
      "receivers[0] has both webhook and slack; a receiver has exactly one kind (receiver 'ops')",
    ],
    [
      'known receiver fields',
      [{ name: 'ops', webhok: { url: 'https://x.test/' } }],
      "receivers[0].webhok is not a known field; use name, webhook, slack, log (receiver 'ops')",
    ],
    [
      'known webhook fields',
      [ok, ok2, { name: 'ops', webhook: { url: 'https://x.test/', retries: 3 } }],
      'receivers[2].webhook.retries is not a known field; use url, secret, headers, timeout, maxAttempts',
    ],
    [
      'an http(s) webhook URL',
      [ok, ok2, { name: 'ops', webhook: { url: 'ftp://x.test/hook' } }],
      "receivers[2].webhook.url must be an http(s) URL (receiver 'ops')",
    ],
    ['a webhook URL at all', [{ name: 'ops', webhook: {} }], 'receivers[0].webhook.url must be an http(s) URL'],
    ['a webhook mapping', [{ name: 'ops', webhook: 'https://x.test/' }], 'receivers[0].webhook must be a mapping'],
    ['a text secret', [{ name: 'ops', webhook: { url: 'https://x.test/', secret: 1234 } }], 'receivers[0].webhook.secret must be a non-empty string'],
    [
      'a well-formed env: secret',
      [{ name: 'ops', webhook: { url: 'https://x.test/', secret: 'env:my-secret' } }],
      'receivers[0].webhook.secret must name an environment variable after env:',
    ],
    [
      'header names that are tokens',
      [{ name: 'ops', webhook: { url: 'https://x.test/', headers: { 'X Team': 'ml' } } }],
      "receivers[0].webhook.headers has 'X Team', which is not a valid header name",
    ],
    [
      'header values on one line',
      [{ name: 'ops', webhook: { url: 'https://x.test/', headers: { 'X-Team': 'ml\r\nX-Evil: 1' } } }],
      'receivers[0].webhook.headers.X-Team must be a string on one line',
    ],
    [
      'no signature header of its own',
      [{ name: 'ops', webhook: { url: 'https://x.test/', headers: { 'X-Spoor-Signature': 'x' } } }],
      'receivers[0].webhook.headers.X-Spoor-Signature is set by Spoor and may not be configured',
    ],
    [
      'a duration for timeout',
      [{ name: 'ops', webhook: { url: 'https://x.test/', timeout: 10 } }],
      'receivers[0].webhook.timeout must be a duration of at least 1ms, such as 10s or 500ms',
    ],
    ['a timeout above zero', [{ name: 'ops', slack: { url: 'https://x.test/', timeout: '0s' } }], 'receivers[0].slack.timeout must be a duration'],
    [
      'a whole maxAttempts',
      [{ name: 'ops', slack: { url: 'https://x.test/', maxAttempts: '5' } }],
      'receivers[0].slack.maxAttempts must be an integer from 1 to 20',
    ],
    ['an http(s) Slack URL', [{ name: 'ops', slack: { url: 'hooks.slack.com/services/T0' } }], 'receivers[0].slack.url must be an http(s) URL'],
    [
      'a Slack channel that is text',
      [{ name: 'ops', slack: { url: 'https://x.test/', channel: '' } }],
      "receivers[0].slack.channel must be a non-empty string, such as '#alerts'",
    ],
    ['known log fields', [{ name: 'ops', log: { level: 'info', format: 'json' } }], 'receivers[0].log.format is not a known field; use level'],
    ['a log level pino has', [{ name: 'ops', log: { level: 'debug' } }], 'receivers[0].log.level must be info, warn or error'],
  ])('requires %s', (_case, parsed, message) => {
    expect(() => validateReceivers(parsed)).toThrow(message);
  });

  it('never echoes a URL it rejects', () => {
    const url = 'htp://hooks.slack.com/services/T0/B0/SECRETPART';
    expect(() => validateReceivers([{ name: 'ops', slack: { url } }])).toThrow(expect.objectContaining({ message: expect.not.stringContaining('SECRETPART') }));
  });
});

describe('createNotifier', () => {
  it('builds the notifier of the receiver kind, under the receiver name', () => {
    const [webhook, slack, log] = validateReceivers([
      { name: 'ops', webhook: { url: 'https://hooks.example.com/spoor' } },
      { name: 'team-slack', slack: { url: 'https://hooks.slack.com/services/T0/B0/X' } },
      { name: 'audit', log: null },
    ]).map((config) => createNotifier(config, DEPS));
    expect(webhook).toBeInstanceOf(WebhookNotifier);
    expect(slack).toBeInstanceOf(SlackNotifier);
    expect(log).toBeInstanceOf(LogNotifier);
    expect([webhook!.name, slack!.name, log!.name]).toEqual(['ops', 'team-slack', 'audit']);
  });

  it("reads a Slack webhook's URL from env:NAME, and names the variable when it is not set", () => {
    delete process.env.SPOOR_TEST_SLACK_UNSET;
    const [config] = validateReceivers([{ name: 'team-slack', slack: { url: 'env:SPOOR_TEST_SLACK_UNSET' } }]);
    expect(config).toEqual({ name: 'team-slack', slack: { url: 'env:SPOOR_TEST_SLACK_UNSET' } });
    expect(() => createNotifier(config!, DEPS)).toThrow("receiver 'team-slack': slack.url reads environment variable SPOOR_TEST_SLACK_UNSET, which is not set");
    expect(() => validateReceivers([{ name: 'team-slack', slack: { url: 'env:not a name' } }])).toThrow(
      'receivers[0].slack.url must name an environment variable after env:',
    );
  });

  it('throws at load when a secret names a variable that is not set', () => {
    delete process.env.SPOOR_TEST_RECEIVERS_UNSET;
    const [config] = validateReceivers([{ name: 'ops', webhook: { url: 'https://hooks.example.com/spoor', secret: 'env:SPOOR_TEST_RECEIVERS_UNSET' } }]);
    expect(() => createNotifier(config!, DEPS)).toThrow(
      "receiver 'ops': webhook.secret reads environment variable SPOOR_TEST_RECEIVERS_UNSET, which is not set",
    );
  });
});
