import { isUtf8 } from 'node:buffer';
import type { InstrumentationScope, Resource } from '@spoor/model';
import { serviceNameOf } from '../decoded.js';
import { type SpanPlan, newPlan, planSpan } from '../span-source.js';
import { malformedJson, resource, scope, string } from './common.js';
import { CLOSE_BRACE, CLOSE_BRACKET, NOT_JSON, OPEN_BRACE, OPEN_BRACKET, QUOTE, Scanner, names } from './scanner.js';

/**
 * The plan of an OTLP/JSON trace request (`json/trace-columns.ts` reads its spans): the envelope
 * walked once, noting where each span is (at its `{`), its resources and scopes read by the record
 * path's walkers (`common.ts`) once the walk is over, in the order `forEachRecord` reads them, so
 * a fault is named as there. A field given twice means what `JSON.parse` makes of it: the last
 * one, the groups and spans of an earlier array dropped (their text still checked).
 */

/**
 * A plan, with where each group's spans are in the request, as the record path names them
 * (`resourceSpans[0].scopeSpans[1]`), and the values its walk found (for naming a fault in order).
 */
export interface JsonSpanPlan extends SpanPlan {
  where: string[];
  walk: Walk;
}

export function newJsonPlan(): JsonSpanPlan {
  return { ...newPlan(), where: [], walk: { resources: [], scopes: [], schemaUrls: [], fault: null, tick: 0 } };
}

const ENVELOPE = names('resourceSpans');
const RESOURCE_SPANS = names('resource', 'scopeSpans', 'schemaUrl');
const SCOPE_SPANS = names('scope', 'spans', 'schemaUrl');

/** A resource group as walked: its values, read once the walk is over; its scope groups are `plan.groups[first ..]`. */
export interface Walked {
  value: unknown;
  schemaUrl: unknown;
  first: number;
}

/** What the walk keeps of each resource group, and of each scope group by the group's index. */
export interface Walk {
  resources: Walked[];
  scopes: unknown[];
  schemaUrls: unknown[];
  /** The first fault of the envelope's shape met, if any. */
  fault: WalkFault | null;
  /** Counts each array's start and each fault, to tell whether a fault was in an array dropped. */
  tick: number;
}

/**
 * A fault of the envelope's shape, with what the record path reads before it: the resource
 * groups, the scope groups (their scopes; a group's spans only up to `spans`) and the spans.
 */
export interface WalkFault {
  error: Error;
  tick: number;
  resources: number;
  groups: number;
  spans: number;
}

/**
 * Walks the envelope into `plan`; throws `NOT_JSON` where it is not JSON, a malformed body's error
 * for any other fault. A fault of the envelope's shape (an array or object that is not one) is
 * noted, the value passed, and the walk goes on: the resources and scopes around it, which the
 * record path reads before it, may be written after it (`WalkFault`).
 */
export function planJsonSpans(body: Uint8Array, plan: JsonSpanPlan = newJsonPlan()): JsonSpanPlan {
  if (!isUtf8(body)) throw malformedJson('the body is not valid UTF-8');
  const s = new Scanner(body);
  // A byte order mark: dropped as the record path's decoder drops it.
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) s.p = 3;
  const walk = plan.walk;
  let began = -1;
  if (s.enter()) {
    do {
      if (s.field(ENVELOPE, 0) !== 0) s.skip(0);
      else {
        if (began >= 0) drop(s, plan, began, 0, 0, 0);
        began = ++walk.tick;
        if (!s.isNull() && arrayHere(s, plan, 'resourceSpans')) {
          do resourceGroup(s, plan);
          while (s.more(CLOSE_BRACKET));
        }
      }
    } while (s.more(CLOSE_BRACE));
  }
  if (s.next() !== -1) throw NOT_JSON;
  if (walk.fault !== null) throw walk.fault.error;
  for (let i = 0; i < walk.resources.length; i++) resolveGroup(plan, i);
  return plan;
}

function resourceGroup(s: Scanner, plan: JsonSpanPlan): void {
  const walk = plan.walk;
  const i = walk.resources.length;
  if (s.next() !== OPEN_BRACE) return notObject(s, plan, `resourceSpans[${i}]`);
  const walked: Walked = { value: undefined, schemaUrl: undefined, first: plan.groups.length };
  walk.resources.push(walked);
  const spans = plan.count;
  let began = -1;
  if (s.enter()) {
    do {
      const field = s.field(RESOURCE_SPANS, 0);
      if (field === 0) walked.value = s.parsed();
      else if (field === 1) {
        if (began >= 0) drop(s, plan, began, walked.first, spans, i + 1);
        began = ++walk.tick;
        if (!s.isNull() && arrayHere(s, plan, `resourceSpans[${i}].scopeSpans`)) {
          do scopeGroup(s, plan, i, plan.groups.length - walked.first);
          while (s.more(CLOSE_BRACKET));
        }
      } else if (field === 2) walked.schemaUrl = rawString(s);
      else s.skip(0);
    } while (s.more(CLOSE_BRACE));
  }
}

