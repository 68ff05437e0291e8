import { createHash } from 'node:crypto';
import type { InstrumentationScope, Resource } from '@spoor/model';
import { BatchBuilder, type ColumnSpec, type TableBatch, rowsOf } from './columns.js';

/** Distinct (resource, scope) pairs, stored once each; records point at them by `source_id`. Keyed, not appended: a pair already stored is skipped. */
export const SOURCES: readonly ColumnSpec[] = [
  { name: 'project_id', type: 'varchar' },
  { name: 'source_id', type: 'varchar' },
  { name: 'resource', type: 'varchar' },
  { name: 'scope', type: 'varchar' },
];

/** A distinct (resource, scope) pair as stored in the `sources` table. */
export interface SourceRow {
  projectId: string;
  sourceId: string;
  resourceJson: string;
  scopeJson: string;
}

/**
 * Gives each distinct (resource, scope) pair of a batch its content id, for every engine that
 * stores them once in a table of their own (they repeat on every record of a request, and of a
 * process), and collects the pairs as the batch's `sources` table. Records of one request share
 * the same resource and scope objects, so the hash is computed once per pair of objects, not per
 * record.
 */
export class SourceIds {
  private readonly rows = new Map<string, SourceRow>();
  private readonly byObject = new WeakMap<Resource, WeakMap<InstrumentationScope, string>>();
  private last: { projectId: string; resource: Resource; scope: InstrumentationScope; id: string } | null = null;

  idOf(projectId: string, resource: Resource, scope: InstrumentationScope): string {
    // Consecutive records nearly always share their resource and scope objects.
    const last = this.last;
    if (last !== null && last.resource === resource && last.scope === scope && last.projectId === projectId) return last.id;
    let scopes = this.byObject.get(resource);
    let id = scopes?.get(scope);
    if (id === undefined) {
      const resourceJson = JSON.stringify(resource);
      const scopeJson = JSON.stringify(scope);
      id = createHash('sha256').update(resourceJson).update('\u0000').update(scopeJson).digest('hex').slice(0, 16);
      if (scopes === undefined) {
        scopes = new WeakMap();
        this.byObject.set(resource, scopes);
      }
      scopes.set(scope, id);
      const key = `${projectId}/${id}`;
      if (!this.rows.has(key)) this.rows.set(key, { projectId, sourceId: id, resourceJson, scopeJson });
    } else if (!this.rows.has(`${projectId}/${id}`)) {
      // The same objects under another project: the same id, one more row.
      const { resourceJson, scopeJson } = [...this.rows.values()].find((row) => row.sourceId === id)!;
      this.rows.set(`${projectId}/${id}`, { projectId, sourceId: id, resourceJson, scopeJson });
    }
    this.last = { projectId, resource, scope, id };
    return id;
  }

  get size(): number {
    return this.rows.size;
  }

  columns(): TableBatch {
    const b = new BatchBuilder('sources', SOURCES, this.rows.size);
    for (const row of this.rows.values()) b.varchar(row.projectId).varchar(row.sourceId).varchar(row.resourceJson).varchar(row.scopeJson).endRow();
    return b.build();
  }
}

/** The rows of a batch's `sources` table. */
export function sourceRowsOf(table: TableBatch): SourceRow[] {
  return rowsOf(table, SOURCES).map((row) => ({
    projectId: row.project_id as string,
    sourceId: row.source_id as string,
    resourceJson: row.resource as string,
    scopeJson: row.scope as string,
  }));
}

/** How many source ids a writer remembers as stored before it clears the set and relearns (see `isFull`). */
const MAX_KNOWN = 50_000;

/**
 * The sources a writer knows are stored (or held by a transaction that will store them), so it
 * inserts each pair once instead of once per batch.
 */
export class KnownSources {
  private readonly known = new Set<string>();

  /** The rows of a batch's `sources` table that may not be stored yet. */
  unknown(rows: readonly SourceRow[]): SourceRow[] {
    return rows.filter((row) => !this.known.has(`${row.projectId}/${row.sourceId}`));
  }

  /** Records that these sources are stored (or held by a transaction that will store them). */
  remember(rows: Iterable<SourceRow>): void {
    for (const row of rows) this.known.add(`${row.projectId}/${row.sourceId}`);
  }

  /** Forgets every source, so the next writes insert them again (after a failed commit). */
  forget(): void {
    this.known.clear();
  }

  /** True when the writer should `forget` (at a moment no transaction holds fresh sources). */
  isFull(): boolean {
    return this.known.size > MAX_KNOWN;
  }
}
