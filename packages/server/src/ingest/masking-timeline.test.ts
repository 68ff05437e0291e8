import { describe, expect, it } from 'vitest';
import { type MaskingPolicy, MaskingPolicyError } from '../ingest/masking.js';
import { MaskingTimeline } from './masking-timeline.js';
import { scoreRecord } from '../../test/support/record-fixtures.js';

const TEXT = 'mail bob@example.com, card 4111 1111 1111 1111';
const EMAIL_ONLY: MaskingPolicy = { detectors: ['email'] };
const CARD_ONLY: MaskingPolicy = { detectors: ['card'] };
/** What a request of `project` received at `receivedUs` is masked to. */
const masked = (masking: MaskingTimeline, project: string, receivedUs: number): string =>
  masking.redactorFor(masking.keyFor(project, receivedUs))?.string(TEXT) ?? TEXT;

describe('MaskingTimeline', () => {
  it("masks by the API policy, else the file's for the project, else the file's default, else not at all", () => {
    expect(masked(new MaskingTimeline(null, []), 'shop', 0)).toBe(TEXT);
    const file = { fallback: CARD_ONLY, projects: { shop: EMAIL_ONLY } };
    expect(masked(new MaskingTimeline(file, []), 'shop', 0)).toBe('mail [REDACTED:email], card 4111 1111 1111 1111');
    expect(masked(new MaskingTimeline(file, []), 'ops', 0)).toBe('mail bob@example.com, card [REDACTED:card]');
    expect(masked(new MaskingTimeline(file, [{ projectId: 'ops', policy: EMAIL_ONLY }]), 'ops', 0)).toBe('mail [REDACTED:email], card 4111 1111 1111 1111');
  });

  it('masks a request by the policy it was received under and by every one set after', () => {
    const masking = new MaskingTimeline(null, [{ projectId: 'shop', policy: EMAIL_ONLY }]);
    masking.set('shop', CARD_ONLY, 2000);
    masking.set('shop', null, 3000);
    expect(masked(masking, 'shop', 1000)).toBe('mail [REDACTED:email], card [REDACTED:card]');
    expect(masked(masking, 'shop', 2500)).toBe('mail bob@example.com, card [REDACTED:card]');
    // Removed: what was received under a policy stays masked by it; what comes after is not.
    expect(masked(masking, 'shop', 3500)).toBe(TEXT);
    expect(masked(masking, 'ops', 1000)).toBe(TEXT);
  });

  it('masks what was received before a first policy by it too', () => {
    const masking = new MaskingTimeline(null, []);
    masking.set('shop', EMAIL_ONLY, 2000);
    expect(masked(masking, 'shop', 1000)).toBe('mail [REDACTED:email], card 4111 1111 1111 1111');
  });

  it('refuses a policy it cannot use, so nothing is sent unmasked', () => {
    const masking = new MaskingTimeline(null, [{ projectId: 'shop', policy: { rules: [{ name: 'x', pattern: '(?=a)' }] } }]);
    expect(() => masking.redactorFor(masking.keyFor('shop', 0))).toThrow(MaskingPolicyError);
    // Records read back under it are refused the same way, never stored unmasked.
    const masker = masking.maskerFor('shop', 0)!;
    expect(() => masker({ spans: [], logs: [], metricPoints: [] })).toThrow(/project 'shop' has a masking policy this server cannot use/);
    expect(masking.maskerFor('ops', 0)).toBeUndefined();
    // Set again, usable: what was received before masks by the new one, as the refusal said it would.
    masking.set('shop', EMAIL_ONLY, 1000);
    expect(masked(masking, 'shop', 0)).toBe('mail [REDACTED:email], card 4111 1111 1111 1111');
    const records = { spans: [], logs: [], metricPoints: [], scores: [scoreRecord({ comment: TEXT })] };
    masking.maskerFor('shop', 0)!(records);
    expect(records.scores[0]!.comment).toBe('mail [REDACTED:email], card 4111 1111 1111 1111');
  });
});
