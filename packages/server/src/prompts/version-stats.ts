import type {
  CompareQuery,
  CompareResponse,
  PromptSplitEntry,
  PromptStatsResponse,
  PromptVersionScore,
  SpanFilter,
  SpanStatsQuery,
  SpanStatsResponse,
} from '@spoor/model';

/**
 * A prompt's statistics per version, from the LLM calls carrying `spoor.prompt.name` and
 * `spoor.prompt.version` (what the SDK's `withPrompt()` and `getPrompt().run()` set, and any OTel
 * emitter may): the span statistics grouped by the version attribute, and the scores' means per
 * version from the release comparison's score sides, the same queries `/api/stats/spans` and
 * `/api/stats/compare` run.
 */

/** The analytics reads it is built from. */
export interface StatsReads {
  spanStats(query: SpanStatsQuery): Promise<SpanStatsResponse>;
  compare(query: CompareQuery): Promise<CompareResponse>;
}

const VERSION = 'spoor.prompt.version';
const NAME = 'spoor.prompt.name';
/** Most versions reported, those with the most calls: a prompt edited hundreds of times is read a page of its busiest at a time. */
const MAX_VERSIONS = 50;

export async function promptStats(
  reads: StatsReads,
  projectId: string,
  name: string,
  range: { fromUs: number; toUs: number },
  production: readonly PromptSplitEntry[] | null,
): Promise<PromptStatsResponse> {
  const filter: SpanFilter = {
    projectId,
    range,
    service: null,
    spanName: null,
    text: null,
    status: null,
    minDurationMs: null,
    maxDurationMs: null,
    attributes: [{ key: NAME, value: name }],
    sessionId: null,
    model: null,
    kind: null,
    category: null,
    rootOnly: false,
  };
  const { groups } = await reads.spanStats({ filter, groupBy: { attribute: VERSION }, limit: MAX_VERSIONS });
  const byVersion = groups
    .filter((g) => g.key !== null && /^[1-9]\d{0,8}$/.test(g.key))
    .map(({ key, ...stats }) => ({ ...stats, version: Number(key), scores: [] as PromptVersionScore[] }))
    .sort((a, b) => b.version - a.version);
  // The comparison gives the scores of two sides at once: the versions are read in pairs.
  // The last of an odd count is compared with a version no call carries (0), an empty side.
  for (let i = 0; i < byVersion.length; i += 2) {
    const a = byVersion[i]!;
    const b = byVersion[i + 1];
    const compared = await reads.compare({ filter, by: { attribute: VERSION }, a: String(a.version), b: String(b?.version ?? 0), limit: 1 });
    for (const row of compared.scores) {
      if (row.a !== null) a.scores.push({ name: row.name, count: row.a.count, mean: row.a.mean });
      if (row.b !== null && b !== undefined) b.scores.push({ name: row.name, count: row.b.count, mean: row.b.mean });
    }
  }
  const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
  const pair =
    production !== null && production.length === 2
      ? production.map((s) => s.version)
      : byVersion.length >= 2
        ? [byVersion[1]!.version, byVersion[0]!.version]
        : null;
  const compare =
    pair === null
      ? null
      : `/api/stats/compare?by=${VERSION}&a=${pair[0]}&b=${pair[1]}&attr=${encodeURIComponent(`${NAME}=${name}`)}` +
        `&from=${encodeURIComponent(iso(range.fromUs))}&to=${encodeURIComponent(iso(range.toUs))}`;
  return { name, from: iso(range.fromUs), to: iso(range.toUs), versions: byVersion, compare };
}
