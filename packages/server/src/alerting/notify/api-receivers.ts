import type { AlertReceiver } from '@spoor/model';
import type { ReceiverConfig } from '../notification.js';
import { parseHttpUrl, redactUrl } from './delivery.js';
import { validateReceivers } from './receivers.js';

/** Names a receiver made through the API may have: they go in URLs, and never start like `@`. */
const RECEIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Hosts a receiver made through the API may not post to. A project's admin is not the server's
 * operator: a webhook to the cloud's metadata service (link-local, or its names) would hand them
 * the machine's credentials in a delivery error, and one to "every address" reaches this server.
 * Loopback and private addresses stay allowed: receivers on the same host or network are common.
 * The rules file, which the operator writes, is not limited.
 */
function refusedHost(hostname: string): string | null {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host) || /^::ffff:169\.254\./.test(host) || /^::ffff:a9fe:/.test(host))
    return 'a link-local address (where cloud metadata services answer)';
  if (host === 'metadata.google.internal' || host === 'metadata' || host === 'instance-data' || host === 'fd00:ec2::254') return 'a cloud metadata service';
  if (host === '0.0.0.0' || host === '::' || /^0+(\.0+){0,3}$/.test(host) || /^0x0+$/.test(host)) return 'the unspecified address (which reaches this machine)';
  // An IPv4 address written as one number or in hex (http://2852039166/) is read by URL as dotted: caught above.
  return null;
}

/**
 * A receiver sent to `POST /api/alerts/receivers` (or `PUT …/:name`), checked as the rules file's
 * are (every problem a message naming the field), and more: a name fit for a URL, no `env:`
 * secret (that reads the server's environment, which only its operator may name), and no URL to
 * a metadata service or this machine's every address. Throws an `Error` whose message is the 400's.
 */
export function apiReceiverConfig(body: unknown, ownUrl: string): ReceiverConfig {
  let config: ReceiverConfig;
  try {
    [config] = validateReceivers([body]) as [ReceiverConfig];
  } catch (error) {
    // `receivers[0].webhook.url must be…`: the body is the receiver itself.
    throw new Error((error as Error).message.replace(/^receivers\[0\]\.?/, '').replace(/^ must/, 'the receiver must'), { cause: error });
  }
  if (!RECEIVER_NAME.test(config.name)) throw new Error('name must be 1-128 letters, digits, and _ . : - (starting with a letter or digit)');
  if ('webhook' in config && config.webhook.secret?.startsWith('env:') === true)
    throw new Error("webhook.secret: env:NAME reads the server's environment, which only the rules file may name; give the secret itself");
  if ('slack' in config && config.slack.url.startsWith('env:'))
    throw new Error("slack.url: env:NAME reads the server's environment, which only the rules file may name; give the URL itself");
  const url = 'webhook' in config ? config.webhook.url : 'slack' in config ? config.slack.url : null;
  if (url !== null) {
    const kind = 'webhook' in config ? 'webhook' : 'slack';
    const parsed = parseHttpUrl(url)!;
    const refused = refusedHost(parsed.hostname);
    if (refused !== null) throw new Error(`${kind}.url names ${refused}; a receiver made through the API may not post there`);
    const own = parseHttpUrl(ownUrl);
    if (own !== null && parsed.host === own.host) throw new Error(`${kind}.url is this Spoor's own address: notifications would post to its own API`);
  }
  return config;
}

/** A receiver as the API shows it: what it does, never a secret (URLs show scheme and host only). */
export function receiverView(
  config: ReceiverConfig,
  entry: { source: AlertReceiver['source']; inForce: boolean; createdAt: string | null; updatedAt: string | null },
  usedBy: string[],
): AlertReceiver {
  const base = { name: config.name, ...entry, signed: false, headers: [] as string[], channel: null, level: null, timeout: null, maxAttempts: null, usedBy };
  if ('webhook' in config) {
    const { webhook } = config;
    return {
      ...base,
      kind: 'webhook',
      url: shownUrl(webhook.url),
      signed: webhook.secret !== undefined,
      headers: Object.keys(webhook.headers ?? {}),
      timeout: webhook.timeout ?? null,
      maxAttempts: webhook.maxAttempts ?? null,
    };
  }
  if ('slack' in config) {
    const { slack } = config;
    const { channel = null, timeout = null, maxAttempts = null } = slack;
    return { ...base, kind: 'slack', url: shownUrl(slack.url), channel, timeout, maxAttempts };
  }
  return { ...base, kind: 'log', url: null, level: config.log.level ?? null };
}

function shownUrl(url: string): string {
  // The file's `env:NAME` says where the URL is read from, not the URL.
  if (url.startsWith('env:')) return url;
  const parsed = parseHttpUrl(url);
  return parsed === null ? '…' : redactUrl(parsed);
}
