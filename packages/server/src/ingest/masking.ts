import {
  type Attributes,
  DETECTOR_LABELS,
  type ErrorOccurrenceRecord,
  type InstrumentationScope,
  type Resource,
  type ScoreRecord,
  type SpanEventRecord,
  type SpanLink,
  type SpanRecord,
  type DetectorName,
  type RedactMode,
  type RedactOptions,
  type RedactRule,
  type Redactor,
  type TextPattern,
  createRedactor,
  validateRedactOptions,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { compileTextPattern } from '../regex.js';
import type { RecordBatch } from '../store/tables.js';

/**
 * Masking at ingest: a project's policy (the SDK's redaction options, written as JSON) applied to
 * every record of a request before anything is stored, whichever SDK, language or convention sent
 * it: span, event, link, log, metric point, exemplar, resource and scope attributes (LLM messages are attributes
 * in every convention), log bodies, status and error messages, session and user ids. The
 * detectors are `@spoor/model/redact`'s, the ones `@spoor/sdk` runs in apps; a policy's own
 * patterns are compiled with RE2 (`regex.ts`), as one project's pattern runs on the thread that
 * decodes every project's requests: a pattern costlier than `--regex-max-cost` is refused, and a
 * rule reads the first `--regex-max-chars` characters of a value, the rest masked as its finding.
 */

/** A policy as JSON: `RedactOptions` with each rule's pattern as text (and its flags apart). */
export interface MaskingPolicy {
  detectors?: DetectorName[];
  mode?: RedactMode;
  hashSalt?: string;
  rules?: Array<{ name: string; pattern?: string; flags?: string; key?: string; mode?: RedactMode }>;
}

/** A project's policy set through the API, as the database thread answers it. */
export interface ProjectMaskingPolicy {
  projectId: string;
  policy: MaskingPolicy;
  updatedUs: number;
}

/** A policy as the store keeps it: the JSON text the database thread wrote of one the API had checked. */
export function storedMaskingPolicy(text: string): MaskingPolicy {
  return JSON.parse(text) as MaskingPolicy;
}

/** Why a policy cannot be used, said with where it came from. */
export class MaskingPolicyError extends Error {
  override name = 'MaskingPolicyError';
}

const POLICY_FIELDS = ['detectors', 'mode', 'hashSalt', 'rules'];
const RULE_FIELDS = ['name', 'pattern', 'flags', 'key', 'mode'];

/**
 * The redaction options a JSON policy means, checked: unknown fields, detectors and modes, and
 * patterns RE2 cannot run (lookarounds, back-references), that do not compile or that cost more
 * than `--regex-max-cost` a character, are refused with the rule and what to write instead. A key written `/…/flags` is a pattern over key names.
 */
export function redactOptionsOf(policy: unknown, where: string): RedactOptions {
  const fail = (message: string): never => {
    throw new MaskingPolicyError(`${where}: ${message}`);
  };
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) fail('a masking policy is a JSON object such as {"mode": "mask"}');
  const p = policy as Record<string, unknown>;
  for (const key of Object.keys(p)) if (!POLICY_FIELDS.includes(key)) fail(`'${key}' is not a field of a masking policy (known: ${POLICY_FIELDS.join(', ')})`);
  const options: Record<string, unknown> = { ...p };
  if (p.rules !== undefined) {
    if (!Array.isArray(p.rules)) fail(`'rules' must be an array such as [{"name": "ssn", "pattern": "\\\\d{3}-\\\\d{2}-\\\\d{4}"}]`);
    options.rules = (p.rules as unknown[]).map((rule, i) => ruleOf(rule, `rules[${i}]`, fail));
  }
  try {
    validateRedactOptions(options);
  } catch (error) {
    fail((error as Error).message.replace(/^Invalid redact options: /, '').replace(/\.$/, ''));
  }
  return options as RedactOptions;
}

