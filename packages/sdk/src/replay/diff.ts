/** One difference between the recorded request and the one made now. */
export interface RequestChange {
  /** Where, e.g. `messages[1].parts[0].content` or `temperature`. */
  field: string;
  /** The recorded value as text; undefined when the field is new. */
  before: string | undefined;
  /** The value now; undefined when the field is gone. */
  after: string | undefined;
}

/** Longest excerpt of a changed text shown, in characters, around the first difference. */
const EXCERPT_LENGTH = 160;

/**
 * The fields that differ between two requests in the form the trace keeps them (masked JSON),
 * leaf by leaf, in field order: what a reader needs to see why a replayed call no longer matches.
 */
export function requestChanges(before: unknown, after: unknown): RequestChange[] {
  const old = leaves(before);
  const now = leaves(after);
  const changes: RequestChange[] = [];
  for (const [field, value] of old) {
    const current = now.get(field);
    if (current !== value) changes.push({ field, before: value, after: current });
  }
  for (const [field, value] of now) if (!old.has(field)) changes.push({ field, before: undefined, after: value });
  return changes;
}

/** The changes as indented lines: `field: "old" → "new"`, long texts cut around the difference. */
export function describeChanges(changes: readonly RequestChange[]): string {
  if (changes.length === 0) {
    return '  (the recorded messages and parameters are the same: a field the trace does not keep changed, e.g. the tools or the response format)';
  }
  return changes
    .map(({ field, before, after }) => {
      if (before === undefined) return `  ${field}: added ${excerpt(after!, 0)}`;
      if (after === undefined) return `  ${field}: removed (was ${excerpt(before, 0)})`;
      const from = commonPrefix(before, after);
      return `  ${field}: ${excerpt(before, from)} → ${excerpt(after, from)}`;
    })
    .join('\n');
}

function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => leaves(item, `${prefix}[${i}]`, out));
    if (value.length === 0) out.set(prefix, '[]');
  } else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    for (const key of keys) leaves((value as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`, out);
    if (keys.length === 0) out.set(prefix, '{}');
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Up to {@link EXCERPT_LENGTH} characters of `text`, starting a little before `from`. */
function excerpt(text: string, from: number): string {
  if (text.length <= EXCERPT_LENGTH) return text;
  const start = Math.max(0, Math.min(from - 40, text.length - EXCERPT_LENGTH));
  return `${start > 0 ? '…' : ''}${text.slice(start, start + EXCERPT_LENGTH)}${start + EXCERPT_LENGTH < text.length ? '…' : ''}`;
}
