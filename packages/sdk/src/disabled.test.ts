import { afterEach, describe, expect, it } from 'vitest';
import { initInMemory, shutdown } from '../test/support/memory.js';
import { counter, getCorrelationId, logger, prometheusHandler, traced, withCorrelation, withSpan, workflow, step } from './index.js';
import { runtime } from './runtime.js';

afterEach(() => shutdown());

describe('disabled SDK', () => {
  it('runs the app unchanged and records nothing', async () => {
    const sdk = initInMemory({ enabled: false });
    expect(runtime.state).toBe('disabled');
    const double = traced((n: number) => n * 2);
    const result = await workflow('w', { agent: 'a' }, (span) => {
      expect(span.isRecording()).toBe(false);
      return step('s', () => withSpan('x', () => double(21)));
    });
    expect(result).toBe(42);
    counter('disabled.calls').inc();
    expect(() =>
      traced(() => {
        throw new Error('still thrown');
      })(),
    ).toThrow('still thrown');
    expect(await sdk.spans()).toEqual([]);
    expect(await sdk.logs()).toEqual([]);
    expect((await sdk.metrics()).size).toBe(0);
  });

  it('still writes log lines, without trace fields', () => {
    const sdk = initInMemory({ enabled: false });
    withCorrelation('c', () => logger.info('still here'));
    expect(sdk.lines()).toEqual([{ level: 'info', time: sdk.lines()[0]?.time, msg: 'still here' }]);
    expect(getCorrelationId()).toBeUndefined();
  });

  it('answers a Prometheus scrape with a comment saying why there is nothing', async () => {
    initInMemory({ enabled: false });
    let body = '';
    const response = { statusCode: 0, setHeader: () => undefined, end: (text: string) => (body = text) };
    prometheusHandler()({} as never, response as never);
    expect(response.statusCode).toBe(200);
    expect(body).toBe('# spoor: metrics are off (the SDK is disabled)\n');
  });

  it('is switched off by SPOOR_ENABLED=false whatever the options say', async () => {
    process.env.SPOOR_ENABLED = 'false';
    try {
      initInMemory({ enabled: true });
      expect(runtime.state).toBe('disabled');
    } finally {
      delete process.env.SPOOR_ENABLED;
    }
  });
});