/** Why a stored policy cannot be used now, or `null` when it can. */
export function maskingPolicyProblem(policy: MaskingPolicy): string | null {
  try {
    redactOptionsOf(policy, 'the masking policy');
    return null;
  } catch (error) {
    if (error instanceof MaskingPolicyError) return error.message;
    throw error;
  }
}

function ruleOf(rule: unknown, place: string, fail: (message: string) => never): RedactRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return fail(`${place} must be an object with a name and a pattern or key`);
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!RULE_FIELDS.includes(key)) fail(`${place} has no field '${key}' (a rule has ${RULE_FIELDS.join(', ')})`);
  const at = typeof r.name === 'string' ? `${place} ('${r.name}')` : place;
  const out: Record<string, unknown> = { name: r.name };
  if (r.mode !== undefined) out.mode = r.mode;
  if (r.pattern !== undefined) {
    if (typeof r.pattern !== 'string') fail(`${at}.pattern must be a regular expression as text`);
    if (r.flags !== undefined && (typeof r.flags !== 'string' || !/^[imsu]*$/.test(r.flags))) fail(`${at}.flags may hold i, m, s and u`);
    out.pattern = compile(r.pattern as string, (r.flags as string | undefined) ?? '', `${at}.pattern`, fail);
  } else if (r.flags !== undefined) fail(`${at}.flags goes with a pattern`);
  if (r.key !== undefined) {
    if (typeof r.key !== 'string' || r.key === '') fail(`${at}.key must be a key name, or /regex/ over key names`);
    const keyPattern = /^\/(.+)\/([imsu]*)$/.exec(r.key as string);
    out.key = keyPattern === null ? r.key : compile(keyPattern[1]!, keyPattern[2]!, `${at}.key`, fail);
  }
  return out as unknown as RedactRule;
}

function compile(source: string, flags: string, at: string, fail: (message: string) => never): TextPattern {
  try {
    return compileTextPattern(source, flags);
  } catch (error) {
    return fail(`${at} cannot be used: ${(error as Error).message}`);
  }
}

/**
 * `--mask FILE`: a policy for every project, or `{ "default": policy, "projects": { "shop": policy } }`
 * (a project without its own gets `default`, if any).
 */
export function maskFileOf(json: unknown, where: string): MaskFile {
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && ('default' in json || 'projects' in json)) {
    const file = json as Record<string, unknown>;
    for (const key of Object.keys(file))
      if (key !== 'default' && key !== 'projects')
        throw new MaskingPolicyError(`${where}: '${key}' is not a field of a masking file (known: default, projects)`);
    const projects = (file.projects ?? {}) as Record<string, unknown>;
    if (typeof projects !== 'object' || projects === null || Array.isArray(projects))
      throw new MaskingPolicyError(`${where}: 'projects' maps project names to policies`);
    if (file.default !== undefined) redactOptionsOf(file.default, `${where} (default)`);
    for (const [project, policy] of Object.entries(projects)) redactOptionsOf(policy, `${where} (project ${project})`);
    return { fallback: (file.default as MaskingPolicy | undefined) ?? null, projects: projects as Record<string, MaskingPolicy> };
  }
  redactOptionsOf(json, where);
  return { fallback: json as MaskingPolicy, projects: {} };
}

/** The `--mask` file: a policy for every project, and policies of their own for some. */
export interface MaskFile {
  fallback: MaskingPolicy | null;
  projects: Record<string, MaskingPolicy>;
}

/** The `--mask` file's policy for a project: its own, else the file's default, else none. */
export function filePolicyFor(file: MaskFile | null, projectId: string): MaskingPolicy | null {
  if (file === null) return null;
  // Own keys only: `constructor` is a project name, and every object has one.
  return (Object.hasOwn(file.projects, projectId) ? file.projects[projectId] : undefined) ?? file.fallback;
}

/**
 * A project's policy as what masks a request's records, what masks one request as the column path
 * reads it (`decode-columns.ts`), and what masks one JSON value.
 */
export interface Maskers {
  records: (records: RecordBatch) => void;
  request: () => RequestMasking;
  value: <T>(value: T) => T;
}

