import { type Static, Type } from '@sinclair/typebox';
import { EXPORT_SIGNALS, EXPORT_FORMATS } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';

/** The answer schemas of `@spoor/model`'s export types, each pinned to its type. */

export const ExportSignal = literals(EXPORT_SIGNALS);

export const ExportFormat = literals(EXPORT_FORMATS);

export const ExportQuery = Type.Object(
  {
    projectId: Type.String(),
    signal: ExportSignal,
    format: ExportFormat,
    fromUs: Type.Number(),
    toUs: Type.Number(),
  },
  { additionalProperties: false },
);
agree<Static<typeof ExportSignal>, model.ExportSignal>(true);
agree<Static<typeof ExportFormat>, model.ExportFormat>(true);
agree<Static<typeof ExportQuery>, model.ExportQuery>(true);
