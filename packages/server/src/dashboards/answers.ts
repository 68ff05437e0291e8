import { type Static, Type } from '@sinclair/typebox';
import { DASHBOARD_PANEL_KINDS, DASHBOARD_UNITS } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../http/answers/agree.js';
import { literals } from '../http/content.js';

/** The answers of `/api/dashboards` (`routes.ts`), each pinned to the model type. */

const Text = Type.String();

const Variable = Type.Object({ name: Text, label: Text, default: Type.Optional(Text) }, { title: 'DashboardVariable', additionalProperties: false });
const Query = Type.Object({ expr: Text, legend: Type.Optional(Text) }, { title: 'DashboardQuery', additionalProperties: false });
const Grid = Type.Object(
  { x: Type.Integer({ minimum: 0 }), y: Type.Integer({ minimum: 0 }), w: Type.Integer({ minimum: 1 }), h: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
const Panel = Type.Object(
  { id: Text, title: Text, kind: literals(DASHBOARD_PANEL_KINDS), grid: Grid, queries: Type.Array(Query), unit: Type.Optional(literals(DASHBOARD_UNITS)) },
  { title: 'DashboardPanel', additionalProperties: false },
);

export const Dashboard = Type.Object(
  {
    name: Text,
    title: Text,
    description: Type.Optional(Text),
    variables: Type.Array(Variable),
    panels: Type.Array(Panel),
    version: Type.Integer({ minimum: 0, description: 'the saved version; 0 for a ready dashboard none was saved over' }),
    ready: Type.Boolean({ description: 'one Spoor ships, until a dashboard of its name is saved' }),
    updatedAt: Text,
    updatedBy: Type.Union([Text, Type.Null()], { description: 'the key or person who saved it' }),
  },
  { title: 'Dashboard', additionalProperties: false },
);

const Summary = Type.Object(
  {
    name: Text,
    title: Text,
    description: Type.Optional(Text),
    ready: Type.Boolean(),
    version: Type.Integer({ minimum: 0 }),
    panels: Type.Integer({ minimum: 0 }),
    updatedAt: Text,
  },
  { title: 'DashboardSummary', additionalProperties: false },
);
export const DashboardList = Type.Object({ dashboards: Type.Array(Summary) }, { additionalProperties: false });

const Version = Type.Object(
  { version: Type.Integer({ minimum: 1 }), createdAt: Text, author: Type.Union([Text, Type.Null()]) },
  { additionalProperties: false },
);
export const DashboardVersions = Type.Object({ versions: Type.Array(Version) }, { additionalProperties: false });

const Sample = Type.Tuple([Type.Number(), Type.String()], { description: 'Unix seconds, and the value as Prometheus writes it' });
const Series = Type.Object({ metric: Type.Record(Text, Text), values: Type.Array(Sample) }, { additionalProperties: false });
/** A panel's queries read over a range, each as `query_range`'s matrix. */
export const DashboardPreview = Type.Object(
  {
    queries: Type.Array(
      Type.Object(
        { expr: Type.String({ description: 'the expression as evaluated, variables filled' }), legend: Type.Optional(Text), result: Type.Array(Series) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

agree<Static<typeof Dashboard>, model.Dashboard>(true);
agree<Static<typeof Summary>, model.DashboardSummary>(true);
agree<Static<typeof Version>, model.DashboardVersion>(true);
