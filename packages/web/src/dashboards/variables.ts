import { intervalText, pickedValue, replaceDashboardVariables } from '@spoor/model';
import type { Variable } from './document';

/**
 * Variables fill an expression's label matchers: `$service` becomes the picked value, escaped
 * for a regular expression and then for the string it sits in (`gpt-4.1` → `gpt-4\\.1`), and All
 * (the empty value) becomes `.*`, so `service=~"$service"` matches every service. `$__interval`
 * is the window of a point: the step of a time series, the whole range of a single number.
 * The filling is the model's (`replaceDashboardVariables`, `pickedValue`), as the server's preview fills; tested in variables.test.ts.
 */

/** `expr` with every `$name`/`${name}` of `values` and `$__interval` replaced; unknown names stay as written, for the parser to name. */
export function substitute(expr: string, values: Readonly<Record<string, string>>, intervalSeconds: number): string {
  return replaceDashboardVariables(expr, (name) => {
    if (name === '__interval') return intervalText(intervalSeconds);
    const value = values[name];
    return value === undefined ? undefined : pickedValue(value);
  });
}

/** Names of the variables an expression uses, for a panel to say what it depends on. */
export function usedVariables(expr: string, variables: readonly Variable[]): string[] {
  return variables.filter((v) => new RegExp(`\\$\\{?${v.name}(?![A-Za-z0-9_])`).test(expr)).map((v) => v.name);
}
