import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.js';

/** A lifecycle whose log lines and closes are written down in order. */
function recorded() {
  const events: string[] = [];
  const life = new Lifecycle({
    debug: (_data, message) => events.push(message),
    error: (_data, message) => events.push(message),
  });
  const part = (name: string, fail: 'start' | 'close' | null = null) =>
    life.start(
      name,
      () => {
        if (fail === 'start') throw new Error(`${name} could not start`);
        return name;
      },
      () => {
        if (fail === 'close') throw new Error(`${name} could not close`);
      },
    );
  return { life, events, part };
}

describe('Lifecycle', () => {
  it('closes its parts in the reverse of the order they started, each close awaited before the next', async () => {
    const { life, events, part } = recorded();
    expect(await part('store')).toBe('store');
    await life.start(
      'ingest',
      () => 'ingest',
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        events.push('ingest drained');
      },
    );
    await part('receivers');
    await life.close();
    expect(events).toEqual(['started store', 'started ingest', 'started receivers', 'closed receivers', 'ingest drained', 'closed ingest', 'closed store']);
  });

  it("closes what had started, in reverse, when a start fails midway, and throws that start's error", async () => {
    const { life, events, part } = recorded();
    const started = life.run(async () => {
      await part('store');
      await part('ingest');
      await part('evaluators', 'start');
      await part('receivers');
    });
    await expect(started).rejects.toThrow('evaluators could not start');
    expect(events).toEqual(['started store', 'started ingest', 'closed ingest', 'closed store']);
  });

  it('still closes the others when one close throws, then throws that error', async () => {
    const { life, events, part } = recorded();
    await part('store');
    await part('ingest', 'close');
    await part('receivers');
    await expect(life.close()).rejects.toThrow('ingest could not close');
    expect(events.slice(3)).toEqual(['closed receivers', 'ingest did not close cleanly', 'closed store']);
  });

  it('closes once however often it is asked', async () => {
    const { life, events, part } = recorded();
    await part('store');
    const first = life.close();
    expect(life.close()).toBe(first);
    await first;
    await life.close();
    expect(events.filter((e) => e === 'closed store')).toHaveLength(1);
  });

  it('closes at once a part that finished starting after close began, and fails its start', async () => {
    const { life, events } = recorded();
    let finish = (): void => undefined;
    const late = life.start(
      'late',
      () => new Promise<string>((resolve) => (finish = () => resolve('late'))),
      () => void events.push('late closed'),
    );
    await life.close();
    finish();
    await expect(late).rejects.toThrow('the server was closed while late started');
    expect(events).toEqual(['late closed']);
  });
});
