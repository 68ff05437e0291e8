/**
 * Splits an expression into tokens. It never throws: what it cannot read becomes an `invalid`
 * token, and the parser reports it, when it gets there, with what it expected instead, so
 * errors come out in reading order.
 */

export type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'op' | 'invalid' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text as written (for a string, with its quotes). */
  text: string;
  /** A string's decoded content; otherwise the text. */
  value: string;
  start: number;
  end: number;
  /** Why an `invalid` token could not be read, when the lexer knows better than the parser. */
  problem?: string;
}

const IDENT_REST = /[A-Za-z0-9_.]*/y;
// A number, then any unit glued to it (`5m`, `3s`, `5%`, and typos like `5mins` for the parser to name).
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:[A-Za-z_%][A-Za-z0-9_.%]*)?/y;
const OPERATORS = ['=~', '!~', '!=', '==', '>=', '<=', '=', '>', '<'];
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',']);
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t' };

export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const push = (kind: TokenKind, end: number, value = text.slice(at, end)): void => {
    tokens.push({ kind, text: text.slice(at, end), value, start: at, end });
    at = end;
  };
  while (at < text.length) {
    const char = text[at]!;
    if (/\s/.test(char)) {
      at++;
    } else if (/[A-Za-z_]/.test(char)) {
      IDENT_REST.lastIndex = at + 1;
      IDENT_REST.exec(text);
      push('ident', IDENT_REST.lastIndex);
    } else if (/\d/.test(char) || (char === '-' && /\d/.test(text[at + 1] ?? ''))) {
      NUMBER.lastIndex = at;
      NUMBER.exec(text);
      push('number', NUMBER.lastIndex);
    } else if (char === '"' || char === "'") {
      const string = readString(text, at);
      tokens.push(string);
      if (string.kind === 'invalid') break; // the parser stops here; what follows cannot be trusted
      at = string.end;
    } else if (PUNCTUATION.has(char)) {
      push('punct', at + 1);
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, at));
      push(op === undefined ? 'invalid' : 'op', at + (op?.length ?? 1));
    }
  }
  const last = tokens.at(-1);
  const end = last?.kind === 'invalid' ? last.end : text.trimEnd().length;
  tokens.push({ kind: 'eof', text: '', value: '', start: end, end });
  return tokens;
}

function readString(text: string, start: number): Token {
  const quote = text[start]!;
  let value = '';
  for (let at = start + 1; at < text.length; at++) {
    const char = text[at]!;
    if (char === quote) return { kind: 'string', text: text.slice(start, at + 1), value, start, end: at + 1 };
    if (char !== '\\') {
      value += char;
      continue;
    }
    if (at + 1 === text.length) break;
    const escaped = ESCAPES[text[at + 1] ?? ''];
    if (escaped === undefined) {
      const problem = `unknown escape '${text.slice(at, at + 2)}' in a string; expected \\" \\' \\\\ \\n or \\t`;
      return { kind: 'invalid', text: text.slice(at, at + 2), value: '', start: at, end: Math.min(at + 2, text.length), problem };
    }
    value += escaped;
    at++;
  }
  const problem = `unterminated string; expected a closing ${quote}`;
  return { kind: 'invalid', text: text.slice(start), value: '', start, end: text.length, problem };
}
