import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../http/answers/agree.js';
import { SpanStats } from '../http/answers/model/analytics.js';

/** The answers of `/api/prompts` (`routes.ts`), each pinned to the model type. */

const Text = Type.String();
const MaybeNumber = Type.Union([Type.Number(), Type.Null()]);

export const SplitEntry = Type.Object(
  { version: Type.Integer({ minimum: 1 }), weight: Type.Number({ exclusiveMinimum: 0, maximum: 100 }) },
  { title: 'PromptSplitEntry', additionalProperties: false },
);
const Split = Type.Array(SplitEntry, { description: 'the versions a label points at, each with its weight (the weights sum to 100)' });

const Message = Type.Object({ role: Text, content: Text }, { additionalProperties: false });

const Config = Type.Object(
  {
    model: Type.Union([Text, Type.Null()]),
    temperature: MaybeNumber,
    maxTokens: Type.Union([Type.Integer(), Type.Null()]),
    tools: Type.Union([Type.Array(Type.Unknown()), Type.Null()]),
    responseFormat: Type.Unknown({ description: "{ type: 'json' } or { type: 'json', schema }, or null" }),
  },
  { title: 'PromptConfig', additionalProperties: false },
);

const VERSION_FIELDS = {
  name: Text,
  version: Type.Integer({ minimum: 1 }),
  type: Type.Union([Type.Literal('text'), Type.Literal('chat')]),
  prompt: Type.Union([Text, Type.Array(Message)]),
  variables: Type.Array(Text),
  config: Config,
  message: Text,
  labels: Type.Array(Text),
  createdBy: Text,
  createdAt: Text,
};

export const PromptVersion = Type.Object(VERSION_FIELDS, { title: 'PromptVersion', additionalProperties: false });
export const FetchedPrompt = Type.Object(
  {
    ...VERSION_FIELDS,
    label: Type.Union([Text, Type.Null()]),
    split: Type.Union([Split, Type.Null()]),
    compiled: Type.Union([Text, Type.Array(Message), Type.Null()], { description: 'the prompt filled with the variables asked with, else null' }),
  },
  { title: 'FetchedPrompt', description: 'a version, with the label asked for and its split (null when fetched by version)', additionalProperties: false },
);
export const VersionList = Type.Object({ versions: Type.Array(PromptVersion) }, { title: 'PromptVersionList', additionalProperties: false });

export const PromptSummary = Type.Object(
  { name: Text, latestVersion: Type.Integer({ minimum: 1 }), labels: Type.Record(Text, Split), updatedAt: Text },
  { title: 'PromptSummary', additionalProperties: false },
);
export const PromptList = Type.Object({ prompts: Type.Array(PromptSummary) }, { title: 'PromptList', additionalProperties: false });

export const LabelMove = Type.Object(
  { label: Text, from: Type.Union([Split, Type.Null()]), to: Split, by: Text, at: Text },
  { title: 'PromptLabelMove', description: 'who moved a label, when, from what to what', additionalProperties: false },
);
export const LabelHistory = Type.Object({ moves: Type.Array(LabelMove) }, { title: 'PromptLabelHistory', additionalProperties: false });

export const PromptStats = Type.Object(
  {
    name: Text,
    from: Text,
    to: Text,
    versions: Type.Array(
      Type.Composite(
        [
          SpanStats,
          Type.Object({
            version: Type.Integer({ minimum: 1 }),
            scores: Type.Array(Type.Object({ name: Text, count: Type.Integer({ minimum: 0 }), mean: MaybeNumber }, { additionalProperties: false })),
          }),
        ],
        { additionalProperties: false },
      ),
    ),
    compare: Type.Union([Text, Type.Null()], { description: 'the URL of /api/stats/compare for the two versions in production (or the two newest)' }),
  },
  { title: 'PromptStats', additionalProperties: false },
);

agree<Static<typeof SplitEntry>, model.PromptSplitEntry>(true);
agree<Static<typeof Config>, model.PromptConfig>(true);
agree<Static<typeof PromptVersion>, model.PromptVersion>(true);
agree<Static<typeof FetchedPrompt>, model.FetchedPrompt>(true);
agree<Static<typeof PromptSummary>, model.PromptSummary>(true);
agree<Static<typeof LabelMove>, model.PromptLabelMove>(true);
agree<Static<typeof PromptStats>, model.PromptStatsResponse>(true);
