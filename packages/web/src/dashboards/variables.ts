import type { Variable } from './document';

/**
 * Variables fill an expression's label matchers: `$service` becomes the picked value, escaped
 * for a regular expression and then for the string it sits in (`gpt-4.1` → `gpt-4\\.1`), and All
 * (the empty value) becomes `.*`, so `service=~"$service"` matches every service. `$__interval`
 * is the window of a point: the step of a time series, the whole range of a single number.
 * Pure; tested in variables.test.ts.
 */

// Only the characters that are special outside a class: `\-` or `\/` would be refused under the `u` flag.
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** A value as a regular expression matching exactly it. */
export function regexEscape(value: string): string {
  return value.replace(REGEX_SPECIAL, '\\$&');
}

/** Text as it is written inside a quoted string of the alert language. */
function stringEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'");
}

/** A window in the language's units: whole seconds, at least one. */
export function windowText(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

/** `expr` with every `$name`/`${name}` of `values` and `$__interval` replaced; unknown names stay as written, for the parser to name. */
export function substitute(expr: string, values: Readonly<Record<string, string>>, intervalSeconds: number): string {
  return expr.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    if (name === '__interval') return windowText(intervalSeconds);
    const value = values[name];
    if (value === undefined) return whole;
    return value === '' ? '.*' : stringEscape(regexEscape(value));
  });
}

/** Names of the variables an expression uses, for a panel to say what it depends on. */
export function usedVariables(expr: string, variables: readonly Variable[]): string[] {
  return variables.filter((v) => new RegExp(`\\$\\{?${v.name}(?![A-Za-z0-9_])`).test(expr)).map((v) => v.name);
}
