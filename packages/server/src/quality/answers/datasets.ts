import { type Static, Type } from '@sinclair/typebox';
import { agree } from '../../http/answers/agree.js';
import type { DbAnswer } from '../../dbthread/answer-types.js';
import { Dataset, DatasetChangeResponse, DatasetItem, DatasetItemsResponse, DatasetListResponse } from '../../http/answers/model/dataset.js';

/**
 * The datasets' answers (`quality/dataset-routes.ts`): the JSON the database thread writes, sent on as it
 * is, so each schema is pinned to what its call answers.
 */

/** An edit answers the item as it now reads, beside the change. */
export const DatasetItemEditAnswer = Type.Composite([DatasetChangeResponse, Type.Object({ item: DatasetItem })], {
  title: 'DatasetItemEdit',
  description: 'the version the edit made, the item edited, and the item as it now reads',
  additionalProperties: false,
});

agree<Static<typeof Dataset>, DbAnswer<'datasets.create'>>(true);
agree<Static<typeof DatasetListResponse>, DbAnswer<'datasets.list'>>(true);
agree<Static<typeof Dataset>, DbAnswer<'datasets.get'>>(true);
agree<Static<typeof Dataset>, DbAnswer<'datasets.describe'>>(true);
agree<Static<typeof DatasetChangeResponse>, DbAnswer<'datasets.addItems'>>(true);
agree<Static<typeof DatasetItemsResponse>, DbAnswer<'datasets.items'>>(true);
agree<Static<typeof DatasetItemEditAnswer>, DbAnswer<'datasets.editItem'>>(true);
agree<Static<typeof DatasetChangeResponse>, DbAnswer<'datasets.deleteItem'>>(true);

export { Dataset, DatasetChangeResponse, DatasetItemsResponse, DatasetListResponse };
