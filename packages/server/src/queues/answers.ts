import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../http/answers/agree.js';
import type { QueueService } from './service.js';

/** The answers of `/api/queues` (`routes.ts`), each pinned to the model type or to what the service answers. */

const Text = Type.String();
const MaybeText = Type.Union([Type.String(), Type.Null()]);

export const ScoreConfig = Type.Union(
  [
    Type.Object({ name: Text, description: Text, type: Type.Literal('numeric'), min: Type.Number(), max: Type.Number() }, { additionalProperties: false }),
    Type.Object({ name: Text, description: Text, type: Type.Literal('categorical'), labels: Type.Array(Text) }, { additionalProperties: false }),
    Type.Object({ name: Text, description: Text, type: Type.Literal('boolean') }, { additionalProperties: false }),
  ],
  { title: 'ScoreConfig', description: 'what a score name means: numeric with a range, categorical with labels, or boolean' },
);

const QUEUE_FIELDS = {
  name: Text,
  description: Text,
  rubric: Type.Array(ScoreConfig),
  reviewersPerItem: Type.Integer({ minimum: 1 }),
  leaseSeconds: Type.Integer({ minimum: 1 }),
  filter: MaybeText,
  sampleRate: Type.Number({ minimum: 0, maximum: 1 }),
  dataset: MaybeText,
  createdAt: Text,
};

export const ReviewQueue = Type.Object(QUEUE_FIELDS, { title: 'ReviewQueue', additionalProperties: false });

export const QueueProgress = Type.Object(
  {
    items: Type.Integer({ minimum: 0 }),
    done: Type.Integer({ minimum: 0 }),
    held: Type.Integer({ minimum: 0 }),
    reviews: Type.Integer({ minimum: 0 }),
    reviewers: Type.Array(
      Type.Object({ reviewer: Text, submitted: Type.Integer({ minimum: 0 }), skipped: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    ),
  },
  { title: 'QueueProgress', additionalProperties: false },
);

export const QueueWithProgress = Type.Object({ ...QUEUE_FIELDS, progress: QueueProgress }, { title: 'ReviewQueueWithProgress', additionalProperties: false });
export const QueueList = Type.Object({ queues: Type.Array(ReviewQueue) }, { title: 'ReviewQueueList', additionalProperties: false });

const ITEM_FIELDS = {
  itemId: Text,
  kind: Type.Union([Type.Literal('trace'), Type.Literal('span'), Type.Literal('session')]),
  traceId: MaybeText,
  spanId: MaybeText,
  sessionId: MaybeText,
  origin: Type.Union([Type.Literal('hand'), Type.Literal('list'), Type.Literal('filter')]),
  addedAt: Text,
};

export const QueueItem = Type.Object(ITEM_FIELDS, { title: 'QueueItem', additionalProperties: false });

export const ReviewScore = Type.Object({ name: Text, value: Type.Union([Type.Number(), Type.Null()]), label: MaybeText }, { additionalProperties: false });

export const ItemReview = Type.Object(
  { reviewer: Text, scores: Type.Array(ReviewScore), comment: MaybeText, time: Text },
  { title: 'ItemReview', additionalProperties: false },
);

export const QueueItems = Type.Object(
  {
    items: Type.Array(Type.Object({ ...ITEM_FIELDS, reviews: Type.Integer({ minimum: 0 }), heldBy: MaybeText }, { additionalProperties: false })),
    nextCursor: MaybeText,
  },
  { title: 'QueueItems', additionalProperties: false },
);

export const ItemWithReviews = Type.Object(
  { ...ITEM_FIELDS, reviews: Type.Array(ItemReview) },
  { title: 'QueueItemWithReviews', description: "the item; others' reviews only once the asker submitted theirs", additionalProperties: false },
);

export const TakenItem = Type.Object(
  { item: QueueItem, heldUntil: Text, reviews: Type.Array(ItemReview) },
  { title: 'TakenItem', description: 'an item held for the asker until heldUntil', additionalProperties: false },
);

export const Submitted = Type.Object(
  {
    item: QueueItem,
    reviews: Type.Array(ItemReview),
    datasetItem: Type.Union([Type.Object({ dataset: Text, version: Type.Integer(), itemId: Text }, { additionalProperties: false }), Type.Null()]),
  },
  {
    title: 'ReviewSubmitted',
    description: 'the item with every review of it (now visible), and the dataset item the corrected output became',
    additionalProperties: false,
  },
);

export const Added = Type.Object(
  { added: Type.Array(Text) },
  { title: 'QueueItemsAdded', description: 'the ids of the items added (those already in left out)', additionalProperties: false },
);

export const Agreement = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          name: Text,
          level: Type.Union([Type.Literal('nominal'), Type.Literal('interval')]),
          items: Type.Integer({ minimum: 0 }),
          alpha: Type.Union([Type.Number(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    pairs: Type.Array(
      Type.Object(
        {
          reviewers: Type.Tuple([Text, Text]),
          name: Text,
          items: Type.Integer({ minimum: 1 }),
          alpha: Type.Union([Type.Number(), Type.Null()]),
          kappa: Type.Union([Type.Number(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { title: 'QueueAgreement', additionalProperties: false },
);

agree<Static<typeof ScoreConfig>, model.ScoreConfig>(true);
agree<Static<typeof ReviewQueue>, model.ReviewQueue>(true);
agree<Static<typeof QueueProgress>, model.QueueProgress>(true);
agree<Static<typeof QueueWithProgress>, Awaited<ReturnType<QueueService['get']>>>(true);
agree<Static<typeof QueueItem>, model.QueueItem>(true);
agree<Static<typeof ItemReview>, model.ItemReview>(true);
agree<Static<typeof TakenItem>, model.TakenItem>(true);
agree<Static<typeof QueueItems>, Awaited<ReturnType<QueueService['items']>>>(true);
agree<Static<typeof ItemWithReviews>, Awaited<ReturnType<QueueService['item']>>>(true);
agree<Static<typeof Agreement>, model.QueueAgreement>(true);
agree<Static<typeof Added>, Awaited<ReturnType<QueueService['addItems']>>>(true);
