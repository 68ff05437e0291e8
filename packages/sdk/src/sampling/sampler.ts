import { isSpanContextValid, propagation, trace, TraceFlags, type Attributes, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { CORRELATION_KEY } from '../context/correlation.js';
import { keyRandomness, traceIdRandomness } from './hash.js';

/** Span attribute that keeps a span whatever the sample rate (`force: true` in the helpers). */
export const FORCE_ATTRIBUTE = 'spoor.sampling.force';

const KEEP: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
// Unsampled spans are still recorded in-process, never exported: workflow token and cost
// metrics sum every LLM call, and those must not depend on the trace sample rate.
const SKIP: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });

/**
 * Parent-based, deterministic ratio sampling. A span with a parent follows the parent's decision,
 * so a trace is kept or dropped whole, across processes too. A root span is kept when the hash of
 * its key falls under the rate: the trace id by default, or the `sampleBy` key (the correlation id,
 * or a span attribute or baggage entry such as `user.id`), so the same user is always kept or
 * always dropped. `force` keeps a span whatever the rate.
 */
export class SpoorSampler implements Sampler {
  private readonly threshold: number;

  constructor(
    readonly rate: number,
    readonly sampleBy?: string,
  ) {
    // Randomness is a 32-bit unsigned number; keep when it is below rate * 2^32.
    this.threshold = rate * 0x1_0000_0000;
  }

  shouldSample(parentContext: Context, traceId: string, _name: string, _kind: unknown, attributes: Attributes): SamplingResult {
    if (attributes[FORCE_ATTRIBUTE] === true) return KEEP;
    const parent = trace.getSpanContext(parentContext);
    if (parent !== undefined && isSpanContextValid(parent)) return (parent.traceFlags & TraceFlags.SAMPLED) !== 0 ? KEEP : SKIP;
    if (this.rate >= 1) return KEEP;
    if (this.rate <= 0) return SKIP;
    const key = this.sampleBy === undefined ? undefined : this.keyOf(parentContext, attributes);
    const randomness = key === undefined ? traceIdRandomness(traceId) : keyRandomness(key);
    return randomness < this.threshold ? KEEP : SKIP;
  }

  private keyOf(parentContext: Context, attributes: Attributes): string | undefined {
    const name = this.sampleBy!;
    const fromAttribute = attributes[name];
    if (fromAttribute !== undefined) return String(fromAttribute);
    return propagation.getBaggage(parentContext)?.getEntry(name === 'correlationId' ? CORRELATION_KEY : name)?.value;
  }

  toString(): string {
    return `SpoorSampler{rate=${this.rate}${this.sampleBy === undefined ? '' : `, by=${this.sampleBy}`}}`;
  }
}

/** Whether a key would be kept at a rate: the same answer the sampler gives, for tests and docs. */
export function keepsKey(key: string, rate: number): boolean {
  return keyRandomness(key) < rate * 0x1_0000_0000;
}
