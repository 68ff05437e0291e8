import { describe, expect, it } from 'vitest';
import { resolveConfig, SpoorConfigError, type SpoorOptions } from './config.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('resolveConfig()', () => {
  it('fills defaults: loopback endpoint, everything sampled, masking on, OTLP export', () => {
    const config = resolveConfig({}, {});
    expect(config).toMatchObject({
      enabled: true,
      serviceName: 'unknown_service:node',
      endpoint: 'http://127.0.0.1:4318',
      headers: {},
      sampleRate: 1,
      redact: {},
      exporter: 'otlp',
      logLevel: 'info',
      logFormat: 'json',
      metricsIntervalMs: 15_000,
    });
  });

  it('reads the environment, and options beat it', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', SPOOR_SAMPLE_RATE: '0.25', OTEL_SERVICE_NAME: 'from-env', SPOOR_LOG_LEVEL: 'debug' };
    expect(resolveConfig({}, env)).toMatchObject({ endpoint: 'http://collector:4318', sampleRate: 0.25, serviceName: 'from-env', logLevel: 'debug' });
    expect(resolveConfig({ endpoint: 'https://spoor.internal', sampleRate: 1, serviceName: 'mine' }, env)).toMatchObject({
      endpoint: 'https://spoor.internal',
      sampleRate: 1,
      serviceName: 'mine',
    });
  });

  it.each([
    [{ SPOOR_ENABLED: 'false' }, false],
    [{ SPOOR_ENABLED: '0' }, false],
    [{ OTEL_SDK_DISABLED: 'true' }, false],
    [{ SPOOR_ENABLED: 'true' }, true],
    [{}, true],
  ])('turns the SDK off from the environment %o', (env, enabled) => {
    expect(resolveConfig({ enabled: true }, env).enabled).toBe(enabled);
  });

  it('sends a Spoor key as a bearer token, from apiKey or SPOOR_API_KEY, unless headers carry one', () => {
    const key = 'spoor_ingest_AAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    expect(resolveConfig({ apiKey: key }, {}).headers).toEqual({ authorization: `Bearer ${key}` });
    expect(resolveConfig({}, { SPOOR_API_KEY: key }).headers).toEqual({ authorization: `Bearer ${key}` });
    expect(resolveConfig({ apiKey: 'mine' }, { SPOOR_API_KEY: key }).headers).toEqual({ authorization: 'Bearer mine' });
    expect(resolveConfig({ apiKey: key, headers: { Authorization: 'Basic abc' } }, {}).headers).toEqual({ Authorization: 'Basic abc' });
    expect(resolveConfig({}, { SPOOR_API_KEY: '' }).headers).toEqual({});
    expect(() => resolveConfig({ apiKey: '' } as SpoorOptions, {})).toThrow(/apiKey must be a non-empty string/);
  });

  it('picks pretty logs on a terminal in auto mode', () => {
    expect(resolveConfig({}, {}, true).logFormat).toBe('pretty');
    expect(resolveConfig({ logFormat: 'json' }, {}, true).logFormat).toBe('json');
  });

  it.each<[string, unknown, RegExp]>([
    ['a misspelled option', { sampleRatio: 0.5 }, /unknown option 'sampleRatio'\. Known options: serviceName/],
    ['a rate above 1', { sampleRate: 1.5 }, /sampleRate must be a number from 0 to 1 \(got 1\.5\)/],
    ['a rate that is not a number', { sampleRate: '0.5' }, /sampleRate must be a number/],
    ['an endpoint without a scheme', { endpoint: 'localhost:4318' }, /endpoint must be an http\(s\) URL/],
    ['a header that is not a string', { headers: { 'x-api-key': 42 } }, /headers\['x-api-key'\] must be a string/],
    ['an unknown exporter', { exporter: 'jaeger' }, /exporter must be 'otlp', 'console', 'none'/],
    ['an unknown log level', { logLevel: 'verbose' }, /logLevel must be one of trace, debug/],
    ['an empty service name', { serviceName: '' }, /serviceName must be a non-empty string/],
    ['enabled as a string', { enabled: 'no' }, /enabled must be true or false/],
    ['an unknown detector', { redact: { detectors: ['ssn'] } }, /^spoor init\(\): redact: /],
    ['a log destination without write()', { logDestination: {} }, /logDestination must have a write\(line\) method/],
    ['a replay without a trace id', { replay: {} }, /replay\.traceId must be a trace id of 32 hex digits/],
    ['a replay of a span id', { replay: { traceId: '00f067aa0ba902b7' } }, /replay\.traceId must be a trace id of 32 hex digits.*got "00f067aa0ba902b7"/],
    ['a misspelled replay option', { replay: { traceId: TRACE, passThrough: true } }, /unknown replay option 'passThrough'\. Known replay options: traceId/],
    ['passthrough as a string', { replay: { traceId: TRACE, passthrough: 'yes' } }, /replay\.passthrough must be true or false/],
    ['a replay with the SDK off', { enabled: false, replay: { traceId: TRACE } }, /replay needs the SDK on/],
    ['a replay endpoint without a scheme', { replay: { traceId: TRACE, endpoint: 'spoor:4318' } }, /replay\.endpoint must be the http\(s\) URL/],
  ])('rejects %s with a message that says how to fix it', (_what, options, message) => {
    expect(() => resolveConfig(options as SpoorOptions, {})).toThrow(SpoorConfigError);
    expect(() => resolveConfig(options as SpoorOptions, {})).toThrow(message);
  });

  it('replays the trace of SPOOR_REPLAY_TRACE or of the option, read from the endpoint with the key', () => {
    expect(resolveConfig({}, {}).replay).toBeUndefined();
    expect(resolveConfig({ endpoint: 'http://spoor:4318/', apiKey: 'k' }, { SPOOR_REPLAY_TRACE: TRACE.toUpperCase() }).replay).toEqual({
      traceId: TRACE,
      endpoint: 'http://spoor:4318',
      headers: { authorization: 'Bearer k' },
      passthrough: false,
      onDivergence: undefined,
    });
    const option = resolveConfig(
      { replay: { traceId: TRACE, endpoint: 'http://other:4318', apiKey: 'read', passthrough: true } },
      { SPOOR_REPLAY_TRACE: 'ignored' },
    ).replay;
    expect(option).toMatchObject({ traceId: TRACE, endpoint: 'http://other:4318', headers: { authorization: 'Bearer read' }, passthrough: true });
  });

  it.each<[SpoorOptions, Record<string, string>, boolean]>([
    [{}, {}, false],
    [{}, { SPOOR_LIVE: '1' }, true],
    [{}, { SPOOR_LIVE: 'true' }, true],
    [{}, { SPOOR_LIVE: '0' }, false],
    [{}, { SPOOR_LIVE: '' }, false],
    [{ live: true }, {}, true],
    [{ live: false }, { SPOOR_LIVE: '1' }, false],
    [{ live: true }, { SPOOR_LIVE: '0' }, true],
  ])('live mode from %o and the environment %o: %s (the option wins)', (options, env, live) => {
    expect(resolveConfig(options, env).live).toBe(live);
  });

  it('sends live snapshots every 5 s unless liveIntervalMs says otherwise, never more often than once a second', () => {
    expect(resolveConfig({ live: true }, {}).liveIntervalMs).toBe(5000);
    expect(resolveConfig({ live: true, liveIntervalMs: 1000 }, {}).liveIntervalMs).toBe(1000);
    expect(() => resolveConfig({ liveIntervalMs: 999 }, {})).toThrow(/liveIntervalMs must be a whole number of milliseconds, at least 1000 \(got 999\)/);
    expect(() => resolveConfig({ liveIntervalMs: 1500.5 }, {})).toThrow(/liveIntervalMs must be a whole number/);
    expect(() => resolveConfig({ live: 'yes' } as unknown as SpoorOptions, {})).toThrow(/live must be true or false/);
    expect(() => resolveConfig({}, { SPOOR_LIVE: 'sometimes' })).toThrow(/SPOOR_LIVE must be 1 or 0 \(true or false\) \(got 'sometimes'\)/);
  });

  it('rejects a bad SPOOR_SAMPLE_RATE by name', () => {
    expect(() => resolveConfig({}, { SPOOR_SAMPLE_RATE: 'half' })).toThrow(/SPOOR_SAMPLE_RATE must be a number from 0 to 1 \(got 'half'\)/);
  });
});
