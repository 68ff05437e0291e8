import { describe, expect, it } from 'vitest';
import { InTurn } from './in-turn.js';

describe('InTurn', () => {
  it('runs the calls of one key one after another, in order, and goes on after a failure', async () => {
    const turns = new InTurn();
    const log: string[] = [];
    const call = (name: string, fail = false) =>
      turns.run('k', async () => {
        log.push(`${name} start`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      });
    const answers = await Promise.allSettled([call('a'), call('b', true), call('c')]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs calls of different keys side by side', async () => {
    const turns = new InTurn();
    let release = (): void => undefined;
    const held = turns.run('one', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await turns.run('two', async () => 'not held')).toBe('not held');
    release();
    await held;
  });
});
