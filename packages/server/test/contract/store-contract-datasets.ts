import { describe, expect, it } from 'vitest';
import type { DatasetChange, DatasetItemRecord, DatasetRecord, Store } from '../../src/store/store.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

/** A dataset's row of a change (`firstVersion: null` for the change that makes it). */
const made = (name: string, timeUs: number, overrides: Partial<DatasetChange['dataset']> = {}): DatasetChange['dataset'] => ({
  name,
  description: '',
  createdUs: T0,
  timeUs,
  deleted: false,
  firstVersion: 1,
  ...overrides,
});

const item = (itemId: string, input: unknown, overrides: Partial<Omit<DatasetItemRecord, 'version'>> = {}): Omit<DatasetItemRecord, 'version'> => ({
  itemId,
  createdUs: T0,
  timeUs: T0,
  input: JSON.stringify(input),
  expectedOutput: null,
  metadata: '{}',
  sourceTraceId: null,
  sourceSpanId: null,
  deleted: false,
  ...overrides,
});

/** The items of a version as (id, input) pairs. */
async function inputsAt(store: Store, projectId: string, name: string, version: number): Promise<[string, unknown][]> {
  const dataset = await store.datasets.getDataset(projectId, name, version);
  if (dataset === null) throw new Error(`no version ${version} of ${name}`);
  return (await store.datasets.listItems(projectId, dataset, version, null, 100)).map((i) => [i.itemId, JSON.parse(i.input)]);
}

