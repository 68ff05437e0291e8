import { type Static, Type } from '@sinclair/typebox';
import { agree } from './agree.js';
import type { DbAnswer } from './db.js';
import { EffectiveModelPrice, PriceListResponse, RepriceResponse, UnpricedModelListResponse } from './model/api.js';

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

agree<Static<typeof PriceListResponse>, DbAnswer<'listPrices'>>(true);
agree<Static<typeof UnpricedModelListResponse>, DbAnswer<'listUnpricedModels'>>(true);
agree<Static<typeof EffectiveModelPrice>, DbAnswer<'putPrice'>>(true);
agree<Static<typeof PriceDeletedAnswer>, DbAnswer<'deletePrice'>>(true);
agree<Static<typeof RepriceResponse>, DbAnswer<'reprice'>>(true);

export { EffectiveModelPrice, PriceListResponse, RepriceResponse, UnpricedModelListResponse };