/**
 * What masks with the redactor `make` builds (`null` when it builds none). For a policy this
 * server cannot use (stored before it was checked as it is now: a lookaround, fine for
 * JavaScript, is refused by RE2), what refuses instead: stored unmasked, the records would keep
 * what it was set to hide, so they are refused, and their senders retry, until it is set again.
 */
export function maskersOf(projectId: string, make: () => Redactor | undefined): Maskers | null {
  let redactor: Redactor | undefined;
  try {
    redactor = make();
  } catch (error) {
    if (!(error instanceof MaskingPolicyError)) throw error;
    const refusal = maskingPolicyRefusal(projectId, error);
    const refuse = (): never => {
      throw refusal;
    };
    return { records: refuse, request: refuse, value: refuse };
  }
  if (redactor === undefined) return null;
  const r = redactor;
  return {
    records: (records) => maskBatch(records, r),
    request: () => new RequestMasking(r),
    value: <T>(value: T): T => (typeof value === 'string' ? (r.string(value) as T) : r.object(value)),
  };
}

/**
 * Which policy masks each project's records now: the one set through the API, else the `--mask`
 * file's for the project, else the file's default, else none. Kept where records are decoded as
 * they arrive (the decode thread) and where values sent through the API are masked (the database
 * thread); what is masked later goes by the policies over time (`masking-timeline.ts`).
 */

export class ProjectMasking {
  private readonly api = new Map<string, MaskingPolicy>();
  /** What masks each project seen, made once per policy change; `null` for no policy. */
  private readonly maskers = new Map<string, Maskers | null>();
  /** Values masked, by detector or rule. */
  readonly masked = new Map<string, number>(MASKING_DETECTORS.map((label) => [label, 0]));

  constructor(private readonly file: MaskFile | null) {}

  set(projectId: string, policy: MaskingPolicy | null): void {
    if (policy === null) this.api.delete(projectId);
    else this.api.set(projectId, policy);
    this.maskers.delete(projectId);
  }

  /** What masks a project's records in place, or `undefined` when it has no policy: nothing to do. */
  maskerFor(projectId: string): ((records: RecordBatch) => void) | undefined {
    return this.maskersOf(projectId)?.records;
  }

  /**
   * What masks a JSON value of a project's as its records are masked (a dataset item's input, an
   * experiment's output), or `undefined` when it has no policy: a text's findings, an object's
   * sensitive keys and findings, walked as a log body is.
   */
  valueMaskerFor(projectId: string): (<T>(value: T) => T) | undefined {
    return this.maskersOf(projectId)?.value;
  }

  /** What masks a project's requests, or `null` when it has no policy. */
  maskersOf(projectId: string): Maskers | null {
    let maskers = this.maskers.get(projectId);
    if (maskers === undefined) {
      const policy = this.api.get(projectId) ?? filePolicyFor(this.file, projectId);
      maskers = policy === null ? null : this.maskersOfPolicy(projectId, policy);
      this.maskers.set(projectId, maskers);
    }
    return maskers;
  }

  private maskersOfPolicy(projectId: string, policy: MaskingPolicy): Maskers | null {
    return maskersOf(projectId, () => redactorOf(policy, (label) => this.masked.set(label, (this.masked.get(label) ?? 0) + 1)));
  }

  /** `spoor_masked_values_total` in the Prometheus text format. */
  metricsText(): string {
    let text = '# HELP spoor_masked_values_total Values masked at ingest by a masking policy, by detector or rule.\n# TYPE spoor_masked_values_total counter\n';
    for (const [label, count] of this.masked) text += `spoor_masked_values_total{detector="${label.replace(/["\\\n]/g, '_')}"} ${count}\n`;
    return text;
  }
}

/** What a request of a project whose masking policy this server cannot use is refused with: its sender retries until the policy is set again. */
export function maskingPolicyRefusal(projectId: string, error: MaskingPolicyError): AppError {
  return new AppError(
    'ERR_INGEST_MASKING_POLICY',
    `project '${projectId}' has a masking policy this server cannot use: ${error.message}; set it again with PUT /api/projects/${projectId}/masking`,
  );
}

