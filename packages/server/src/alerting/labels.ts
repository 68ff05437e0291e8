/**
 * Alert labels are plain objects whose names come from users (a rule's `by`, a silence's
 * matchers, an annotation's `{{ $labels.x }}`) and from data (`by ("some.attribute")`), so they
 * are read and written by own name only: `labels['constructor']` would find Object's
 * constructor, and `labels['__proto__'] = value` would set the object's prototype, not a label.
 */

/** A label's value, or `undefined` when the labels have no label of that name of their own. */
export function labelOf(labels: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

/** Sets a label as plain data, whatever its name. */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}
