import { parseArgs } from 'node:util';
import { type ComparedItem, type ExperimentComparison, type JsonValue, regressed, regressionsOf } from '@spoor/model';
import { callApi, serverUrl } from './api-client.js';

/** Items that got worse printed at most. */
const WORSE_SHOWN = 20;

const USAGE = 'usage: spoor experiments compare A B [--fail-on-regression] [--metric NAME] [--tolerance X] [--url URL]';

/**
 * `spoor experiments compare A B`: experiment B against A (the baseline), each an id or a name
 * (the newest of that name), through a running server's API. Prints each score's means with the
 * paired test, the items per verdict, and the items that got worse. With `--fail-on-regression`
 * exits 1 when B is worse on any score (or `--metric`'s) by more than `--tolerance`, or errored
 * on items A ran; 0 when it is as good or better.
 */
export async function experimentsCommand(args: string[], out: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'compare') throw new Error(`unknown experiments command '${sub ?? ''}': ${USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { url: { type: 'string' }, metric: { type: 'string' }, tolerance: { type: 'string' }, 'fail-on-regression': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [a, b] = positionals;
  if (a === undefined || b === undefined || positionals.length > 2) throw new Error(USAGE);
  const tolerance = values.tolerance === undefined ? 0 : Number(values.tolerance);
  if (!Number.isFinite(tolerance) || tolerance < 0 || values.tolerance?.trim() === '')
    throw new Error(`--tolerance must be a number of 0 or more, not '${values.tolerance}'`);
  const url = serverUrl(values.url);
  const comparison = (await callApi(url, 'GET', `/api/experiments/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`)) as ExperimentComparison;
  const found = regressionsOf(comparison, values.metric ?? null, tolerance);
  out(report(comparison));
  if (found.unknownMetric) out(`\nNo score named '${values.metric}' in either experiment (${comparison.scores.map((s) => s.name).join(', ') || 'none'}).\n`);
  if (!values['fail-on-regression']) return 0;
  if (!regressed(found)) {
    out(`\nNo regression: ${label(comparison.b)} is as good as ${label(comparison.a)} or better${tolerance > 0 ? ` (tolerance ${tolerance})` : ''}.\n`);
    return 0;
  }
  const why = [
    ...found.scores.map((s) => `${s.name} fell by ${fixed(-s.delta!)}`),
    ...(found.errored > 0 ? [`${found.errored} item(s) errored that ran in ${label(comparison.a)}`] : []),
    ...(found.unknownMetric ? [`no score '${values.metric}' to check`] : []),
  ];
  out(`\nRegression: ${why.join('; ')}.\n`);
  return 1;
}

const label = (e: ExperimentComparison['a']): string => `'${e.name}' (${e.id.slice(0, 8)})`;

function report(c: ExperimentComparison): string {
  const lines = [
    `A ${label(c.a)}: ${c.a.itemsDone} items, ${c.a.itemsErrored} errored`,
    `B ${label(c.b)}: ${c.b.itemsDone} items, ${c.b.itemsErrored} errored`,
    '',
  ];
  if (c.scores.length === 0) lines.push('No scores to compare.');
  for (const s of c.scores) {
    const p = s.wilcoxon === null ? 'too few pairs for a test' : `p=${s.wilcoxon.pValue.toPrecision(2)}`;
    lines.push(`${s.name}: ${fixed(s.meanA)} -> ${fixed(s.meanB)} (${signed(s.delta)}) over ${s.pairs} items, ${s.better} better, ${s.worse} worse, ${p}`);
  }
  const v = c.verdicts;
  lines.push('', `Items: ${v.better} better, ${v.worse} worse, ${v.same} same, ${v.errored} errored, ${v.fixed} fixed, ${v.missing} missing`);
  const d = c.deltas;
  lines.push(
    `Deltas: cost ${signed(d.costUsd)} USD, tokens in ${signed(d.inputTokens)}, out ${signed(d.outputTokens)}, mean latency ${signed(d.latencyMsMean)} ms`,
  );
  const worse = c.items.filter((i) => i.verdict === 'worse' || i.verdict === 'errored');
  if (worse.length > 0) {
    lines.push('', `Got worse (${worse.length}):`);
    for (const item of worse.slice(0, WORSE_SHOWN)) lines.push(`  ${itemLine(item)}`);
    if (worse.length > WORSE_SHOWN) lines.push(`  … and ${worse.length - WORSE_SHOWN} more`);
  }
  return `${lines.join('\n')}\n`;
}

function itemLine(item: ComparedItem): string {
  const why =
    item.verdict === 'errored'
      ? `errored: ${item.b?.error ?? ''}`
      : item.scores
          .filter((s) => (s.delta ?? 0) < 0)
          .map((s) => `${s.name} ${signed(s.delta)}`)
          .join(', ');
  return `${item.itemId.slice(0, 8)} ${short(item.input)}: ${why}`;
}

function short(value: JsonValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const line = text.replace(/\s+/g, ' ');
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 59)}…` : line);
}

const fixed = (n: number | null): string => (n === null ? 'n/a' : Number(n.toPrecision(4)).toString());
const signed = (n: number | null): string => (n === null ? 'n/a' : `${n > 0 ? '+' : ''}${fixed(n)}`);
