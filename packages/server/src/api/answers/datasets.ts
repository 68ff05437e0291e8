import { type Static, Type } from '@sinclair/typebox';
import type { DatasetService } from '../../quality/dataset-service.js';
import { agree } from './agree.js';
import { DatasetChangeResponse, DatasetItem } from './model/dataset.js';

/** The datasets' answers (`dataset-routes.ts`) that no model type names; the rest are `model/dataset.ts`'s. */

/** An edit answers the item as it now reads, beside the change. */
export const DatasetItemEditAnswer = Type.Composite([DatasetChangeResponse, Type.Object({ item: DatasetItem })], {
  title: 'DatasetItemEdit',
  description: 'the version the edit made, the item edited, and the item as it now reads',
  additionalProperties: false,
});

agree<Static<typeof DatasetItemEditAnswer>, Awaited<ReturnType<DatasetService['editItem']>>>(true);
