import { describe, expect, it } from 'vitest';
import type { PromptEventRecord, PromptVersionRecord, Store } from '../../src/store/store.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

const version = (name: string, n: number, createdUs: number): PromptVersionRecord => ({
  name,
  version: n,
  body: JSON.stringify({ type: 'text', prompt: `v${n} of {{topic}}`, config: {}, message: '' }),
  createdBy: 'key-1',
  createdUs,
});

const move = (name: string, label: string, timeUs: number, split = '[{"version":1,"weight":100}]'): PromptEventRecord => ({
  name,
  kind: 'move',
  label,
  split,
  actor: 'key-1',
  timeUs,
});

/** The contract of `store.prompts`: versions by number since a time, events in time order, per project and prompt. */
export function describePromptContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Prompt store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('reads a prompt’s versions by number since a time, and nothing of another prompt or project', async () => {
      const ps = store.prompts;
      expect(await ps.listVersions('default', 'greet', 0)).toEqual([]);
      await ps.addVersion('default', version('greet', 2, T0 + 2));
      await ps.addVersion('default', version('greet', 1, T0 + 1));
      await ps.addVersion('default', version('greet', 1, T0 - 10));
      await ps.addVersion('default', version('other', 1, T0));
      await ps.addVersion('p2', version('greet', 7, T0));
      expect(await ps.listVersions('default', 'greet', T0)).toEqual([version('greet', 1, T0 + 1), version('greet', 2, T0 + 2)]);
      expect(await ps.listVersions('default', 'greet', 0)).toEqual([version('greet', 1, T0 - 10), version('greet', 1, T0 + 1), version('greet', 2, T0 + 2)]);
      expect(await ps.listVersions('p2', 'greet', 0)).toEqual([version('greet', 7, T0)]);
    });

    it('reads a prompt’s label moves and deletions in time order, and every row of a project for a copy', async () => {
      const ps = store.prompts;
      const split = '[{"version":1,"weight":90},{"version":2,"weight":10}]';
      await ps.addEvent('default', move('greet', 'staging', T0 + 3));
      await ps.addEvent('default', move('greet', 'production', T0 + 1, split));
      await ps.addEvent('default', { name: 'greet', kind: 'delete', label: '', split: '', actor: 'admin', timeUs: T0 + 2 });
      await ps.addEvent('default', move('other', 'production', T0));
      await ps.addEvent('p2', move('greet', 'production', T0));
      expect(await ps.listEvents('default', 'greet')).toEqual([
        move('greet', 'production', T0 + 1, split),
        { name: 'greet', kind: 'delete', label: '', split: '', actor: 'admin', timeUs: T0 + 2 },
        move('greet', 'staging', T0 + 3),
      ]);
      await ps.addVersion('p2', version('greet', 1, T0));
      expect(await ps.allRows('p2')).toEqual({ versions: [version('greet', 1, T0)], events: [move('greet', 'production', T0)] });
      const all = await ps.allRows('default');
      expect(all.versions).toEqual([]);
      expect(all.events.map((e) => [e.name, e.timeUs])).toEqual([
        ['greet', T0 + 1],
        ['greet', T0 + 2],
        ['greet', T0 + 3],
        ['other', T0],
      ]);
    });
  });
}
