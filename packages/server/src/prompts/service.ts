import {
  type FetchedPrompt,
  type PromptLabelMove,
  type PromptSplitEntry,
  type PromptSummary,
  type PromptVersion,
  chooseVersion,
  promptVariables,
  sharesOf,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { InTurn } from '../in-turn.js';
import type { PromptEventRecord, PromptStore, PromptVersionRecord } from '../store/ports/prompts.js';
import type { NewVersion, VersionBody } from './spec.js';

/**
 * Prompts on the database thread: versions added, labels moved, both read back. Every change of
 * one prompt runs in turn (`InTurn`), reading its rows and appending what it decided, so two
 * versions sent at once get two numbers. A prompt is what follows its last deletion: its
 * versions made since, and its labels' newest moves since; a name deleted starts again at 1.
 */

/** What a fetch asks for: a label, or a version; neither is `production`, else the newest. */
export interface PromptQuery {
  label?: string;
  version?: number;
  /** A user or session id: a split label gives the same key the same version. */
  stickyKey?: string;
}

/** A prompt read from its rows: versions by number, labels' current splits, and their moves since the last deletion. */
interface PromptState {
  versions: Map<number, PromptVersionRecord>;
  labels: Map<string, PromptSplitEntry[]>;
  moves: PromptEventRecord[];
  sinceUs: number;
  /** The newest time written (a version's or an event's): the next is after it. */
  lastUs: number;
}

/** Rows by their prompt's name, each name's in the order given. */
function byName<T extends { name: string }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const row of rows) {
    const list = by.get(row.name);
    if (list === undefined) by.set(row.name, [row]);
    else list.push(row);
  }
  return by;
}

const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();
const notFound = (name: string): AppError => new AppError('ERR_NOT_FOUND', `prompt ${name} was not found`);

export class PromptService {
  private readonly turns = new InTurn();

  constructor(private readonly store: { readonly prompts: PromptStore }) {}

  /** Adds the next version, and points `labels` at it. */
  create(projectId: string, input: NewVersion, actor: string, nowUs: number): Promise<PromptVersion> {
    return this.turns.run(`${projectId}\0${input.name}`, async () => {
      const state = await this.read(projectId, input.name);
      const number = Math.max(0, ...state.versions.keys()) + 1;
      let timeUs = Math.max(nowUs, state.lastUs + 1);
      const record: PromptVersionRecord = { name: input.name, version: number, body: JSON.stringify(input.body), createdBy: actor, createdUs: timeUs };
      await this.store.prompts.addVersion(projectId, record);
      for (const label of input.labels) {
        timeUs += 1;
        const split = [{ version: number, weight: 100 }];
        await this.store.prompts.addEvent(projectId, { name: input.name, kind: 'move', label, split: JSON.stringify(split), actor, timeUs });
        state.labels.set(label, split);
      }
      return versionOf(record, state.labels);
    });
  }

  /** The project's prompts by name: each one's newest version and labels. */
  async list(projectId: string): Promise<PromptSummary[]> {
    const rows = await this.store.prompts.allRows(projectId);
    // Each prompt's rows, in the order read: one pass over each table, not one per prompt.
    const versions = byName(rows.versions);
    const events = byName(rows.events);
    const summaries: PromptSummary[] = [];
    for (const name of [...versions.keys()].sort()) {
      const state = stateOf(versions.get(name)!, events.get(name) ?? []);
      if (state.versions.size === 0) continue;
      summaries.push({ name, latestVersion: Math.max(...state.versions.keys()), labels: Object.fromEntries(state.labels), updatedAt: iso(state.lastUs) });
    }
    return summaries;
  }

  /** A version by label (a split's chosen by the sticky key, else its largest share) or number; neither: `production`, else the newest. */
  async get(projectId: string, name: string, query: PromptQuery): Promise<FetchedPrompt> {
    const state = await this.found(projectId, name);
    if (query.version !== undefined) return { ...versionOf(this.version(state, name, query.version), state.labels), label: null, split: null, compiled: null };
    const label = query.label ?? (state.labels.has('production') ? 'production' : null);
    if (label === null) {
      const newest = state.versions.get(Math.max(...state.versions.keys()))!;
      return { ...versionOf(newest, state.labels), label: null, split: null, compiled: null };
    }
    const split = state.labels.get(label);
    if (split === undefined) throw new AppError('ERR_NOT_FOUND', `prompt ${name} has no label ${label}`);
    const chosen =
      query.stickyKey === undefined ? split.reduce((a, b) => (b.weight > a.weight ? b : a)).version : chooseVersion(sharesOf(split), query.stickyKey);
    return { ...versionOf(this.version(state, name, chosen), state.labels), label, split, compiled: null };
  }

  /** The production label's split, `null` when it has none; 404 for a prompt that is not there. */
  async production(projectId: string, name: string): Promise<PromptSplitEntry[] | null> {
    return (await this.found(projectId, name)).labels.get('production') ?? null;
  }

