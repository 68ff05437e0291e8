import type { Redactor } from '@spoor/model';
import type { RecordBatch } from '../store/tables.js';
import { type MaskFile, type Maskers, type MaskingPolicy, MaskingPolicyError, filePolicyFor, maskersOf, redactorOf } from './masking.js';

/**
 * Each project's masking policy over time, for what masks a request after it was received: the
 * forwarder's requests (forward thread), and the database thread's entries read back from the
 * spool (a commit that failed or stalled, a restart). Resolved as ingest resolves it (the one set
 * through the API, else the `--mask` file's for the project, else the file's default), and kept
 * as a timeline while the server runs. A request is masked by the policy in force when it was
 * received AND by every one set after it: a destination that is behind, or an entry read back
 * late, never gets past what a removed policy hid, nor what a new one hides (a request received
 * just before a change may have been decoded, and stored, after it). Once a server restarts it
 * knows only the policies in force then. Each change is set before any request decoded with it
 * is spooled.
 */
export class MaskingTimeline {
  /** Per project, the policies set through the API since the start (`null`: removed), oldest first. */
  private readonly timelines = new Map<string, Array<{ fromUs: number; policy: MaskingPolicy | null }>>();
  /** Redactors by `keyFor`; `undefined`: no policy. */
  private readonly redactors = new Map<string, Redactor | undefined>();
  /** Maskers by `keyFor`; `null`: no policy. */
  private readonly maskers = new Map<string, Maskers | null>();

  constructor(
    private readonly file: MaskFile | null,
    policies: Array<{ projectId: string; policy: MaskingPolicy }>,
  ) {
    for (const { projectId, policy } of policies) this.timelines.set(projectId, [{ fromUs: Number.NEGATIVE_INFINITY, policy }]);
  }

  /** A project's policy set (or removed: `null`) through the API, in force for what is received from `nowUs` on. */
  set(projectId: string, policy: MaskingPolicy | null, nowUs: number): void {
    let timeline = this.timelines.get(projectId);
    if (timeline === undefined) this.timelines.set(projectId, (timeline = [{ fromUs: Number.NEGATIVE_INFINITY, policy: null }]));
    timeline.push({ fromUs: nowUs, policy });
  }

  /**
   * Names the policies that mask a request of `projectId` received at `receivedUs`: the same key
   * for every request masked alike (to reuse what is built for it).
   */
  keyFor(projectId: string, receivedUs: number): string {
    const timeline = this.timelines.get(projectId);
    if (timeline === undefined) return `${projectId}\u0000`;
    let from = 0;
    while (from + 1 < timeline.length && timeline[from + 1]!.fromUs <= receivedUs) from++;
    return `${projectId}\u0000${from}\u0000${timeline.length}`;
  }

  /**
   * What masks the requests of `keyFor`'s key, `undefined` for none; throws `MaskingPolicyError`
   * for a policy this server cannot use (its requests are then never sent).
   */
  redactorFor(key: string): Redactor | undefined {
    if (this.redactors.has(key)) return this.redactors.get(key);
    const [projectId, from, to] = key.split('\u0000') as [string, string, string | undefined];
    const timeline = this.timelines.get(projectId);
    const policies = (timeline === undefined ? [null] : timeline.slice(Number(from), Number(to)).map((t) => t.policy)).map(
      (p) => p ?? filePolicyFor(this.file, projectId),
    );
    const redactors: Redactor[] = [];
    for (const [i, policy] of policies.entries()) {
      if (policy === null || policies.indexOf(policy) < i) continue;
      try {
        // Counted by the decode thread's masking (`spoor_masked_values_total`), not again here.
        redactors.push(redactorOf(policy, () => {}));
      } catch (error) {
        // A policy this server cannot use refused its project's requests while it was in force;
        // once one set after it replaced it, what was received before masks by that one instead.
        if (!(error instanceof MaskingPolicyError) || i === policies.length - 1) throw error;
      }
    }
    const redactor = redactors.length === 0 ? undefined : redactors.length === 1 ? redactors[0] : composed(redactors);
    this.redactors.set(key, redactor);
    return redactor;
  }

  /**
   * What masks the records of a request of `projectId` received at `receivedUs` in place,
   * `undefined` for none. A policy this server cannot use refuses them (`maskingPolicyRefusal`):
   * stored unmasked, they would keep what it was set to hide.
   */
  maskerFor(projectId: string, receivedUs: number): ((records: RecordBatch) => void) | undefined {
    return this.maskersOf(projectId, receivedUs)?.records;
  }

  /** `maskerFor`'s policies as every masker of them (`null`: none), for a trace request the column path reads. */
  maskersOf(projectId: string, receivedUs: number): Maskers | null {
    const key = this.keyFor(projectId, receivedUs);
    let maskers = this.maskers.get(key);
    if (maskers === undefined) this.maskers.set(key, (maskers = maskersOf(projectId, () => this.redactorFor(key))));
    return maskers;
  }
}

/** One redactor that masks as each of `redactors` does, one after the other. */
function composed(redactors: Redactor[]): Redactor {
  return {
    string: (value) => redactors.reduce((text, r) => r.string(text), value),
    value: (key, value) => redactors.reduce<unknown>((v, r) => (v === undefined ? undefined : r.value(key, v)), value),
    attributesInPlace: (attributes) => {
      for (const r of redactors) r.attributesInPlace(attributes);
    },
    object: (value) => redactors.reduce((v, r) => r.object(v), value),
  };
}
