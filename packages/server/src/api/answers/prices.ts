import { type Static, Type } from '@sinclair/typebox';
import type { PriceService } from '../../pricing/price-service.js';
import { agree } from './agree.js';

/** The prices' answers (`price-routes.ts`) that no model type names; the rest are `model/api.ts`'s. */

export const PriceDeletedAnswer = Type.Object(
  { deleted: Type.String({ description: 'the model id whose price was removed, lowercase' }) },
  { title: 'PriceDeleted', description: "the price set through the API is gone; the model's price is the file's or Spoor's again, if any", additionalProperties: false },
);

agree<Static<typeof PriceDeletedAnswer>, Awaited<ReturnType<PriceService['deletePrice']>>>(true);
