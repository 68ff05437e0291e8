import { type Static, Type } from '@sinclair/typebox';
import { agree } from '../http/answers/agree.js';
import type { DbAnswer } from '../dbthread/answer-types.js';
import { EffectiveModelPrice, PriceListResponse, RepriceResponse, UnpricedModelListResponse } from '../http/answers/model/api.js';

/**
 * The prices' answers (`price-routes.ts`): the JSON the database thread writes, sent on as it is,
 * so each schema is pinned to what its call answers.
 */

export const PriceDeletedAnswer = Type.Object(
  { deleted: Type.String({ description: 'the model id whose price was removed, lowercase' }) },
  {
    title: 'PriceDeleted',
    description: "the price set through the API is gone; the model's price is the file's or Spoor's again, if any",
    additionalProperties: false,
  },
);

agree<Static<typeof PriceListResponse>, DbAnswer<'prices.list'>>(true);
agree<Static<typeof UnpricedModelListResponse>, DbAnswer<'prices.unpriced'>>(true);
agree<Static<typeof EffectiveModelPrice>, DbAnswer<'prices.put'>>(true);
agree<Static<typeof PriceDeletedAnswer>, DbAnswer<'prices.delete'>>(true);
agree<Static<typeof RepriceResponse>, DbAnswer<'prices.reprice'>>(true);

export { EffectiveModelPrice, PriceListResponse, RepriceResponse, UnpricedModelListResponse };
