import { Type } from '@sinclair/typebox';

/** Every refusal of the REST API (`api/errors.ts`): `{ error: { code, message } }`. */
export const ErrorAnswer = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }),
  },
  {
    additionalProperties: false,
    title: 'Error',
    description: 'Refused: `{ error: { code, message } }`; an invalid parameter is 400 ERR_INVALID_PARAMETER naming it, a bad body 400 ERR_BAD_REQUEST',
  },
);
