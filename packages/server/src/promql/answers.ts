import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { agree } from '../http/answers/agree.js';
import type { MatrixSeries, VectorSample } from './evaluate.js';

/** The answers of Prometheus's query API (`routes.ts`), in Prometheus's own format. */

const Labels = Type.Record(Type.String(), Type.String(), { description: "a series' labels" });
/** A sample: Unix seconds, and the value as text (`"NaN"`, `"+Inf"` as Prometheus writes them). */
const Sample = Type.Tuple([Type.Number(), Type.String()]);
const VectorSampleAnswer = Type.Object({ metric: Labels, value: Sample }, { additionalProperties: false });
const MatrixSeriesAnswer = Type.Object({ metric: Labels, values: Type.Array(Sample) }, { additionalProperties: false });
agree<Static<typeof VectorSampleAnswer>, VectorSample>(true);
agree<Static<typeof MatrixSeriesAnswer>, MatrixSeries>(true);

const success = <T extends TSchema>(data: T, description: string) =>
  Type.Object({ status: Type.Literal('success'), data, warnings: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false, description });

export const PromInstantAnswer = success(
  Type.Union([
    Type.Object({ resultType: Type.Literal('vector'), result: Type.Array(VectorSampleAnswer) }, { additionalProperties: false }),
    Type.Object({ resultType: Type.Literal('scalar'), result: Sample }, { additionalProperties: false }),
  ]),
  'An instant vector (each series with its value at the instant), or a scalar for a query of numbers alone',
);
export const PromMatrixAnswer = success(
  Type.Object({ resultType: Type.Literal('matrix'), result: Type.Array(MatrixSeriesAnswer) }, { additionalProperties: false }),
  'A range matrix: each series with its values at each step',
);
export const PromNamesAnswer = success(Type.Array(Type.String()), "Label names, or one label's values, sorted");
export const PromSeriesAnswer = success(Type.Array(Labels), 'The label sets the expressions give');

/** A refusal in Prometheus's format: 400 `bad_data` (the expression or a parameter), 422 `execution` (the read failed). */
export const PromErrorAnswer = Type.Object(
  { status: Type.Literal('error'), errorType: Type.String(), error: Type.String() },
  { additionalProperties: false, description: 'Refused, in Prometheus\'s format: `{ status: "error", errorType, error }`' },
);

/** The answers a route of this API declares, by status. */
export const promResponses = <T>(ok: T) => ({ 200: ok, 400: PromErrorAnswer, 422: PromErrorAnswer });