  /** Every version, newest first. */
  async versions(projectId: string, name: string): Promise<PromptVersion[]> {
    const state = await this.found(projectId, name);
    return [...state.versions.values()].reverse().map((v) => versionOf(v, state.labels));
  }

  /** Points a label at a version or a split; 404 for a version the prompt does not have. */
  setLabel(projectId: string, name: string, label: string, split: PromptSplitEntry[], actor: string, nowUs: number): Promise<PromptLabelMove> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const state = await this.found(projectId, name);
      for (const s of split) this.version(state, name, s.version);
      const timeUs = Math.max(nowUs, state.lastUs + 1);
      await this.store.prompts.addEvent(projectId, { name, kind: 'move', label, split: JSON.stringify(split), actor, timeUs });
      return { label, from: state.labels.get(label) ?? null, to: split, by: actor, at: iso(timeUs) };
    });
  }

  /** A label's moves, newest first. */
  async history(projectId: string, name: string, label: string): Promise<PromptLabelMove[]> {
    const state = await this.found(projectId, name);
    const moves: PromptLabelMove[] = [];
    let from: PromptSplitEntry[] | null = null;
    for (const e of state.moves) {
      if (e.label !== label) continue;
      const to = JSON.parse(e.split) as PromptSplitEntry[];
      moves.push({ label, from, to, by: e.actor, at: iso(e.timeUs) });
      from = to;
    }
    if (moves.length === 0) throw new AppError('ERR_NOT_FOUND', `prompt ${name} has no label ${label}`);
    return moves.reverse();
  }

  /** Deletes a prompt: its versions and labels are no longer read; the name may be used again, from version 1. */
  delete(projectId: string, name: string, actor: string, nowUs: number): Promise<void> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const state = await this.found(projectId, name);
      await this.store.prompts.addEvent(projectId, { name, kind: 'delete', label: '', split: '', actor, timeUs: Math.max(nowUs, state.lastUs + 1) });
    });
  }

  private async read(projectId: string, name: string): Promise<PromptState> {
    const events = await this.store.prompts.listEvents(projectId, name);
    const sinceUs = events.reduce((since, e) => (e.kind === 'delete' ? e.timeUs : since), 0);
    return stateOf(await this.store.prompts.listVersions(projectId, name, sinceUs), events);
  }

  private async found(projectId: string, name: string): Promise<PromptState> {
    const state = await this.read(projectId, name);
    if (state.versions.size === 0) throw notFound(name);
    return state;
  }

  private version(state: PromptState, name: string, version: number): PromptVersionRecord {
    const found = state.versions.get(version);
    if (found === undefined) throw new AppError('ERR_NOT_FOUND', `prompt ${name} has no version ${version}`);
    return found;
  }
}

/**
 * A prompt from its rows: what follows its last deletion. A row read twice (a copy run again)
 * counts once: a version number is its first row, an event of one time and label one move.
 */
function stateOf(versionRows: readonly PromptVersionRecord[], eventRows: readonly PromptEventRecord[]): PromptState {
  const events = [...eventRows].sort((a, b) => a.timeUs - b.timeUs);
  const sinceUs = events.reduce((since, e) => (e.kind === 'delete' ? e.timeUs : since), 0);
  const versions = new Map<number, PromptVersionRecord>();
  for (const v of [...versionRows].sort((a, b) => a.version - b.version || a.createdUs - b.createdUs))
    if (v.createdUs >= sinceUs && !versions.has(v.version)) versions.set(v.version, v);
  const labels = new Map<string, PromptSplitEntry[]>();
  const moves: PromptEventRecord[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'move' || e.timeUs < sinceUs || seen.has(`${e.timeUs}\0${e.label}`)) continue;
    seen.add(`${e.timeUs}\0${e.label}`);
    moves.push(e);
    labels.set(e.label, JSON.parse(e.split) as PromptSplitEntry[]);
  }
  const lastUs = Math.max(sinceUs, ...[...versions.values()].map((v) => v.createdUs), ...moves.map((e) => e.timeUs));
  return { versions, labels: new Map([...labels].sort(([a], [b]) => (a < b ? -1 : 1))), moves, sinceUs, lastUs };
}

function versionOf(record: PromptVersionRecord, labels: ReadonlyMap<string, PromptSplitEntry[]>): PromptVersion {
  const body = JSON.parse(record.body) as VersionBody;
  return {
    name: record.name,
    version: record.version,
    type: body.type,
    prompt: body.prompt,
    variables: promptVariables(body.prompt),
    config: body.config,
    message: body.message,
    labels: [...labels].filter(([, split]) => split.some((s) => s.version === record.version)).map(([label]) => label),
    createdBy: record.createdBy,
    createdAt: iso(record.createdUs),
  };
}
