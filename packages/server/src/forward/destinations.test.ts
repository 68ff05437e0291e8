import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../config.js';
import { forwardLoopProblem, parseForwardDestinations, splitForwardList } from './destinations.js';
import { projectPasses, resourceFilterOf } from './filters.js';

const env = { DD_API_KEY: 'dd-secret-123', EMPTY: ' ' };
const files: Record<string, string> = { '/run/secrets/token': 'Bearer file-secret\n', '/run/secrets/empty': '' };
const readFile = (path: string): string => {
  if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
  return files[path]!;
};
const parse = (...specs: string[]) => parseForwardDestinations(specs, env, readFile);
const problemOf = (...specs: string[]): string => {
  try {
    parse(...specs);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no problem';
};

describe('parseForwardDestinations', () => {
  it('reads a base URL and posts each signal under /v1', () => {
    const [jaeger] = parse('jaeger=http://jaeger:4318/');
    expect(jaeger).toEqual({
      name: 'jaeger',
      baseUrl: 'http://jaeger:4318',
      urls: { traces: 'http://jaeger:4318/v1/traces', logs: 'http://jaeger:4318/v1/logs', metrics: 'http://jaeger:4318/v1/metrics' },
      headers: [],
      signals: ['traces', 'logs', 'metrics'],
      filters: [],
    });
    expect(parse('gw=https://gateway.example.com/otlp')[0]!.urls.logs).toBe('https://gateway.example.com/otlp/v1/logs');
  });

  it('reads headers from the flag, a variable or a file, and lists of signals and filters', () => {
    const [dd] = parse(
      'dd=https://otlp.datadoghq.com,headers=dd-api-key:env:DD_API_KEY;Authorization:file:/run/secrets/token;X-Team:a:b,signals=traces,logs,filter=service=checkout,filter=resource.deployment.environment!=dev',
    );
    expect(dd!.headers).toEqual([
      ['dd-api-key', 'dd-secret-123'],
      ['Authorization', 'Bearer file-secret'],
      ['X-Team', 'a:b'],
    ]);
    expect(dd!.signals).toEqual(['traces', 'logs']);
    expect(dd!.filters).toEqual([
      { on: 'resource', key: 'service.name', value: 'checkout', negate: false },
      { on: 'resource', key: 'deployment.environment', value: 'dev', negate: true },
    ]);
    expect(parse('p=http://x:1,filter=project!=staging')[0]!.filters).toEqual([{ on: 'project', key: '', value: 'staging', negate: true }]);
  });

  it.each([
    ['a scheme other than http(s)', 'x=ftp://host/otlp', 'must be http:// or https://'],
    ['a gRPC URL', 'x=grpc://collector:4317', 'must be http:// or https://'],
    ['no URL', 'x=', "'' is not a URL"],
    ['no name', 'http://host:4318', 'write NAME=URL'],
    ['a name that is no file name', '../x=http://host:4318', 'the name may hold letters'],
    ['a signal path', 'x=http://host:4318/v1/traces', 'without /v1/<signal>'],
    ['credentials in the URL', 'x=http://user:pw@host:4318', 'put credentials in a header'],
    ['a query', 'x=http://host:4318?a=1', 'no query or fragment'],
    ['an unknown option', 'x=http://host:4318,compression=gzip', "'compression' is not an option (known: headers, signals, filter)"],
    ['an unknown signal', 'x=http://host:4318,signals=traces,spans', "a signal is traces, logs or metrics, not 'spans'"],
    ['a filter on something else', 'x=http://host:4318,filter=name=GET', 'a filter is service=NAME'],
    ['a header without a value separator', 'x=http://host:4318,headers=token', 'headers are K:V'],
    ['a header Spoor sets', 'x=http://host:4318,headers=Content-Type:text/plain', 'the header Content-Type is Spoor'],
    ['a header from a variable not set', 'x=http://host:4318,headers=k:env:NOPE', 'the variable NOPE, which is not set'],
    ['a header from a blank variable', 'x=http://host:4318,headers=k:env:EMPTY', 'the variable EMPTY, which is not set'],
    ['a header from a missing file', 'x=http://host:4318,headers=k:file:/nope', 'cannot read the header k from /nope'],
    ['a header from an empty file', 'x=http://host:4318,headers=k:file:/run/secrets/empty', 'which is empty'],
    ['an option given twice', 'x=http://host:4318,signals=traces,signals=logs', "'signals' is given twice"],
  ])('refuses %s, saying what to write', (_, spec, message) => {
    expect(problemOf(spec)).toContain(message);
  });

  it('refuses a name given twice', () => {
    expect(problemOf('a=http://one:4318', 'a=http://two:4318')).toContain('--forward a is given twice');
  });

  it('never puts a header value in a message', () => {
    expect(problemOf('x=http://host:4318,headers=k:env:DD_API_KEY,bogus=1')).not.toContain('dd-secret-123');
    expect(problemOf('x=http://host:4318,headers=Authorization:Bearer s3cr3t-value;Content-Type:x')).not.toContain('s3cr3t-value');
  });
});

describe('splitForwardList', () => {
  it.each([
    ['one destination', 'a=http://a:4318', ['a=http://a:4318']],
    ['two, separated by ;', 'a=http://a:4318; b=https://b', ['a=http://a:4318', 'b=https://b']],
    [
      'headers separated by ; inside one',
      'a=http://a:4318,headers=x:1;y:env:Y;b=http://b:4318,headers=z:2',
      ['a=http://a:4318,headers=x:1;y:env:Y', 'b=http://b:4318,headers=z:2'],
    ],
    ['nothing', '', []],
  ])('splits %s', (_, text, parts) => {
    expect(splitForwardList(text)).toEqual(parts);
  });
});

describe('forwardLoopProblem', () => {
  const own = { host: '127.0.0.1', ports: [4318, 4317] };
  it.each([
    ['127.0.0.1 on its HTTP port', 'http://127.0.0.1:4318', true],
    ['localhost on its gRPC port', 'http://localhost:4317', true],
    ['another loopback address', 'http://127.1.2.3:4318', true],
    ['::1', 'http://[::1]:4318', true],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:4318', true],
    ['0.0.0.0', 'http://0.0.0.0:4318', true],
    ['a name under .localhost', 'https://spoor.localhost:4318', true],
    ['loopback on another port', 'http://127.0.0.1:4319', false],
    ['another host on its port', 'http://collector:4318', false],
    ['https on 443, not served', 'https://localhost', false],
  ])('%s', (_, url, loop) => {
    const [destination] = parseForwardDestinations([`d=${url}`]);
    expect(forwardLoopProblem(destination!, own) !== null).toBe(loop);
  });

  it('catches an address of this machine when Spoor binds every address', () => {
    const [destination] = parseForwardDestinations(['lan=http://192.168.1.20:4318']);
    expect(forwardLoopProblem(destination!, { host: '0.0.0.0', ports: [4318], interfaces: ['127.0.0.1', '192.168.1.20'] })).toMatch(/forward loop/);
    expect(forwardLoopProblem(destination!, { host: '127.0.0.1', ports: [4318], interfaces: ['127.0.0.1', '192.168.1.20'] })).toBeNull();
  });

  it('catches the address Spoor binds, and says why', () => {
    const [destination] = parseForwardDestinations(['self=http://10.0.0.5:4318']);
    expect(forwardLoopProblem(destination!, { host: '10.0.0.5', ports: [4318] })).toBe(
      "--forward self: http://10.0.0.5:4318 is this Spoor's own port 4318: what it forwards would come back to it, again and again (a forward loop); forward to another server",
    );
  });
});

describe('the serve configuration', () => {
  it('takes --forward flags and SPOOR_FORWARD, and the cap', () => {
    const config = resolveServeConfig({ forward: ['a=http://a:4318', 'b=http://b:4318'], forwardSpoolMax: '64MiB' }, {});
    expect(config.forward.map((d) => d.name)).toEqual(['a', 'b']);
    expect(config.forwardSpoolMaxBytes).toBe(64 * 1024 * 1024);
    const fromEnv = resolveServeConfig({}, { SPOOR_FORWARD: 'a=http://a:4318,headers=k:env:K;b=http://b:4318', K: 'v', SPOOR_FORWARD_SPOOL_MAX: '1KiB' });
    expect(fromEnv.forward.map((d) => [d.name, d.headers])).toEqual([
      ['a', [['k', 'v']]],
      ['b', []],
    ]);
    expect(fromEnv.forwardSpoolMaxBytes).toBe(1024);
    expect(resolveServeConfig({}, {})).toMatchObject({ forward: [], forwardSpoolMaxBytes: 1024 ** 3 });
  });

  it('refuses, at start, a destination that is this server', () => {
    expect(() => resolveServeConfig({ port: 4400, forward: 'me=http://localhost:4400' }, {})).toThrow(/forward loop/);
    expect(() => resolveServeConfig({ port: 4400, grpcPort: 4401, forward: 'me=http://127.0.0.1:4401' }, {})).toThrow(/own port 4401/);
    expect(() => resolveServeConfig({ forward: 'x=file:///etc/passwd' }, {})).toThrow(/must be http:\/\/ or https:\/\//);
    expect(() => resolveServeConfig({ forwardSpoolMax: '0' }, {})).toThrow(/more than 0 bytes/);
  });
});

describe('filters', () => {
  it.each([
    ['no filter', [], 'shop', true],
    ['the project named', [{ on: 'project', key: '', value: 'shop', negate: false }], 'shop', true],
    ['another project', [{ on: 'project', key: '', value: 'shop', negate: false }], 'ops', false],
    ['a project excluded', [{ on: 'project', key: '', value: 'shop', negate: true }], 'shop', false],
  ] as const)('a request of project %s', (_, filters, project, passes) => {
    expect(projectPasses(filters, project)).toBe(passes);
  });

  it.each([
    ['service=checkout', { 'service.name': 'checkout' }, true],
    ['service=checkout', { 'service.name': 'billing' }, false],
    ['service=unknown_service', {}, true],
    ['service!=checkout', { 'service.name': 'billing' }, true],
    ['resource.region=eu', { region: 'eu' }, true],
    ['resource.shard=3', { shard: 3 }, true],
    ['resource.canary=true', { canary: true }, true],
    ['resource.region=eu', {}, false],
    ['resource.region!=eu', {}, true],
    ['resource.constructor=x', {}, false],
  ])('%s on a resource of %j', (filter, attributes, kept) => {
    const [destination] = parseForwardDestinations([`d=http://x:1,filter=${filter}`]);
    expect(resourceFilterOf(destination!.filters)!(attributes)).toBe(kept);
  });

  it('keeps every resource when no condition is on resources', () => {
    expect(resourceFilterOf([{ on: 'project', key: '', value: 'a', negate: false }])).toBeUndefined();
  });
});
