import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ReceiverConfig } from './notification.js';
import { validateReceivers } from './notify/receivers.js';
import { BUILT_IN_DEFAULTS, RuleError, compileRule, type CompiledRule, type RuleDefaults } from './rule.js';

/** A rules file read and checked: its receivers, defaults and compiled rules. */
export interface RulesFile {
  receivers: ReceiverConfig[];
  defaults: RuleDefaults;
  rules: CompiledRule[];
}

/** Why a rules file cannot be used, and where: `path:line:column: reason`. */
export class RulesFileError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${path}:${line}:${column}: ${reason}`);
    this.name = 'RulesFileError';
  }
}

const TOP_FIELDS = ['receivers', 'defaults', 'rules'];
const DEFAULT_FIELDS = ['notify', 'groupWait', 'groupInterval', 'repeatInterval'];

/**
 * Reads a rules file's text. The whole file is checked before any of it is used, so a file with
 * one bad rule changes nothing: the caller keeps its last good rules and reports the error.
 */
export function readRulesFile(text: string, path: string): RulesFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (offset: number, reason: string): never => {
    const { line, col } = lines.linePos(offset);
    throw new RulesFileError(path, line, col, reason);
  };
  const problem = doc.errors[0];
  if (problem !== undefined) fail(problem.pos[0], problem.message.split('\n')[0]!);
  const at = (keys: ReadonlyArray<string | number>): number => offsetOf(doc, keys);
  const atKey = (keys: ReadonlyArray<string | number>): number => keyOffsetOf(doc, keys) ?? at(keys);

  const top = doc.toJS() as unknown;
  if (top === null || top === undefined) return { receivers: [], defaults: BUILT_IN_DEFAULTS, rules: [] };
  if (typeof top !== 'object' || Array.isArray(top)) fail(0, 'the file must be a mapping with receivers, defaults and rules');
  const file = top as Record<string, unknown>;
  for (const key of Object.keys(file)) if (!TOP_FIELDS.includes(key)) fail(atKey([key]), `'${key}' is not a section; expected ${TOP_FIELDS.join(', ')}`);

  let receivers: ReceiverConfig[] = [];
  try {
    receivers = validateReceivers(file['receivers']);
    // `log` needs no declaring: it is the default receiver.
    if (!receivers.some((r) => r.name === 'log')) receivers.push({ name: 'log', log: {} });
  } catch (error) {
    const index = /^receivers\[(\d+)\]/.exec((error as Error).message)?.[1];
    fail(at(index === undefined ? ['receivers'] : ['receivers', Number(index)]), (error as Error).message);
  }

  const defaults = { ...BUILT_IN_DEFAULTS };
  const given = file['defaults'];
  if (given !== undefined) {
    if (typeof given !== 'object' || given === null || Array.isArray(given)) fail(at(['defaults']), 'defaults must be a mapping');
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      if (!DEFAULT_FIELDS.includes(key)) fail(atKey(['defaults', key]), `defaults.${key} is not a default; expected ${DEFAULT_FIELDS.join(', ')}`);
      if (key === 'notify' ? !Array.isArray(value) : typeof value !== 'string')
        fail(atKey(['defaults', key]), `defaults.${key} must be ${key === 'notify' ? 'a list of receiver names' : 'a duration like 5m'}`);
    }
    Object.assign(defaults, given);
  }

  const names = new Set(receivers.map((r) => r.name));
  const list = file['rules'] ?? [];
  if (!Array.isArray(list)) fail(at(['rules']), 'rules must be a list');
  const rules: CompiledRule[] = [];
  const seen = new Set<string>();
  (list as unknown[]).forEach((spec, i) => {
    try {
      const rule = compileRule(spec, defaults, names);
      if (seen.has(rule.name)) fail(atKey(['rules', i, 'name']), `rules[${i}].name: '${rule.name}' names another rule already`);
      seen.add(rule.name);
      rules.push(rule);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      // At the field at fault (or the rule, for a missing one); an expression error at its column, past an opening quote.
      const inExpr = error.exprError !== null ? error.exprError.offset + quoteWidth(doc, ['rules', i, 'expr']) : 0;
      const field = ['rules', i, ...error.path.split('.')];
      fail((error.exprError !== null ? at(field) : atKey(field)) + inExpr, `rules[${i}].${error.message}`);
    }
  });
  return { receivers, defaults, rules };
}

/** Where the node at `keys` starts in the text, falling back to its nearest parent that exists. */
function offsetOf(doc: Document, keys: ReadonlyArray<string | number>): number {
  for (let n = keys.length; n >= 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range !== undefined) return node.range[0];
  }
  return 0;
}

/** Where the key of the entry at `keys` starts, or `null` when there is no such entry. */
function keyOffsetOf(doc: Document, keys: ReadonlyArray<string | number>): number | null {
  const parent = doc.getIn(keys.slice(0, -1), true) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
  const pair = parent?.items?.find((item) => item.key?.value === keys.at(-1));
  return pair?.key?.range?.[0] ?? null;
}

/** 1 for a quoted scalar (the quote before the text), 0 for a plain one. */
function quoteWidth(doc: Document, keys: ReadonlyArray<string | number>): number {
  const node = doc.getIn(keys, true) as { type?: string } | undefined;
  return node?.type === 'QUOTE_DOUBLE' || node?.type === 'QUOTE_SINGLE' ? 1 : 0;
}