/** The contract of `store.datasets`: versions made by changes, read as they were, per project. */
export function describeDatasetContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Dataset store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('reads every version as its changes left it: added, edited, deleted items and the description', async () => {
      const ds = store.datasets;
      expect(await ds.writeChange('default', { dataset: made('qa', T0, { firstVersion: null }), items: [] })).toBe(1);
      expect(
        await ds.writeChange('default', { dataset: made('qa', T0 + 1), items: [item('a1', 'two plus two'), item('a2', { q: 'capital of France' })] }),
      ).toBe(2);
      expect(
        await ds.writeChange('default', { dataset: made('qa', T0 + 2), items: [item('a1', 'two plus three', { timeUs: T0 + 2, expectedOutput: '"5"' })] }),
      ).toBe(3);
      expect(
        await ds.writeChange('default', { dataset: made('qa', T0 + 3), items: [item('a2', { q: 'capital of France' }, { timeUs: T0 + 3, deleted: true })] }),
      ).toBe(4);
      expect(await ds.writeChange('default', { dataset: made('qa', T0 + 4, { description: 'arithmetic' }), items: [] })).toBe(5);
      // Another project's dataset of the same name is its own.
      expect(await ds.writeChange('p2', { dataset: made('qa', T0, { firstVersion: null }), items: [item('b1', 'elsewhere')] })).toBe(1);

      expect(await inputsAt(store, 'default', 'qa', 1)).toEqual([]);
      expect(await inputsAt(store, 'default', 'qa', 2)).toEqual([
        ['a1', 'two plus two'],
        ['a2', { q: 'capital of France' }],
      ]);
      expect(await inputsAt(store, 'default', 'qa', 3)).toEqual([
        ['a1', 'two plus three'],
        ['a2', { q: 'capital of France' }],
      ]);
      expect(await inputsAt(store, 'default', 'qa', 5)).toEqual([['a1', 'two plus three']]);
      expect(await inputsAt(store, 'p2', 'qa', 1)).toEqual([['b1', 'elsewhere']]);

      const v3 = await ds.getDataset('default', 'qa', 3);
      expect(v3).toEqual({ name: 'qa', description: '', version: 3, firstVersion: 1, createdUs: T0, timeUs: T0 + 2, deleted: false, itemCount: 2 });
      const [edited] = await ds.listItems('default', v3!, 3, null, 10, ['a1']);
      expect(edited).toEqual({ ...item('a1', 'two plus three', { timeUs: T0 + 2, expectedOutput: '"5"' }), version: 3 });
      expect(await ds.getDataset('default', 'qa', null)).toMatchObject({ version: 5, description: 'arithmetic', itemCount: 1, timeUs: T0 + 4 });
      expect(await ds.getDataset('default', 'qa', 6)).toBeNull();
      expect(await ds.getDataset('default', 'qa', 0)).toBeNull();
      expect(await ds.getDataset('p3', 'qa', null)).toBeNull();
      expect((await ds.listDatasets('default')).map((d) => [d.name, d.version, d.itemCount])).toEqual([['qa', 5, 1]]);
      expect((await ds.listDatasets('p2')).map((d) => [d.name, d.version, d.itemCount])).toEqual([['qa', 1, 1]]);
    });

    it("pages a version's items by id and lists datasets by name with their counts", async () => {
      const ds = store.datasets;
      const ids = Array.from({ length: 5 }, (_, i) => `i${i}`);
      await ds.writeChange('default', { dataset: made('zeta', T0), items: ids.map((id) => item(id, id)) });
      await ds.writeChange('default', { dataset: made('alpha', T0), items: [item('x', 'x')] });
      const zeta = (await ds.getDataset('default', 'zeta', null))!;
      const first = await ds.listItems('default', zeta, zeta.version, null, 2);
      const second = await ds.listItems('default', zeta, zeta.version, first.at(-1)!.itemId, 2);
      const third = await ds.listItems('default', zeta, zeta.version, second.at(-1)!.itemId, 2);
      expect([first, second, third].map((page) => page.map((i) => i.itemId))).toEqual([['i0', 'i1'], ['i2', 'i3'], ['i4']]);
      expect((await ds.listDatasets('default')).map((d) => [d.name, d.itemCount])).toEqual([
        ['alpha', 1],
        ['zeta', 5],
      ]);
    });

    it("finds a version's items taken from given traces, edited or not, and not once deleted", async () => {
      const ds = store.datasets;
      const [t1, t2, t3] = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];
      const from = (traceId: string, spanId: string | null = null) => ({ sourceTraceId: traceId, sourceSpanId: spanId });
      await ds.writeChange('default', { dataset: made('src', T0, { firstVersion: null }), items: [] });
      const added = [item('i1', 'q1', from(t1)), item('i2', 'q2', from(t1, 'd'.repeat(16))), item('i3', 'q3', from(t2)), item('i4', 'q4')];
      await ds.writeChange('default', { dataset: made('src', T0 + 1), items: added });
      const changed = [item('i1', 'q1 edited', { ...from(t1), timeUs: T0 + 2 }), item('i3', 'q3', { ...from(t2), timeUs: T0 + 2, deleted: true })];
      await ds.writeChange('default', { dataset: made('src', T0 + 2), items: changed });
      await ds.writeChange('p2', { dataset: made('src', T0, { firstVersion: null }), items: [item('x1', 'elsewhere', from(t1))] });
      const found = async (version: number, traces: string[]) => {
        const dataset = (await ds.getDataset('default', 'src', version))!;
        return (await ds.itemsFromTraces('default', dataset, version, traces)).map((i) => [i.itemId, JSON.parse(i.input), i.sourceSpanId]);
      };
      expect(await found(3, [t1, t2, t3])).toEqual([
        ['i1', 'q1 edited', null],
        ['i2', 'q2', 'd'.repeat(16)],
      ]);
      expect(await found(2, [t2])).toEqual([['i3', 'q3', null]]);
      expect(await found(3, [t3])).toEqual([]);
      expect(await found(3, [])).toEqual([]);
    });

    it('never reads the items of a change cut short before its dataset row, and numbers the next change above them', async () => {
      const ds = store.datasets;
      await ds.writeChange('default', { dataset: made('qa', T0), items: [item('a1', 'kept')] });
      // The items of version 2 were written; the dataset row that marks version 2 written never was.
      await ds.appendRows('default', [], [{ ...item('a2', 'lost'), version: 2, dataset: 'qa' }]);
      expect(await inputsAt(store, 'default', 'qa', 1)).toEqual([['a1', 'kept']]);
      expect(await ds.getDataset('default', 'qa', 2)).toBeNull();
      expect(await ds.writeChange('default', { dataset: made('qa', T0 + 1), items: [item('a3', 'next')] })).toBe(3);
      expect(await inputsAt(store, 'default', 'qa', 3)).toEqual([
        ['a1', 'kept'],
        ['a3', 'next'],
      ]);
      expect((await ds.listDatasets('default'))[0]).toMatchObject({ version: 3, itemCount: 2 });
    });

    it('forgets a deleted dataset, and a name made again starts empty with versions above the old ones', async () => {
      const ds = store.datasets;
      await ds.writeChange('default', { dataset: made('qa', T0), items: [item('a1', 'old')] });
      const deletedAt = await ds.writeChange('default', { dataset: made('qa', T0 + 1, { deleted: true }), items: [] });
      expect(deletedAt).toBe(2);
      expect(await ds.getDataset('default', 'qa', null)).toBeNull();
      expect(await ds.getDataset('default', 'qa', 1)).toBeNull();
      expect(await ds.listDatasets('default')).toEqual([]);
      expect(await ds.latestDataset('default', 'qa')).toMatchObject({ version: 2, deleted: true });
      expect(await ds.latestDataset('default', 'never')).toBeNull();
      expect(await ds.writeChange('default', { dataset: made('qa', T0 + 2, { createdUs: T0 + 2, firstVersion: null }), items: [] })).toBe(3);
      const again = await ds.getDataset('default', 'qa', null);
      expect(again).toMatchObject({ version: 3, firstVersion: 3, createdUs: T0 + 2, itemCount: 0 });
      expect(await ds.getDataset('default', 'qa', 1)).toBeNull();
      expect(await ds.listItems('default', again!, 3, null, 10)).toEqual([]);
    });

    it('gives every row back as stored, for a copy that reads the same', async () => {
      const ds = store.datasets;
      await ds.writeChange('default', {
        dataset: made('qa', T0, { description: 'd' }),
        items: [item('a1', 'one', { sourceTraceId: 'ab'.repeat(16), sourceSpanId: 'cd'.repeat(8), metadata: '{"k":1}' })],
      });
      await ds.writeChange('default', { dataset: made('qa', T0 + 1), items: [item('a1', 'one', { deleted: true, timeUs: T0 + 1 }), item('a2', 'two')] });
      const rows = await ds.allRows('default');
      expect(rows.datasets.map((d: DatasetRecord) => d.version)).toEqual([1, 2]);
      expect(rows.items).toHaveLength(3);
      await ds.appendRows('copy', rows.datasets, rows.items);
      for (const version of [1, 2]) {
        const [a, b] = [await ds.getDataset('default', 'qa', version), await ds.getDataset('copy', 'qa', version)];
        expect(b).toEqual(a);
        expect(await ds.listItems('copy', b!, version, null, 10)).toEqual(await ds.listItems('default', a!, version, null, 10));
      }
      expect((await ds.allRows('copy')).items).toEqual(rows.items);
    });
  });
}
