import type { LogReceiverConfig, Notifier, ReceiverConfig, SlackConfig, WebhookConfig } from '../notification.js';
import { type NotifierDeps, maxAttemptsFrom, parseHttpUrl, timeoutMsFrom } from './delivery.js';
import { LogNotifier } from './log.js';
import { SlackNotifier } from './slack.js';
import { RESERVED_HEADERS, WebhookNotifier, assertSecretSyntax } from './webhook.js';

const KINDS = ['webhook', 'slack', 'log'] as const;
const RECEIVER_FIELDS = ['name', ...KINDS];
const WEBHOOK_FIELDS = ['url', 'secret', 'headers', 'timeout', 'maxAttempts'];
const SLACK_FIELDS = ['url', 'channel', 'timeout', 'maxAttempts'];
const LOG_FIELDS = ['level'];
const LOG_LEVELS = ['info', 'warn', 'error'];

/** RFC 9110 §5.6.2 `token`: what fetch accepts as a header name. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type Mapping = Record<string, unknown>;

/**
 * The notifier for a receiver. Throws on what validation cannot see: a secret's environment
 * variable that is not set. Call it when the rules file is loaded, so that is reported then.
 */
export function createNotifier(config: ReceiverConfig, deps: NotifierDeps): Notifier {
  if ('webhook' in config) return new WebhookNotifier(config.name, config.webhook, deps);
  if ('slack' in config) return new SlackNotifier(config.name, config.slack, deps);
  return new LogNotifier(config.name, config.log, deps);
}

/**
 * Checks the `receivers:` of a parsed rules file and returns them as configs. Throws the first
 * problem, naming the field and receiver: `receivers[2].webhook.url must be an http(s) URL
 * (receiver 'ops')`. An absent list is an empty one. Values are never echoed: URLs and secrets are
 * what they would show.
 */
export function validateReceivers(configs: unknown): ReceiverConfig[] {
  if (configs === undefined || configs === null) return [];
  if (!Array.isArray(configs)) throw new Error('receivers must be a list');
  const indexByName = new Map<string, number>();
  return configs.map((raw, index) => {
    const at = `receivers[${index}]`;
    const receiver = mapping(raw, at);
    const { name } = receiver;
    if (typeof name !== 'string' || name.trim() === '') throw new Error(`${at}.name must be a non-empty string`);
    const earlier = indexByName.get(name);
    if (earlier !== undefined) throw new Error(`${at}.name '${name}' is already the name of receivers[${earlier}]`);
    indexByName.set(name, index);
    try {
      return receiverConfig(receiver, name, at);
    } catch (error) {
      throw new Error(`${(error as Error).message} (receiver '${name}')`, { cause: error });
    }
  });
}

function receiverConfig(receiver: Mapping, name: string, at: string): ReceiverConfig {
  rejectUnknown(receiver, RECEIVER_FIELDS, at);
  const kinds = KINDS.filter((kind) => receiver[kind] !== undefined);
  if (kinds.length === 0) throw new Error(`${at} must have one of webhook, slack or log`);
  if (kinds.length > 1) throw new Error(`${at} has both ${kinds[0]} and ${kinds[1]}; a receiver has exactly one kind`);
  const kind = kinds[0]!;
  const path = `${at}.${kind}`;
  if (kind === 'webhook') return { name, webhook: webhookConfig(mapping(receiver.webhook, path), path) };
  if (kind === 'slack') return { name, slack: slackConfig(mapping(receiver.slack, path), path) };
  // `log:` with nothing after it parses as null: the defaults.
  return { name, log: logConfig(receiver.log === null ? {} : mapping(receiver.log, path), path) };
}

function webhookConfig(raw: Mapping, at: string): WebhookConfig {
  rejectUnknown(raw, WEBHOOK_FIELDS, at);
  const config: WebhookConfig = { url: httpUrl(raw.url, `${at}.url`) };
  if (raw.secret !== undefined) {
    assertSecretSyntax(raw.secret, `${at}.secret`);
    config.secret = raw.secret;
  }
  if (raw.headers !== undefined) config.headers = headers(mapping(raw.headers, `${at}.headers`), `${at}.headers`);
  Object.assign(config, delivery(raw, at));
  return config;
}

function slackConfig(raw: Mapping, at: string): SlackConfig {
  rejectUnknown(raw, SLACK_FIELDS, at);
  const config: SlackConfig = { url: slackUrl(raw.url, `${at}.url`) };
  if (raw.channel !== undefined) {
    if (typeof raw.channel !== 'string' || raw.channel.trim() === '') throw new Error(`${at}.channel must be a non-empty string, such as '#alerts'`);
    config.channel = raw.channel;
  }
  Object.assign(config, delivery(raw, at));
  return config;
}

function logConfig(raw: Mapping, at: string): LogReceiverConfig {
  rejectUnknown(raw, LOG_FIELDS, at);
  if (raw.level === undefined) return {};
  if (typeof raw.level !== 'string' || !LOG_LEVELS.includes(raw.level)) throw new Error(`${at}.level must be info, warn or error`);
  return { level: raw.level as LogReceiverConfig['level'] };
}

/** `timeout` and `maxAttempts`, checked by the same functions the notifiers resolve them with. */
function delivery(raw: Mapping, at: string): { timeout?: string; maxAttempts?: number } {
  const out: { timeout?: string; maxAttempts?: number } = {};
  if (raw.timeout !== undefined) {
    if (typeof raw.timeout !== 'string') throw new Error(`${at}.timeout must be a duration of at least 1ms, such as 10s or 500ms`);
    timeoutMsFrom(raw.timeout, `${at}.timeout`);
    out.timeout = raw.timeout;
  }
  if (raw.maxAttempts !== undefined) out.maxAttempts = maxAttemptsFrom(raw.maxAttempts as number, `${at}.maxAttempts`);
  return out;
}

function headers(raw: Mapping, at: string): Record<string, string> {
  const out: Array<[string, string]> = [];
  for (const [header, value] of Object.entries(raw)) {
    if (!HEADER_NAME.test(header)) throw new Error(`${at} has '${header}', which is not a valid header name`);
    if (RESERVED_HEADERS.includes(header.toLowerCase())) throw new Error(`${at}.${header} is set by Spoor and may not be configured`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new Error(`${at}.${header} must be a string on one line`);
    out.push([header, value]);
  }
  // fromEntries adds each as its own key: `out['__proto__'] = value` would set a prototype instead.
  return Object.fromEntries(out);
}

function httpUrl(value: unknown, at: string): string {
  if (parseHttpUrl(value) === null) throw new Error(`${at} must be an http(s) URL`);
  return value as string;
}

/**
 * A Slack incoming webhook's URL is its secret (whoever has it may post to the channel): like a
 * webhook's signing secret, the file may name it as `env:NAME`, read when the receiver is made.
 */
function slackUrl(value: unknown, at: string): string {
  if (typeof value === 'string' && value.startsWith('env:')) {
    assertSecretSyntax(value, at);
    return value;
  }
  return httpUrl(value, at);
}

function mapping(value: unknown, at: string): Mapping {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${at} must be a mapping`);
  return value as Mapping;
}

function rejectUnknown(raw: Mapping, known: readonly string[], at: string): void {
  for (const field of Object.keys(raw)) {
    if (!known.includes(field)) throw new Error(`${at}.${field} is not a known field; use ${known.join(', ')}`);
  }
}
