import type { AccessStore } from '../store/ports/access.js';
import { callGroup } from '../threads/groups.js';

/** Keys, the audit log and the session secret on the database thread (`db.access.listKeys()`), answered as values: the main thread decides with them. */
export const accessCalls = callGroup(({ store: { access } }: { store: { readonly access: AccessStore } }) => ({
  listKeys: access.listKeys.bind(access),
  putKey: access.putKey.bind(access),
  revokeKey: access.revokeKey.bind(access),
  sessionSecret: access.sessionSecret.bind(access),
  appendAudit: access.appendAudit.bind(access),
  listAudit: access.listAudit.bind(access),
}));
