import type { ModelPrice, TimeRange } from '@spoor/model';
import type { KeyRecord } from '../../src/auth/keys.js';
import type {
  AccessStore,
  AlertHistoryRecord,
  AlertRuleRecord,
  AlertStore,
  AuditRecord,
  MaskingPolicyRecord,
  MaskingStore,
  RepriceResult,
  RetainedRecords,
  SilenceRecord,
  SpanCost,
  SpanToPrice,
  UnpricedModelRecord,
} from '../../src/store/store.js';
import { tracePartsOf } from '../../src/store/trace-parts.js';
import { type FakeData, byText, inRange, partsTextBytes } from './fake-reads.js';

/**
 * The small mutable state of the in-memory fake (prices, alert rules, state, history and silences,
 * keys and the audit log), re-pricing, and retention.
 */

/** Per project, by model: prices set through the API. */
export class FakePrices {
  private readonly prices = new Map<string, Map<string, ModelPrice>>();

  list(projectId: string): ModelPrice[] {
    return [...(this.prices.get(projectId)?.values() ?? [])].sort((a, b) => byText(a.model, b.model)).map((p) => structuredClone(p));
  }

  put(projectId: string, price: ModelPrice): void {
    let prices = this.prices.get(projectId);
    if (prices === undefined) this.prices.set(projectId, (prices = new Map()));
    prices.set(price.model, structuredClone(price));
  }

  delete(projectId: string, model: string): boolean {
    return this.prices.get(projectId)?.delete(model) ?? false;
  }
}

export function listUnpricedModels(data: FakeData, projectId: string, range: TimeRange): UnpricedModelRecord[] {
  const models = new Map<string, UnpricedModelRecord>();
  for (const s of data.spans) {
    const llm = s.llm;
    if (s.projectId !== projectId || llm === null || !inRange(s.startTimeUs, range)) continue;
    if (Number.isFinite(llm.costUsd ?? NaN) || (llm.inputTokens === null && llm.outputTokens === null)) continue;
    const model = llm.responseModel ?? llm.requestModel ?? '';
    const entry = models.get(model) ?? { provider: null, model, spanCount: 0, inputTokens: 0, outputTokens: 0, lastSeenUs: -Infinity };
    entry.provider ??= llm.provider;
    entry.spanCount++;
    entry.inputTokens += llm.inputTokens ?? 0;
    entry.outputTokens += llm.outputTokens ?? 0;
    entry.lastSeenUs = Math.max(entry.lastSeenUs, s.startTimeUs);
    models.set(model, entry);
  }
  return [...models.values()].sort((a, b) => b.spanCount - a.spanCount || byText(a.model, b.model)).slice(0, 1000);
}

export function readSpansToPrice(data: FakeData, projectId: string, range: TimeRange): SpanToPrice[] {
  return data.spans
    .filter((s) => s.projectId === projectId && s.llm !== null && s.llm.costSource !== 'reported' && inRange(s.startTimeUs, range))
    .map((s) => ({ traceId: s.traceId, spanId: s.spanId, llm: structuredClone(s.llm!) }));
}

/** Sets the costs, then rebuilds the summary parts of their traces from the spans, one part per trace. */
export function setSpanCosts(data: FakeData, projectId: string, costs: readonly SpanCost[]): RepriceResult {
  let changed = 0;
  const traces = new Set(costs.map((c) => c.traceId));
  for (const cost of costs) {
    for (const s of data.spans) {
      if (s.projectId !== projectId || s.traceId !== cost.traceId || s.spanId !== cost.spanId || s.llm === null || s.llm.costSource === 'reported') continue;
      s.llm = { ...s.llm, costUsd: cost.costUsd, costSource: cost.costUsd === null ? null : 'price_table' };
      changed++;
    }
  }
  // The rebuilt parts keep the old parts' text bytes (null where one lacked them), as both engines do.
  const bytes = new Map([...traces].map((traceId) => [traceId, partsTextBytes(data, projectId, traceId)]));
  const kept = data.parts.filter((p) => p.projectId !== projectId || !traces.has(p.traceId));
  const rebuilt = tracePartsOf(data.spans.filter((s) => s.projectId === projectId && traces.has(s.traceId)));
  data.parts.length = 0;
  data.parts.push(...kept, ...rebuilt.map((p) => ({ ...p, textBytes: bytes.get(p.traceId) ?? null })));
  return { spans: changed, traces: traces.size };
}

/** Deletes every project's records of one kind older than the cutoff, each by the time that ends its use. */
export function deleteOlderThan(
  data: FakeData & { errors: Array<{ timeUs: number }> },
  alerts: FakeAlertStore,
  records: Exclude<RetainedRecords, 'scores' | 'llmResponses' | 'evaluatorRuns' | 'runningSpans' | 'samplingDecisions' | 'spanStats'>,
  cutoffUs: number,
): number {
  const drop = <T>(list: T[], time: (item: T) => number): number => {
    const kept = list.filter((item) => time(item) >= cutoffUs);
    const removed = list.length - kept.length;
    list.length = 0;
    list.push(...kept);
    return removed;
  };
  switch (records) {
    case 'spans':
      return drop(data.spans, (s) => s.startTimeUs);
    case 'traceParts':
      return drop(data.parts, (p) => p.endUs);
    case 'errors':
      return drop(data.errors, (e) => e.timeUs);
    case 'logs':
      return drop(data.logs, (l) => l.timeUs);
    case 'metricPoints':
      return drop(data.metricPoints, (p) => p.timeUs);
    case 'alertHistory':
      return drop(alerts.history, (h) => h.record.timeUs);
    case 'silences':
      return drop(alerts.silences, (s) => s.record.endsUs);
  }
}

