import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/**
 * `--forward NAME=URL[,headers=K:V;…][,signals=traces,logs,metrics][,filter=…]`: where Spoor
 * sends on what it acknowledged, read and checked once at start. URL is the OTLP/HTTP base, as
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is for the OpenTelemetry exporters: each signal is posted to
 * `URL/v1/traces`, `URL/v1/logs` and `URL/v1/metrics`. A header value written `env:VAR` or
 * `file:PATH` is read from there at start, so a secret need not be on the command line (where
 * `ps` shows it); header values are never logged.
 */

export const FORWARD_SIGNALS = ['traces', 'logs', 'metrics'] as const;
export type ForwardSignal = (typeof FORWARD_SIGNALS)[number];

/**
 * One condition a request's data must meet to be forwarded: on its project, or on a resource
 * attribute (`service` is `service.name`), compared with the value as received, before masking.
 * A resource that fails a condition is left out of the request; a request left empty is not sent.
 */
export interface ForwardFilter {
  on: 'project' | 'resource';
  /** The attribute key (`service.name` for `service`); empty for `project`. */
  key: string;
  value: string;
  /** `!=`: the condition holds when the value differs (or the attribute is absent). */
  negate: boolean;
}

export interface ForwardDestination {
  /** Names its metrics (`destination="NAME"`) and its durable position (`forward/NAME.position`). */
  name: string;
  /** The OTLP/HTTP base as given, without a trailing slash. */
  baseUrl: string;
  /** What each signal is posted to: `baseUrl` + `/v1/<signal>`. */
  urls: Record<ForwardSignal, string>;
  /** Headers sent with every request, values as read at start. Secrets: never log them. */
  headers: Array<[name: string, value: string]>;
  signals: ForwardSignal[];
  /** All must hold (`filter=` given several times). */
  filters: ForwardFilter[];
}

/** How a user writes one, for the messages that refuse one written otherwise. */
const SYNTAX = 'write NAME=URL[,headers=K:V;K2:env:VAR][,signals=traces,logs,metrics][,filter=service=NAME]';
const OPTIONS = ['headers', 'signals', 'filter'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers Spoor sets itself, or that belong to the connection. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'host', 'connection', 'spoor-forwarded']);

/**
 * The destinations of `--forward` values (or `SPOOR_FORWARD`, split by `splitForwardList`);
 * throws a message that says what to fix. `readFile` reads `file:` header values.
 */
export function parseForwardDestinations(
  specs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ForwardDestination[] {
  const destinations: ForwardDestination[] = [];
  for (const spec of specs) {
    const destination = parseOne(spec.trim(), env, readFile);
    if (destinations.some((d) => d.name === destination.name))
      throw new Error(`--forward ${destination.name} is given twice; each destination needs a name of its own`);
    destinations.push(destination);
  }
  return destinations;
}

/**
 * `SPOOR_FORWARD`'s destinations: separated by `;` as the other list variables are, but a `;`
 * also separates headers (`headers=a:1;b:2`), so a new destination starts only where `NAME=`
 * and a URL scheme follow the `;` (a header is `K:V`, whose name holds no `=`).
 */
export function splitForwardList(text: string): string[] {
  return text
    .split(/;(?=\s*[A-Za-z0-9][A-Za-z0-9_-]*=[A-Za-z][A-Za-z0-9+.-]*:)/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function parseOne(spec: string, env: NodeJS.ProcessEnv, readFile: (path: string) => string): ForwardDestination {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--forward ${spec}: ${SYNTAX}`);
  const name = spec.slice(0, eq);
  const fail = (message: string): never => {
    throw new Error(`--forward ${NAME.test(name) ? name : JSON.stringify(name)}: ${message}`);
  };
  if (!NAME.test(name)) fail(`the name may hold letters, digits, _ and - (at most 63, not starting with _ or -); ${SYNTAX}`);
  const [url = '', ...rest] = spec.slice(eq + 1).split(',');
  // A part without `=` continues the option before it: `signals=traces,logs` is one option.
  const options: Array<[string, string]> = [];
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at === -1 && options.length > 0) options[options.length - 1]![1] += `,${part}`;
    else if (at === -1) fail(`'${part}' is not an option; ${SYNTAX}`);
    else options.push([part.slice(0, at).trim(), part.slice(at + 1)]);
  }
  const baseUrl = baseUrlOf(url.trim(), fail);
  const destination: ForwardDestination = {
    name,
    baseUrl,
    urls: { traces: `${baseUrl}/v1/traces`, logs: `${baseUrl}/v1/logs`, metrics: `${baseUrl}/v1/metrics` },
    headers: [],
    signals: [...FORWARD_SIGNALS],
    filters: [],
  };
  const seen = new Set<string>();
  for (const [option, value] of options) {
    if (!OPTIONS.includes(option)) fail(`'${option}' is not an option (known: ${OPTIONS.join(', ')}); ${SYNTAX}`);
    if (option !== 'filter' && seen.has(option)) fail(`'${option}' is given twice`);
    seen.add(option);
    if (option === 'headers') destination.headers = headersOf(value, env, readFile, fail);
    else if (option === 'signals') destination.signals = signalsOf(value, fail);
    else destination.filters.push(filterOf(value.trim(), fail));
  }
  return destination;
}

function baseUrlOf(text: string, fail: (message: string) => never): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`'${text}' is not a URL; ${SYNTAX}, URL such as http://jaeger:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`the URL must be http:// or https:// (OTLP/HTTP), not ${url.protocol}//`);
  if (url.username !== '' || url.password !== '') fail('put credentials in a header (headers=Authorization:env:VAR), not in the URL');
  if (url.search !== '' || url.hash !== '') fail(`the URL is the OTLP/HTTP base, with no query or fragment: '${text}'`);
  const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  if (/\/v1\/(traces|logs|metrics)$/.test(base))
    fail(
      `give the OTLP/HTTP base, without /v1/<signal> (Spoor appends /v1/traces, /v1/logs and /v1/metrics): ${base.replace(/\/v1\/(traces|logs|metrics)$/, '')}`,
    );
  return base;
}

function headersOf(text: string, env: NodeJS.ProcessEnv, readFile: (path: string) => string, fail: (message: string) => never): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const item of text.split(';')) {
    if (item.trim() === '') continue;
    const colon = item.indexOf(':');
    const name = colon === -1 ? '' : item.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) fail(`headers are K:V separated by ';' (a value may be env:VAR or file:PATH), not '${colon === -1 ? item : name}'`);
    if (OWN_HEADERS.has(name.toLowerCase())) fail(`the header ${name} is Spoor's to set`);
    const written = item.slice(colon + 1).trim();
    // Only the source is named in a message, never a value: it may be a secret.
    let value = written;
    if (written.startsWith('env:')) {
      const variable = written.slice(4);
      value = env[variable] ?? '';
      if (value.trim() === '') fail(`the header ${name} is read from the variable ${variable}, which is not set`);
    } else if (written.startsWith('file:')) {
      const path = written.slice(5);
      try {
        value = readFile(path);
      } catch (error) {
        fail(`cannot read the header ${name} from ${path}: ${(error as Error).message}`);
      }
      if (value.trim() === '') fail(`the header ${name} is read from ${path}, which is empty`);
    }
    value = value.trim();
    if (/[\r\n\0]/.test(value)) fail(`the value of the header ${name} holds a line break`);
    headers.push([name, value]);
  }
  return headers;
}

