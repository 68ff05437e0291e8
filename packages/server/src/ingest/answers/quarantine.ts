import { type Static, Type } from '@sinclair/typebox';
import type { QuarantineItem, QuarantineReplayResult } from '../quarantine-routes.js';
import { oneOf } from '../../params/parameters.js';
import { agree } from '../../http/answers/agree.js';
import { Count, Iso, Nullable } from '../../http/answers/values.js';

/** The quarantine's answers (`quarantine-routes.ts`). */

export const QuarantineItemAnswer = Type.Object(
  {
    id: Type.String(),
    signal: oneOf(['traces', 'logs', 'metrics']),
    encoding: oneOf(['protobuf', 'json'], { description: 'how the request was sent' }),
    receivedAt: Iso,
    quarantinedAt: Iso,
    bytes: Count,
    records: Nullable(Count),
    attempts: Count,
    error: Type.String(),
  },
  { title: 'QuarantineItem', additionalProperties: false },
);

export const QuarantineListAnswer = Type.Object({ entries: Type.Array(QuarantineItemAnswer) }, { title: 'QuarantineList', additionalProperties: false });

export const QuarantineReplayAnswer = Type.Object(
  {
    replayed: Count,
    records: Count,
    failed: Type.Array(Type.Object({ id: Type.String(), error: Type.String() }, { additionalProperties: false }), {
      description: 'entries that stayed, with why',
    }),
    quarantinedAgain: Count,
  },
  { title: 'QuarantineReplay', additionalProperties: false },
);

agree<Static<typeof QuarantineItemAnswer>, QuarantineItem>(true);
agree<Static<typeof QuarantineListAnswer>, { entries: QuarantineItem[] }>(true);
agree<Static<typeof QuarantineReplayAnswer>, QuarantineReplayResult>(true);