function scopeGroup(s: Scanner, plan: JsonSpanPlan, i: number, j: number): void {
  const walk = plan.walk;
  const where = `resourceSpans[${i}].scopeSpans[${j}]`;
  if (s.next() !== OPEN_BRACE) return notObject(s, plan, where);
  const group = plan.groups.length;
  plan.groups.push({ resource: PENDING_RESOURCE, scope: PENDING_SCOPE, serviceName: '' });
  walk.scopes[group] = undefined;
  walk.schemaUrls[group] = undefined;
  const spans = plan.count;
  let began = -1;
  if (s.enter()) {
    do {
      const field = s.field(SCOPE_SPANS, 1);
      if (field === 0) walk.scopes[group] = s.parsed();
      else if (field === 1) {
        if (began >= 0) drop(s, plan, began, group + 1, spans, walk.resources.length);
        began = ++walk.tick;
        if (!s.isNull() && arrayHere(s, plan, `${where}.spans`)) {
          do {
            if (s.next() !== OPEN_BRACE) notObject(s, plan, `${where}.spans[${plan.count - spans}]`);
            else {
              planSpan(plan, s.p, group);
              s.passObject();
            }
          } while (s.more(CLOSE_BRACKET));
        }
      } else if (field === 2) walk.schemaUrls[group] = rawString(s);
      else s.skip(0);
    } while (s.more(CLOSE_BRACE));
  }
}

/**
 * Drops what an earlier array of a field given twice planned (begun at tick `began`): the groups
 * from `groups`, the spans from `spans`, the resource groups from `resources`, and a fault noted in
 * it. The spans' text, passed by its brackets only, is checked first: `JSON.parse` reads it all
 * before it drops it.
 */
function drop(s: Scanner, plan: JsonSpanPlan, began: number, groups: number, spans: number, resources: number): void {
  const walk = plan.walk;
  const check = new Scanner(s.b);
  for (let k = spans; k < plan.count; k++) {
    check.p = plan.offsets[k]!;
    check.skip(0);
  }
  if (walk.fault !== null && walk.fault.tick >= began) walk.fault = null;
  plan.count = spans;
  plan.groups.length = groups;
  walk.scopes.length = groups;
  walk.schemaUrls.length = groups;
  walk.resources.length = resources;
}

/**
 * Reads resource group `i`'s resource and scopes, as `forEachRecord` does (its schema URL, its
 * resource, then each scope's), with `each` called after each scope group's; of the groups before `groups` only.
 */
export function resolveGroup(plan: JsonSpanPlan, i: number, each?: (group: number) => void, groups = plan.groups.length): void {
  const walk = plan.walk;
  const walked = walk.resources[i]!;
  const at = `resourceSpans[${i}]`;
  const res = resource(walked.value, string(walked.schemaUrl, `${at}.schemaUrl`), `${at}.resource`);
  const serviceName = serviceNameOf(res);
  const end = Math.min(i + 1 < walk.resources.length ? walk.resources[i + 1]!.first : plan.groups.length, groups);
  for (let g = walked.first; g < end; g++) {
    const where = `${at}.scopeSpans[${g - walked.first}]`;
    const sc = scope(walk.scopes[g], string(walk.schemaUrls[g], `${where}.schemaUrl`), `${where}.scope`);
    plan.groups[g] = { resource: res, scope: sc, serviceName };
    plan.where[g] = where;
    each?.(g);
  }
}

/** At a value that is not `null`: whether it is an array (entered; false when empty); else it is passed and the fault noted, as `array` of `common.ts` names it. */
function arrayHere(s: Scanner, plan: JsonSpanPlan, where: string): boolean {
  if (s.next() === OPEN_BRACKET) return s.enterArray();
  s.skip(0);
  note(plan, malformedJson(`${where} must be an array`));
  return false;
}

function notObject(s: Scanner, plan: JsonSpanPlan, where: string): void {
  s.skip(0);
  note(plan, malformedJson(`${where} must be an object`));
}

/** Notes a fault of the envelope's shape, the first met, with what the record path reads before it. */
function note(plan: JsonSpanPlan, error: Error): void {
  const walk = plan.walk;
  if (walk.fault !== null) return;
  walk.fault = { error, tick: ++walk.tick, resources: walk.resources.length, groups: plan.groups.length, spans: plan.count };
}

/** A string, or the value parsed, for `string` of `common.ts` to read once the walk is over. */
function rawString(s: Scanner): unknown {
  return s.next() === QUOTE ? s.stringOrNull('') : s.parsed();
}

const PENDING_RESOURCE: Resource = Object.freeze({ attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
const PENDING_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: {}, droppedAttributesCount: 0, schemaUrl: '' });
