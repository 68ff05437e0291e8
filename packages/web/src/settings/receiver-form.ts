/** The receiver form's fields, as typed; `receiverBodyFrom` makes the API's body of them. */
export interface ReceiverForm {
  name: string;
  kind: 'webhook' | 'slack' | 'log';
  url: string;
  secret: string;
  /** `Name: value`, one a line. */
  headers: string;
  channel: string;
  level: '' | 'info' | 'warn' | 'error';
  timeout: string;
  maxAttempts: string;
}

export const EMPTY_RECEIVER_FORM: ReceiverForm = {
  name: '',
  kind: 'webhook',
  url: '',
  secret: '',
  headers: '',
  channel: '',
  level: '',
  timeout: '',
  maxAttempts: '',
};

export type ReceiverBody = { ok: true; body: Record<string, unknown> } | { ok: false; error: string };

/**
 * The body to POST or PUT, or why the form cannot make one: only what the form itself must read
 * (header lines, the attempts as a number). The server checks the rest and says what is wrong.
 */
export function receiverBodyFrom(form: ReceiverForm): ReceiverBody {
  const delivery: Record<string, unknown> = {};
  if (form.timeout.trim() !== '') delivery.timeout = form.timeout.trim();
  if (form.maxAttempts.trim() !== '') {
    const n = Number(form.maxAttempts.trim());
    if (!Number.isInteger(n)) return { ok: false, error: 'Attempts must be a whole number, from 1 to 20' };
    delivery.maxAttempts = n;
  }
  const name = form.name.trim();
  if (form.kind === 'log') return { ok: true, body: { name, log: form.level === '' ? {} : { level: form.level } } };
  if (form.kind === 'slack') {
    const channel = form.channel.trim();
    return { ok: true, body: { name, slack: { url: form.url.trim(), ...(channel === '' ? {} : { channel }), ...delivery } } };
  }
  const headers: Array<[string, string]> = [];
  for (const [i, line] of form.headers.split('\n').entries()) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, error: `Headers line ${i + 1} must be written Name: value` };
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const webhook: Record<string, unknown> = { url: form.url.trim() };
  if (form.secret !== '') webhook.secret = form.secret;
  // fromEntries: a header named __proto__ is a key like any other, for the server to refuse.
  if (headers.length > 0) webhook.headers = Object.fromEntries(headers);
  return { ok: true, body: { name, webhook: { ...webhook, ...delivery } } };
}
