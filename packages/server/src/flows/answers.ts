import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { FLOW_EDGE_KINDS, type FlowComparison, type FlowMap, SPAN_CATEGORIES } from '@spoor/model';

/** The answer schemas of `/api/flows` and `/api/flows/compare`, each checked against its model type below. */

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Category = Type.Union(SPAN_CATEGORIES.map((c) => Type.Literal(c)));
const EdgeKind = Type.Union(FLOW_EDGE_KINDS.map((k) => Type.Literal(k)));
const TestResult = Type.Object({ test: Type.String(), pValue: nullable(Type.Number()), significant: Type.Boolean() }, { additionalProperties: false });

const STATS = {
  runs: Type.Integer(),
  spans: Type.Integer(),
  p50Ms: Type.Number(),
  p95Ms: Type.Number(),
  costUsd: nullable(Type.Number()),
  errorRate: Type.Number(),
  loop: nullable(Type.Object({ runs: Type.Integer(), maxRepeats: Type.Integer() }, { additionalProperties: false })),
  traceIds: Type.Array(Type.String()),
};
const NODE_PLACE = { id: Type.String(), parent: nullable(Type.String()), category: Category, name: Type.String(), depth: Type.Integer() };
const FlowNode = Type.Object({ ...NODE_PLACE, ...STATS }, { additionalProperties: false });
const FlowEdge = Type.Object({ kind: EdgeKind, from: Type.String(), to: Type.String(), ...STATS }, { additionalProperties: false });

export const FlowMapAnswer = Type.Object(
  { runs: Type.Integer(), truncated: Type.Boolean(), nodes: Type.Array(FlowNode), edges: Type.Array(FlowEdge) },
  { additionalProperties: false },
);

const change = <T extends TSchema>(side: T) => ({
  kind: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('both')]),
  a: nullable(side),
  b: nullable(side),
  change: Type.Object(
    { frequency: Type.Number(), p50: nullable(Type.Number()), p95: nullable(Type.Number()), errorRate: nullable(Type.Number()) },
    { additionalProperties: false },
  ),
  frequency: TestResult,
  latency: TestResult,
  errors: TestResult,
});

export const FlowComparisonAnswer = Type.Object(
  {
    by: Type.String(),
    a: Type.String(),
    b: Type.String(),
    alpha: Type.Number(),
    runs: Type.Object({ a: Type.Integer(), b: Type.Integer() }, { additionalProperties: false }),
    truncated: Type.Boolean(),
    nodes: Type.Array(Type.Object({ ...NODE_PLACE, ...change(FlowNode) }, { additionalProperties: false })),
    edges: Type.Array(Type.Object({ edgeKind: EdgeKind, from: Type.String(), to: Type.String(), ...change(FlowEdge) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** Fails to compile unless the schema's type and the model's are assignable both ways. */
type Agrees<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <A, B>(_agrees: Agrees<A, B>): void => undefined;
agree<Static<typeof FlowMapAnswer>, FlowMap>(true);
agree<Static<typeof FlowComparisonAnswer>, FlowComparison>(true);
