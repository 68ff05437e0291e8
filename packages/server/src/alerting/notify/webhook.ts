import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Notification, Notifier, WebhookConfig } from '../notification.js';
import { HttpDelivery, type NotifierDeps, maxAttemptsFrom, timeoutMsFrom } from './delivery.js';

export const SIGNATURE_HEADER = 'x-spoor-signature';
export const TIMESTAMP_HEADER = 'x-spoor-timestamp';
/** Headers the notifier sets itself; `headers:` may not name them. */
export const RESERVED_HEADERS: readonly string[] = [
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
];

const ENV_SECRET = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** `sha256=<hex>` over `<timestamp>.<body>`: the timestamp is signed too, so a captured request cannot be replayed later. */
export function signatureFor(secret: string, timestamp: string | number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * For receivers: whether `header` (the `X-Spoor-Signature` value) signs `body` as sent at
 * `timestamp` (the `X-Spoor-Timestamp` value, unix seconds), and that time is within `toleranceS`
 * of `nowS`. Pass the raw body, not a re-serialized one. Compares in constant time.
 */
export function verifySignature(secret: string, timestamp: string | number, body: string | Buffer, header: string, nowS: number, toleranceS = 300): boolean {
  const ts = String(timestamp);
  if (!/^\d+$/.test(ts) || Math.abs(nowS - Number(ts)) > toleranceS) return false;
  const expected = Buffer.from(signatureFor(secret, ts, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Throws unless `secret` is a non-empty string, and a well-formed `env:NAME` when it starts so. */
export function assertSecretSyntax(secret: unknown, field: string): asserts secret is string {
  if (typeof secret !== 'string' || secret === '') throw new Error(`${field} must be a non-empty string, or env:NAME to read it from the environment`);
  if (secret.startsWith('env:') && !ENV_SECRET.test(secret))
    throw new Error(`${field} must name an environment variable after env:, such as env:SPOOR_WEBHOOK_SECRET`);
}

/**
 * The signing secret: written as is, or `env:NAME` to read `process.env.NAME` now. A variable that
 * is not set is a configuration error, never a silent unsigned send that every checking receiver
 * would refuse.
 */
export function resolveSecret(secret: string | undefined, field: string): string | null {
  if (secret === undefined) return null;
  assertSecretSyntax(secret, field);
  const match = ENV_SECRET.exec(secret);
  if (match === null) return secret;
  const value = process.env[match[1]!];
  // An empty variable counts as unset, as in config.ts: `SECRET=` must not mean "sign with nothing".
  if (value === undefined || value === '') throw new Error(`${field} reads environment variable ${match[1]}, which is not set`);
  return value;
}

/**
 * POSTs each notification as JSON, in Alertmanager's webhook shape, signed with HMAC-SHA256 when a
 * secret is set. Throws at construction on a bad URL, timeout or secret.
 */
export class WebhookNotifier implements Notifier {
  private readonly delivery: HttpDelivery;

  constructor(
    readonly name: string,
    config: WebhookConfig,
    deps: NotifierDeps,
  ) {
    const field = `receiver '${name}': webhook`;
    const secret = resolveSecret(config.secret, `${field}.secret`);
    // Decided once: the static headers are built here, only the signature per attempt.
    const fixed: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'spoor-alerting/1' };
    for (const [header, value] of Object.entries(config.headers ?? {})) {
      if (RESERVED_HEADERS.includes(header.toLowerCase())) throw new Error(`${field}.headers may not set ${header}`);
      fixed[header.toLowerCase()] = value;
    }
    this.delivery = new HttpDelivery(
      {
        receiver: name,
        url: config.url,
        timeoutMs: timeoutMsFrom(config.timeout, `${field}.timeout`),
        maxAttempts: maxAttemptsFrom(config.maxAttempts, `${field}.maxAttempts`),
        encode: (notification) => JSON.stringify(notification),
        headers: secret === null ? () => fixed : (body) => signedHeaders(fixed, secret, body),
        secrets: [...(secret === null ? [] : [secret]), ...Object.values(config.headers ?? {})],
      },
      deps,
    );
  }

  send(notification: Notification): void {
    this.delivery.send(notification);
  }

  close(timeoutMs: number): Promise<void> {
    return this.delivery.close(timeoutMs);
  }
}

function signedHeaders(fixed: Record<string, string>, secret: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { ...fixed, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signatureFor(secret, timestamp, body) };
}