/** Alert rules, the engine's state, its history and silences, per project. */
export class FakeAlertStore implements AlertStore {
  readonly rules: Array<{ projectId: string; record: AlertRuleRecord }> = [];
  readonly states = new Map<string, string>();
  readonly history: Array<{ projectId: string; record: AlertHistoryRecord }> = [];
  readonly silences: Array<{ projectId: string; record: SilenceRecord }> = [];
  readonly seeded = new Set<string>();

  async listRules(projectId: string): Promise<AlertRuleRecord[]> {
    return this.rules
      .filter((r) => r.projectId === projectId)
      .map((r) => ({ ...r.record }))
      .sort((a, b) => byText(a.name, b.name));
  }

  async putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'> {
    const found = this.rules.find((r) => r.projectId === projectId && r.record.name === name);
    if (found !== undefined) {
      found.record = { ...found.record, spec, updatedUs: nowUs };
      return 'updated';
    }
    this.rules.push({ projectId, record: { name, spec, createdUs: nowUs, updatedUs: nowUs } });
    return 'created';
  }

  async deleteRule(projectId: string, name: string): Promise<boolean> {
    const at = this.rules.findIndex((r) => r.projectId === projectId && r.record.name === name);
    if (at === -1) return false;
    this.rules.splice(at, 1);
    return true;
  }

  async seedRules(projectId: string, rules: ReadonlyArray<Pick<AlertRuleRecord, 'name' | 'spec'>>, nowUs: number): Promise<boolean> {
    if (this.seeded.has(projectId)) return false;
    this.seeded.add(projectId);
    for (const { name, spec } of rules) {
      if (!this.rules.some((r) => r.projectId === projectId && r.record.name === name))
        this.rules.push({ projectId, record: { name, spec, createdUs: nowUs, updatedUs: nowUs } });
    }
    return true;
  }

  async rulesSeeded(projectId: string): Promise<boolean> {
    return this.seeded.has(projectId);
  }

  async readState(projectId: string): Promise<string | null> {
    return this.states.get(projectId) ?? null;
  }

  async saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[]): Promise<void> {
    // All or nothing, as a transaction: a record the store could not hold changes nothing.
    for (const record of history) if (!Number.isSafeInteger(record.timeUs)) throw new Error(`alert history at ${record.timeUs} is not a time`);
    this.states.set(projectId, state);
    for (const record of history) this.history.push({ projectId, record: structuredClone(record) });
  }

  async listHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number): Promise<AlertHistoryRecord[]> {
    // Newest first; of one time, the one saved last first.
    return this.history
      .map((h, i) => ({ ...h, i }))
      .filter((h) => h.projectId === projectId && inRange(h.record.timeUs, range) && (rule === null || h.record.rule === rule))
      .sort((a, b) => b.record.timeUs - a.record.timeUs || b.i - a.i)
      .slice(offset, offset + limit)
      .map((h) => structuredClone(h.record));
  }

  async listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]> {
    return this.silences
      .filter((s) => s.projectId === projectId && s.record.endsUs > endedAfterUs)
      .map((s) => structuredClone(s.record))
      .sort((a, b) => a.startsUs - b.startsUs || byText(a.id, b.id));
  }

  async putSilence(projectId: string, silence: SilenceRecord): Promise<void> {
    const found = this.silences.find((s) => s.projectId === projectId && s.record.id === silence.id);
    if (found !== undefined) found.record = structuredClone(silence);
    else this.silences.push({ projectId, record: structuredClone(silence) });
  }
}

/** Keys, the audit log and the session secret. */
export class FakeAccessStore implements AccessStore {
  private readonly keys: KeyRecord[] = [];
  private readonly audit: AuditRecord[] = [];
  private secret: string | null = null;

  async listKeys(): Promise<KeyRecord[]> {
    return this.keys.map((k) => ({ ...k })).sort((a, b) => a.createdUs - b.createdUs || byText(a.id, b.id));
  }

  async putKey(record: KeyRecord): Promise<void> {
    this.keys.push({ ...record });
  }

  async revokeKey(id: string, nowUs: number): Promise<boolean> {
    const key = this.keys.find((k) => k.id === id && k.revokedUs === null);
    if (key === undefined) return false;
    key.revokedUs = nowUs;
    return true;
  }

  async sessionSecret(): Promise<string> {
    this.secret ??= Array.from({ length: 32 }, () =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('');
    return this.secret;
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    this.audit.push({ ...record });
  }

  async listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]> {
    return this.audit
      .filter((r) => r.projectId === projectId && inRange(r.timeUs, range))
      .sort((a, b) => b.timeUs - a.timeUs || byText(a.action, b.action) || byText(a.target, b.target))
      .slice(offset, offset + limit)
      .map((r) => ({ ...r }));
  }
}

/** Policies of one kind set through the API (masking, sampling), one per project. */
export class FakeProjectPolicies implements MaskingStore {
  private readonly policies = new Map<string, MaskingPolicyRecord>();

  async listPolicies(): Promise<MaskingPolicyRecord[]> {
    return [...this.policies.values()].sort((a, b) => byText(a.projectId, b.projectId)).map((p) => ({ ...p }));
  }

  async putPolicy(projectId: string, policy: string, nowUs: number): Promise<void> {
    this.policies.set(projectId, { projectId, policy, updatedUs: nowUs });
  }

  async deletePolicy(projectId: string): Promise<boolean> {
    return this.policies.delete(projectId);
  }
}
