import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.js';
import { Boot, type Part } from './part.js';

/** A lifecycle writing its starts and closes down, and parts that write theirs. */
function recorded() {
  const events: string[] = [];
  const life = new Lifecycle({
    debug: (_data, message) => events.push(message),
    error: (_data, message) => events.push(message),
  });
  return { life, events };
}

const noRoutes = { register: async () => undefined };

describe('Boot', () => {
  it('checks every part before starting any, starts them in order, and closes them in reverse', async () => {
    const { life, events } = recorded();
    const store: Part<{ dir: string }, { store: string }, string> = {
      name: 'store',
      check: () => {
        events.push('checked store');
        return 'file read';
      },
      start: (l, { dir }, checked) =>
        l.start(
          'store',
          () => ({ store: `${dir}: ${checked}` }),
          () => void events.push('store closed'),
        ),
    };
    const ingest: Part<{ store: string }, { ingest: number }> = {
      name: 'ingest',
      check: () => void events.push('checked ingest'),
      start: (l, { store: opened }) =>
        l.start(
          'ingest',
          () => ({ ingest: opened.length }),
          () => void events.push('ingest closed'),
        ),
      routes: ({ ingest: n }) => [{ name: `ingest ${n}`, ...noRoutes }],
    };
    const have = await Boot.from({ dir: '/data' }).with(store).with(ingest).start(life);
    expect(have.store).toBe('/data: file read');
    expect(have.routes.map((r) => r.name)).toEqual(['ingest 16']);
    await life.close();
    expect(events).toEqual([
      'checked store',
      'checked ingest',
      'started store',
      'started ingest',
      'ingest closed',
      'closed ingest',
      'store closed',
      'closed store',
    ]);
  });

  it('starts nothing when a check fails, and names the failing file', async () => {
    const { life, events } = recorded();
    const started: string[] = [];
    const part = (name: string, bad = false): Part<object, object> => ({
      name,
      check: () => {
        if (bad) throw new Error(`${name}: the file is not valid`);
      },
      start: () => {
        started.push(name);
        return {};
      },
    });
    await expect(Boot.from({}).with(part('store')).with(part('sampling', true)).start(life)).rejects.toThrow('sampling: the file is not valid');
    expect(started).toEqual([]);
    expect(events).toEqual([]);
  });

  it('closes what had started, last first, when a later part fails to start', async () => {
    const { life, events } = recorded();
    const part = (name: string): Part<object, object> => ({
      name,
      start: (l) =>
        l.start(
          name,
          () => ({}),
          () => void events.push(`${name} closed`),
        ),
    });
    const failing: Part<object, object> = {
      name: 'evaluators',
      start: () => {
        throw new Error('the evaluators could not start');
      },
    };
    await expect(Boot.from({}).with(part('store')).with(part('ingest')).with(failing).with(part('receivers')).start(life)).rejects.toThrow(
      'the evaluators could not start',
    );
    expect(events.filter((e) => e.endsWith(' closed'))).toEqual(['ingest closed', 'store closed']);
  });

  it('refuses a part that gives a name an earlier part gave', async () => {
    const { life } = recorded();
    const one: Part<object, { queue: number }> = { name: 'one', start: () => ({ queue: 1 }) };
    const two: Part<object, { queue: number }> = { name: 'two', start: () => ({ queue: 2 }) };
    await expect(Boot.from({}).with(one).with(two).start(life)).rejects.toThrow("the part two gives 'queue', which a part before it gave");
  });

  it('types each part against what the parts before it give', () => {
    const needsQueue: Part<{ queue: number }, object> = { name: 'needs a queue', start: () => ({}) };
    const givesQueue: Part<object, { queue: number }> = { name: 'queue', start: () => ({ queue: 1 }) };
    expect(Boot.from({}).with(givesQueue).with(needsQueue).names()).toEqual(['queue', 'needs a queue']);
    // @ts-expect-error: nothing before it gives a queue
    expect(Boot.from({}).with(needsQueue).names()).toEqual(['needs a queue']);
  });
});
