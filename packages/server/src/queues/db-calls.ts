import type { ScoreRecord } from '@spoor/model';
import { ScoreService } from '../query/score-service.js';
import type { Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { QueueFilling } from './filling.js';
import { QueueService } from './service.js';

/**
 * Review queues' calls on the database thread (`db.queues.next(…)`): one service per thread, so
 * that each queue's calls run in turn there. Scores are written as the API writes them (masked,
 * their target checked), as source human.
 */
export const queueCalls = callGroup(
  ({
    store,
    maskScore,
  }: { store: Pick<Store, 'queues' | 'scores' | 'evaluators' | 'traces' | 'live' | 'runningSpans'>; maskScore: (score: ScoreRecord) => void }) => {
    const queues = new QueueService(store, new ScoreService(store, maskScore));
    const filling = new QueueFilling(store, queues);
    return {
      create: queues.create.bind(queues),
      list: queues.list.bind(queues),
      get: queues.get.bind(queues),
      delete: queues.delete.bind(queues),
      addItems: queues.addItems.bind(queues),
      addFromList: filling.fromList.bind(filling),
      items: queues.items.bind(queues),
      item: queues.item.bind(queues),
      next: queues.next.bind(queues),
      submit: queues.submit.bind(queues),
      leave: queues.leave.bind(queues),
      agreement: queues.agreement.bind(queues),
      tick: filling.tick.bind(filling),
    };
  },
);