/** Every detector, for the metric that counts them from the start. */
export const MASKING_DETECTORS: readonly string[] = [...DETECTOR_LABELS, 'secret'];

/** A redactor for a policy that counts what it masks by label. */
export function redactorOf(policy: MaskingPolicy, onMasked: (label: string) => void): Redactor {
  return createRedactor(redactOptionsOf(policy, 'the masking policy'), { onMasked });
}

/**
 * Masks one set of attributes in place: a value whose key is sensitive whole, findings in strings
 * and string arrays, and objects (key-value lists) walked. Forwarding masks the attributes it
 * sends on with it, so what leaves Spoor is masked as what it stores.
 */
export function maskAttributes(attrs: Attributes, redactor: Redactor): void {
  redactor.attributesInPlace(attrs as Record<string, unknown>);
  for (const key in attrs) {
    const value = attrs[key];
    if (typeof value === 'object' && value !== null) attrs[key] = redactor.object(value);
  }
}

/**
 * Masks the records of one request in place, each set of attributes once however many records
 * share it (a request's resources and scopes). The record path (`maskBatch`) and the column path
 * (`decode-columns.ts`) mask through it, value by value in the same order, so both store the same.
 */
export class RequestMasking {
  private readonly seen = new Set<object>();

  constructor(private readonly redactor: Redactor) {}

  attributes(attrs: Attributes): void {
    if (this.seen.has(attrs)) return;
    this.seen.add(attrs);
    maskAttributes(attrs, this.redactor);
  }

  text(value: string): string {
    return this.redactor.string(value);
  }

  /** A session or user id, as the value of its attribute. */
  id(key: string, value: string | null): string | null {
    return value === null ? null : ((this.redactor.value(key, value) as string | undefined) ?? null);
  }

  /** A span's attributes, its resource's and scope's, and its events' and links'. */
  spanAttributes(attributes: Attributes, resource: Resource, scope: InstrumentationScope, events: SpanEventRecord[], links: SpanLink[]): void {
    this.attributes(attributes);
    this.attributes(resource.attributes);
    this.attributes(scope.attributes);
    for (const event of events) this.attributes(event.attributes);
    for (const link of links) this.attributes(link.attributes);
  }

  span(span: SpanRecord): void {
    this.spanAttributes(span.attributes, span.resource, span.scope, span.events, span.links);
    span.status = { ...span.status, message: this.text(span.status.message) };
    span.sessionId = this.id('session.id', span.sessionId);
    span.userId = this.id('user.id', span.userId);
  }

  errors(errors: readonly ErrorOccurrenceRecord[]): void {
    for (const error of errors) {
      error.message = this.text(error.message);
      error.messageKey = this.text(error.messageKey);
    }
  }

  scores(scores: readonly ScoreRecord[]): void {
    for (const score of scores) {
      if (score.comment !== null) score.comment = this.text(score.comment);
      score.sessionId = this.id('session.id', score.sessionId);
    }
  }
}

/** Masks a decoded request's records in place. */
export function maskBatch(batch: RecordBatch, redactor: Redactor): void {
  const masking = new RequestMasking(redactor);
  for (const span of batch.runningSpans === undefined ? batch.spans : [...batch.spans, ...batch.runningSpans]) masking.span(span);
  for (const log of batch.logs ?? []) {
    masking.attributes(log.attributes);
    masking.attributes(log.resource.attributes);
    masking.attributes(log.scope.attributes);
    log.body = typeof log.body === 'string' ? redactor.string(log.body) : redactor.object(log.body);
  }
  for (const point of batch.metricPoints ?? []) {
    masking.attributes(point.attributes);
    masking.attributes(point.resource.attributes);
    masking.attributes(point.scope.attributes);
    for (const exemplar of point.exemplars) masking.attributes(exemplar.filteredAttributes);
  }
  masking.errors(batch.errors ?? []);
  masking.scores(batch.scores ?? []);
}
