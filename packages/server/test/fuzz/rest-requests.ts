import type { Random } from '../../src/cli/demo-history.js';

/** The REST side of the fuzzer: GET paths of every route with random parameters, spelled as clients and proxies might, and how an answer is read. */

/** Query parameters the REST API knows, and values for them of every shape. */
const PARAMETERS = [
  'from',
  'to',
  'limit',
  'cursor',
  'service',
  'name',
  'status',
  'minDurationMs',
  'maxDurationMs',
  'step',
  'window',
  'by',
  'a',
  'b',
  'q',
  'text',
  'session',
  'user',
  'model',
  'attr',
  'minSeverity',
  'traceId',
  'spanId',
  'metric',
  'type',
  'groupBy',
  'quantile',
  'offset',
  'sort',
  'unknown',
  'severity',
  'fn',
  'hours',
  'constructor',
  '__proto__',
  'score',
  'after',
];
const VALUES = [
  '',
  '0',
  '-1',
  '-0',
  '1',
  '1.5',
  '1e16',
  '1e300',
  '-1e300',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '0x10',
  '1_000',
  'abc',
  '%00',
  '\u00ff',
  '2026-11-22T10:00:00Z',
  '2026-13-45T99:99:99Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1763719200000',
  '-1763719200000',
  'service.version',
  'a=b',
  'a=',
  '=b',
  '4bf92f3577b34da6a3ce929d0e0e4736',
  'zz',
  'true',
  'error',
  'ok',
  '*',
  '.*',
  '(a+)+$',
  'x'.repeat(5000),
  // Names of Object's own members: a lookup in a plain object finds them (severity=constructor was a 500).
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'constructor=x',
  // Score filters past a 64-bit integer and past a double (q>1e19 was a 500).
  'q>1e19',
  'q<-1e19',
  'q>=9223372036854775808',
  'q<1e400',
  'q=down',
  'q!=1e300',
];

export interface RestAnswer {
  status: number;
  /** Whether the answer was an event stream, read up to its first bytes and closed. */
  stream: boolean;
}

/**
 * A GET answered within `timeoutMs`: its status, once the whole body is read, or, for an event
 * stream (`/api/live`, which never ends while the server runs), once its first bytes are.
 */
export async function readRest(url: string, timeoutMs: number): Promise<RestAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (response.body !== null && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const reader = response.body.getReader();
    await reader.read();
    await reader.cancel();
    return { status: response.status, stream: true };
  }
  await response.arrayBuffer();
  return { status: response.status, stream: false };
}

/** A GET path of a route with its parameters filled in, and random query parameters. */
export function restRequest(random: Random, route: string): string {
  const path = route.replace(/:(\w+)/g, () =>
    encodeURIComponent(
      random.pick([
        '4bf92f3577b34da6a3ce929d0e0e4736',
        '00f067aa0ba902b7',
        'x',
        '..',
        '%2e%2e',
        '0'.repeat(32),
        's-1',
        'a'.repeat(300),
        'constructor',
        '__proto__',
      ]),
    ),
  );
  const query = new URLSearchParams();
  const count = random.int(0, 3);
  for (let i = 0; i < count; i++) query.append(random.pick(PARAMETERS), random.pick(VALUES));
  // Sometimes one repeatable filter given up to 120 times (900 attr filters were a 500 after 16 s; more would pass the 16 KiB of headers Node takes).
  if (random.chance(0.03)) {
    const name = random.pick(['attr', 'score']);
    for (let i = random.int(15, 120); i > 0; i--) query.append(name, name === 'attr' ? `k${i}=v` : `s${i}>${i}`);
  }
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * `path` (and its query) spelled as some router, proxy or client might read it as the same path:
 * one to three of percent-encoded characters (letters, slashes, dots), encoding twice, case,
 * doubled slashes, dot segments, `;` parameters, a fragment, a trailing slash, backslashes and the
 * absolute form. The result goes out as the request line's target, byte for byte.
 */
export function spelledPath(random: Random, target: string, origin: string): string {
  const cut = target.indexOf('?');
  let path = cut === -1 ? target : target.slice(0, cut);
  let query = cut === -1 ? '' : target.slice(cut);
  const encode = (char: string, twice: boolean): string => {
    const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
    const code = random.chance(0.5) ? hex.toUpperCase() : hex;
    return twice ? `%25${code}` : `%${code}`;
  };
  const rounds = 1 + random.int(0, 2);
  for (let round = 0; round < rounds; round++) {
    const at = random.int(1, Math.max(1, path.length - 1));
    switch (random.int(0, 9)) {
      case 0:
      case 1:
        path = path.slice(0, at) + encode(path[at] ?? 'a', random.chance(0.2)) + path.slice(at + 1);
        break;
      case 2:
        path = [...path].map((char) => (random.chance(0.3) ? (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()) : char)).join('');
        break;
      case 3:
        path = random.chance(0.5) ? `/${path}` : path.replace(/\//g, () => (random.chance(0.3) ? '//' : '/'));
        break;
      case 4:
        path = path.slice(0, at) + random.pick(['/.', '/x/..', '/%2e', '/x/%2E%2E', '/./']) + path.slice(at);
        break;
      case 5:
        path = path.slice(0, at) + random.pick([';x=1', ';', ';jsessionid=1']) + path.slice(at);
        break;
      case 6:
        query = `${query}#${random.pick(['x', '', '/../api/keys', '?a=1'])}`;
        break;
      case 7:
        path = `${path}/`;
        break;
      // The first slash stays: a target that starts otherwise is refused by Node's HTTP parser
      // before any of Spoor runs.
      case 8:
        path = `/${path.slice(1).replace(/\//g, () => (random.chance(0.3) ? '\\' : '/'))}`;
        break;
      default:
        path = `/${path.slice(1).replace(/\//g, () => (random.chance(0.3) ? encode('/', random.chance(0.2)) : '/'))}`;
    }
  }
  // The absolute form last: mutated inside its scheme it would be no target at all.
  if (random.chance(0.1)) path = `${random.chance(0.5) ? origin : origin.toUpperCase()}${path}`;
  return path + query;
}
