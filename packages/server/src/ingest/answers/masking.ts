import { type Static, Type } from '@sinclair/typebox';
import { DETECTOR_NAMES } from '@spoor/model';
import type { MaskingInForce } from '../masking-routes.js';
import { oneOf } from '../../params/parameters.js';
import { agree } from '../../http/answers/agree.js';
import { Nullable } from '../../http/answers/values.js';

/** A project's masking policy as `masking-routes.ts` answers it. */

const MODE = oneOf(['mask', 'hash', 'drop']);

export const MaskingPolicyAnswer = Type.Object(
  {
    detectors: Type.Optional(Type.Array(oneOf([...DETECTOR_NAMES]))),
    mode: Type.Optional(MODE),
    hashSalt: Type.Optional(Type.String()),
    rules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String(),
            pattern: Type.Optional(Type.String()),
            flags: Type.Optional(Type.String()),
            key: Type.Optional(Type.String()),
            mode: Type.Optional(MODE),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { title: 'MaskingPolicy', additionalProperties: false },
);

export const MaskingAnswer = Type.Object(
  {
    projectId: Type.String(),
    source: oneOf(['api', 'file', 'none'], { description: 'api: set through the API; file: the --mask file; none' }),
    policy: Nullable(MaskingPolicyAnswer),
  },
  { title: 'Masking', additionalProperties: false },
);

agree<Static<typeof MaskingAnswer>, MaskingInForce>(true);
