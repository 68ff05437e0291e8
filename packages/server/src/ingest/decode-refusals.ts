import { Utf8Builder } from '../store/columns.js';
import { parseJsonBody } from './json/common.js';
import { NOT_JSON } from './json/scanner.js';
import { JsonSpanReader } from './json/trace-columns.js';
import { type JsonSpanPlan, resolveGroup } from './json/trace-plan.js';
import { SpanReader } from './protobuf/trace-columns.js';
import { readerFault } from './protobuf/wire.js';
import type { SpanPlan } from './span-source.js';

/**
 * What a trace request the fast readers refuse is refused for: the fault the record path's readers
 * named for it, which clients and the tests that pin its words know. Reached only for a refused body.
 */

/**
 * OTLP/JSON: text that is not JSON (`NOT_JSON`) or not an object is named in `JSON.parse`'s words, and
 * comes before any other fault, as `JSON.parse` reads a body whole before the record path walks it.
 * Any other error is Spoor's own fault, answered as such.
 */
export function jsonRefusal(body: Uint8Array, plan: JsonSpanPlan, error: unknown): unknown {
  if (error !== NOT_JSON && !isMalformed(error)) return error;
  parseJsonBody(body);
  if (error === NOT_JSON) return new Error('the OTLP/JSON span reader refused text JSON.parse reads');
  return firstJsonFault(body, plan) ?? error;
}

/**
 * The first fault of what the plan walked, in the record path's order (`forEachRecord`: a
 * resource, then each scope and its spans), read again by the same readers: a body with faults in
 * several places is named by the first the record path meets. `null` when none is found before
 * the plan's end (the fault was where the walk stopped).
 */
function firstJsonFault(body: Uint8Array, plan: JsonSpanPlan): unknown {
  const reader = new JsonSpanReader(body, plan);
  const scratch = new Utf8Builder(1, 64);
  const fault = plan.walk.fault;
  const resources = fault?.resources ?? plan.walk.resources.length;
  const spans = fault?.spans ?? plan.count;
  try {
    for (let i = 0; i < resources; i++) {
      const each = (group: number): void => {
        for (let k = 0; k < spans; k++) {
          if (plan.groupOf[k] !== group) continue;
          reader.read(plan.offsets[k]!, scratch);
          scratch.undoRow();
        }
      };
      resolveGroup(plan, i, each, fault?.groups);
    }
  } catch (error) {
    return error;
  }
  return null;
}

/**
 * OTLP/protobuf, a fault the plan met (`planSpans`, which passes over spans by their length): the
 * record path reads each span where it is, so a fault in a span before it is named first.
 */
export function protobufPlanRefusal(body: Uint8Array, plan: SpanPlan, error: unknown): unknown {
  const fault = readerFault(error);
  const reader = new SpanReader(body);
  const scratch = new Utf8Builder(1, 64);
  for (let i = 0; i < plan.count; i++) {
    try {
      reader.readAll(plan.offsets[i]!, scratch);
    } catch (spanError) {
      return readerFault(spanError);
    }
    scratch.undoRow();
  }
  return fault;
}

function isMalformed(error: unknown): boolean {
  return error instanceof Error && error.name === 'AppError' && (error as Error & { code?: string }).code === 'ERR_INGEST_MALFORMED_BODY';
}
