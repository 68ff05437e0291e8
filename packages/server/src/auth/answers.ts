import { type Static, Type } from '@sinclair/typebox';
import type { AuditRecord, KeyInfo } from './keys.js';
import { oneOf } from '../params/parameters.js';
import { agree } from '../http/answers/agree.js';
import { SessionInfo } from '../http/answers/model/api.js';
import { Count, Iso, Nullable } from '../http/answers/values.js';

/** The answers of keys and the audit log (`access-routes.ts`); the session's is `model/api.ts`'s `SessionInfo`. */

const ROLE = oneOf(['ingest', 'read', 'admin']);

const KEY = {
  id: Type.String({ description: 'public: 10 base62 characters' }),
  projectId: Type.String({ description: 'the project the key reads and writes, or * for all' }),
  role: ROLE,
  name: Type.String(),
  createdUs: Count,
  createdBy: Type.String({ description: 'the key id that made it; cli from the command line, user:ADDRESS a person' }),
  revokedUs: Nullable(Count),
};

export const KeyAnswer = Type.Object(KEY, {
  title: 'Key',
  additionalProperties: false,
  description: 'a key as lists show it (never its secret); times in epoch microseconds',
});

export const KeyListAnswer = Type.Object({ keys: Type.Array(KeyAnswer) }, { title: 'KeyList', additionalProperties: false });

/** A key just made: the only answer that shows the key itself. */
export const NewKeyAnswer = Type.Object(
  { ...KEY, key: Type.String({ description: 'the key: spoor_<role>_<id>_<secret>, shown this once' }) },
  { title: 'NewKey', additionalProperties: false },
);

export const AuditAnswer = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          time: Iso,
          keyId: Type.String({ description: 'who: a key id, cli, open, or user:ADDRESS' }),
          action: Type.String({ description: 'METHOD /route, or session.sign-in, session.sign-out, session.sign-in-refused' }),
          target: Type.String(),
          detail: Nullable(Type.String({ description: 'more, as JSON text' })),
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Nullable(Type.String()),
  },
  { title: 'Audit', additionalProperties: false },
);

agree<Static<typeof KeyAnswer>, KeyInfo>(true);
agree<Static<typeof NewKeyAnswer>, KeyInfo & { key: string }>(true);
agree<Static<typeof AuditAnswer>, { entries: Array<Omit<AuditRecord, 'timeUs' | 'projectId'> & { time: string }>; nextCursor: string | null }>(true);

export { SessionInfo };
