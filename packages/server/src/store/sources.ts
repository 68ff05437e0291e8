import { createHash } from 'node:crypto';
import type { InstrumentationScope, Resource } from '@spoor/model';

/** A distinct (resource, scope) pair as stored in the `sources` table. */
export interface SourceRow {
  projectId: string;
  sourceId: string;
  resourceJson: string;
  scopeJson: string;
}

/** How many source ids are remembered as stored before the set is cleared and relearned (by the writer, see `isFull`). */
const MAX_KNOWN = 50_000;

/**
 * Gives each distinct (resource, scope) pair a content id, for every engine that stores them once
 * in a table of their own (they repeat on every record of a request, and of a process). Records
 * of one request share the same resource and scope objects, so the hash is computed once per pair
 * of objects, not per record; pairs not stored yet are collected for the writer to insert.
 */
export class SourceCatalog {
  private readonly known = new Set<string>();
  private byObject = new WeakMap<Resource, WeakMap<InstrumentationScope, string>>();

  private last: { projectId: string; resource: Resource; scope: InstrumentationScope; id: string } | null = null;

  /** The id of the pair, adding it to `fresh` when the store may not have it yet. */
  idOf(projectId: string, resource: Resource, scope: InstrumentationScope, fresh: Map<string, SourceRow>): string {
    // Consecutive records nearly always share their resource and scope objects.
    const last = this.last;
    if (last !== null && last.resource === resource && last.scope === scope && last.projectId === projectId) return last.id;
    const id = this.lookup(projectId, resource, scope, fresh);
    this.last = { projectId, resource, scope, id };
    return id;
  }

  private lookup(projectId: string, resource: Resource, scope: InstrumentationScope, fresh: Map<string, SourceRow>): string {
    let scopes = this.byObject.get(resource);
    let id = scopes?.get(scope);
    if (id !== undefined && this.known.has(`${projectId}/${id}`)) return id;
    const resourceJson = JSON.stringify(resource);
    const scopeJson = JSON.stringify(scope);
    id = createHash('sha256').update(resourceJson).update('\u0000').update(scopeJson).digest('hex').slice(0, 16);
    if (scopes === undefined) {
      scopes = new WeakMap();
      this.byObject.set(resource, scopes);
    }
    scopes.set(scope, id);
    const key = `${projectId}/${id}`;
    if (!this.known.has(key)) fresh.set(key, { projectId, sourceId: id, resourceJson, scopeJson });
    return id;
  }

  /** Forgets every source, so the next writes insert them again (after a failed commit). */
  forget(): void {
    this.known.clear();
    this.byObject = new WeakMap();
    this.last = null;
  }

  /** True when the writer should `forget` (at a moment no transaction holds fresh sources). */
  isFull(): boolean {
    return this.known.size > MAX_KNOWN;
  }

  /** Records that these sources are stored (or held by a transaction that will store them). */
  remember(rows: Iterable<SourceRow>): void {
    for (const row of rows) this.known.add(`${row.projectId}/${row.sourceId}`);
  }
}
