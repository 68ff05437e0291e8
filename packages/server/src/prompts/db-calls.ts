import type { Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { PromptService } from './service.js';

/** Prompts' calls on the database thread (`db.prompts.get(…)`): one service per thread, so each prompt's changes run in turn there. */
export const promptCalls = callGroup(({ store }: { store: Pick<Store, 'prompts'> }) => {
  const prompts = new PromptService(store);
  return {
    create: prompts.create.bind(prompts),
    list: prompts.list.bind(prompts),
    get: prompts.get.bind(prompts),
    versions: prompts.versions.bind(prompts),
    production: prompts.production.bind(prompts),
    setLabel: prompts.setLabel.bind(prompts),
    history: prompts.history.bind(prompts),
    delete: prompts.delete.bind(prompts),
  };
});
