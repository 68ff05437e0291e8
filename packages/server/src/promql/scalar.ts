/**
 * PromQL's arithmetic of number literals (`1+1`, `2 * (3 - 1) ^ 2`, `-Inf`), which the alert
 * language does not have: Grafana's "Save & test" of a Prometheus data source sends the instant
 * query `1+1` and fails the source on anything but an answer. A query of numbers alone is a
 * scalar, as in Prometheus; anything else is the alert language's (`scalarOf` gives `null`).
 */

/** Binding powers, PromQL's: `^` binds tighter than `* / %`, which bind tighter than `+ -`; `^` is right-associative. */
const POWER: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 4 };
const TOKEN = /\s*(?:(0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf|nan)|([-+*/%^()]))/iy;

/** The value of `text` when it is arithmetic of numbers only; `null` for anything else. */
export function scalarOf(text: string): number | null {
  const tokens: Array<number | string> = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (m === null) return null;
    tokens.push(m[1] === undefined ? m[2]! : literal(m[1]));
  }
  if (tokens.length === 0) return null;
  let at = 0;
  const operand = (): number | null => {
    const t = tokens[at++];
    if (typeof t === 'number') return t;
    if (t === '-' || t === '+') {
      // A sign binds looser than `^`, as in PromQL: -2^2 is -4.
      const v = binary(POWER['^']!);
      return v === null ? null : t === '-' ? -v : v;
    }
    if (t !== '(') return null;
    const v = binary(0);
    return tokens[at++] === ')' ? v : null;
  };
  const binary = (minPower: number): number | null => {
    let left = operand();
    while (left !== null && at < tokens.length) {
      const op = tokens[at];
      const power = typeof op === 'string' ? POWER[op] : undefined;
      if (power === undefined || power < minPower) break;
      at++;
      const right = binary(op === '^' ? power : power + 1);
      if (right === null) return null;
      left = apply(op as string, left, right);
    }
    return left;
  };
  const value = binary(0);
  return at === tokens.length ? value : null;
}

function literal(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  return lower.startsWith('0x') ? Number.parseInt(lower.slice(2), 16) : Number(lower);
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    default:
      return a ** b;
  }
}
