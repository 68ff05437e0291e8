import type { Attributes } from '@spoor/model';
import type { ForwardFilter } from './destinations.js';

/**
 * What a destination's `filter=` conditions mean, as pure functions: every condition must hold.
 * Values compare as text (a number or boolean attribute as it prints); `service` is `service.name`,
 * `unknown_service` when a resource has none (as Spoor names such a service everywhere).
 */

/** Whether a request of `projectId` passes the project conditions. */
export function projectPasses(filters: readonly ForwardFilter[], projectId: string): boolean {
  return filters.every((f) => f.on !== 'project' || (f.value === projectId) !== f.negate);
}

/** What keeps a resource by the resource conditions, or `undefined` when there are none (every one is kept). */
export function resourceFilterOf(filters: readonly ForwardFilter[]): ((attributes: Attributes) => boolean) | undefined {
  const conditions = filters.filter((f) => f.on === 'resource');
  if (conditions.length === 0) return undefined;
  return (attributes) => conditions.every((f) => (textOf(attributes, f.key) === f.value) !== f.negate);
}

function textOf(attributes: Attributes, key: string): string | null {
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (key === 'service.name' && (typeof value !== 'string' || value === '')) return 'unknown_service';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
