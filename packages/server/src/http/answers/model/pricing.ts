import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { EffectiveModelPrice } from './api.js';
import { LlmFields } from './span.js';

/** The answer schemas of `@spoor/model`'s pricing types, each pinned to its type. */

export const PriceOrigin = Type.Index(EffectiveModelPrice, Type.Literal('origin'));

export const EffectivePrice = EffectiveModelPrice;

export const PricedUsage = Type.Pick(
  LlmFields,
  Type.Union([
    Type.Literal('inputTokens'),
    Type.Literal('outputTokens'),
    Type.Literal('cacheReadInputTokens'),
    Type.Literal('cacheCreationInputTokens'),
    Type.Literal('reasoningTokens'),
  ]),
);
agree<Static<typeof PriceOrigin>, model.PriceOrigin>(true);
agree<Static<typeof PricedUsage>, model.PricedUsage>(true);
