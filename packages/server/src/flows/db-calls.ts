import { FLOW_TRACE_PAGE, type FlowComparison, type FlowMap } from '@spoor/model';
import { jsonCall as json } from '../json.js';
import type { FlowSpanQuery, Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { compareFlows } from './compare.js';
import { foldFlows } from './fold.js';
import { flowMapOf } from './map.js';

/** The flow map's calls on the database thread (`db.flows.map(…)`): the spans read and folded there, only the map's JSON crossing. */
export const flowCalls = callGroup(({ store }: { store: Pick<Store, 'flows'> }) => ({
  map: json(async (query: FlowSpanQuery): Promise<FlowMap> => {
    const spans = await store.flows.flowSpans(query);
    return flowMapOf(foldFlows(spans, FLOW_TRACE_PAGE), spans);
  }),
  /** `query.sides` set; `by` names it in the answer. */
  compare: json(async (query: FlowSpanQuery, by: string): Promise<FlowComparison> => {
    const sides = query.sides!;
    return compareFlows(await store.flows.flowSpans(query), FLOW_TRACE_PAGE, { by, a: sides.a, b: sides.b });
  }),
}));