function signalsOf(text: string, fail: (message: string) => never): ForwardSignal[] {
  const signals: ForwardSignal[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    if (!(FORWARD_SIGNALS as readonly string[]).includes(part)) fail(`a signal is traces, logs or metrics, not '${part}'`);
    if (!signals.includes(part as ForwardSignal)) signals.push(part as ForwardSignal);
  }
  return signals;
}

function filterOf(text: string, fail: (message: string) => never): ForwardFilter {
  const match = /^(service|project|resource\.[^=!]+)(!?=)(.*)$/.exec(text);
  if (match === null) return fail(`a filter is service=NAME, project=ID or resource.KEY=VALUE (or != for each), not '${text}'`);
  const [, subject, operator, value] = match as unknown as [string, string, string, string];
  const negate = operator === '!=';
  if (subject === 'project') return { on: 'project', key: '', value, negate };
  return { on: 'resource', key: subject === 'service' ? 'service.name' : subject.slice('resource.'.length), value, negate };
}

/** What Spoor itself serves, to refuse a destination that would send back to it (a forward loop). */
export interface OwnAddress {
  /** The address it binds; for every address (`0.0.0.0`, `::`), see `interfaces`. */
  host: string;
  ports: number[];
  /** This machine's own addresses, which an unspecified `host` binds too. Default: none. */
  interfaces?: string[];
}

/** This machine's addresses, for `OwnAddress.interfaces`. */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.toLowerCase()));
}

/**
 * Why sending to `destination` would reach this very server (its loopback name, or the address it
 * binds, with a port it serves), or `null`. A name that resolves to this machine by DNS is not
 * caught: the URL is not resolved at start.
 */
export function forwardLoopProblem(destination: ForwardDestination, own: OwnAddress): string | null {
  const url = new URL(destination.baseUrl);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (!own.ports.includes(port)) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const bound = own.host.replace(/^\[|\]$/g, '').toLowerCase();
  const everyAddress = bound === '0.0.0.0' || bound === '::';
  if (!isLoopbackName(host) && host !== bound && !(everyAddress && (own.interfaces ?? []).includes(host))) return null;
  return `--forward ${destination.name}: ${destination.baseUrl} is this Spoor's own port ${port}: what it forwards would come back to it, again and again (a forward loop); forward to another server`;
}

/** `localhost`, `*.localhost`, 127.0.0.0/8, `::1`, and the unspecified addresses, which connect to this machine. */
function isLoopbackName(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1' ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(host) ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host) ||
    host === '0.0.0.0' ||
    host === '::'
  );
}
