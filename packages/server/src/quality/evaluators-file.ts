import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { AppError } from '../errors.js';
import { type AnyKind, resolveSpec } from './spec.js';

/** Why an evaluators file cannot be used, and where: `path:line:column: reason`. */
export class EvaluatorsFileError extends Error {
  override name = 'EvaluatorsFileError';
}

/**
 * Reads an `--evaluators` file: YAML with one key, `evaluators`, a list of specs as the API takes
 * them. The whole file is checked before any of it is used (a spec the API would refuse is an
 * error at its line, naming the field), so a server never starts with half a file.
 *
 * ```yaml
 * evaluators:
 *   - { name: polite, kind: contains, target: llm, text: please }
 *   - { name: fast, kind: latency, target: trace, maxMs: 2000, filter: service=api, sampleRate: 0.1 }
 * ```
 */
export function readEvaluatorsFile(text: string, path: string, kinds: ReadonlyMap<string, AnyKind>): unknown[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (offset: number, reason: string): never => {
    const { line, col } = lines.linePos(offset);
    throw new EvaluatorsFileError(`${path}:${line}:${col}: ${reason}`);
  };
  const problem = doc.errors[0];
  if (problem !== undefined) fail(problem.pos[0], problem.message.split('\n')[0]!);
  const top = doc.toJS() as unknown;
  if (top === null || top === undefined) return [];
  if (typeof top !== 'object' || Array.isArray(top) || Object.keys(top).some((k) => k !== 'evaluators'))
    fail(0, 'the file must be a mapping with one key, evaluators');
  const list = (top as { evaluators?: unknown }).evaluators ?? [];
  if (!Array.isArray(list)) fail(0, 'evaluators must be a list');
  const seen = new Set<string>();
  (list as unknown[]).forEach((spec, i) => {
    const at = (doc.getIn(['evaluators', i], true) as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
    try {
      const { name } = resolveSpec(spec, kinds, { unknownFields: 'refuse' }).spec;
      if (seen.has(name)) fail(at, `evaluators[${i}].name: '${name}' names another evaluator already`);
      seen.add(name);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      fail(at, `evaluators[${i}].${error.message.replace(/^invalid evaluator: /, '')}`);
    }
  });
  return list as unknown[];
}

export async function loadEvaluatorsFile(path: string, kinds: ReadonlyMap<string, AnyKind>): Promise<unknown[]> {
  return readEvaluatorsFile(await readFile(path, 'utf8'), path, kinds);
}
