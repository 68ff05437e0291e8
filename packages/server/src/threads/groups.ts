import type { CallGroup, Calls, GroupTransfers, Protocol, Transfers } from './protocol.js';

/**
 * A feature's calls on a thread, under the feature's name: made from what the thread hands every
 * group (`deps`, of which the group names the slice it takes), with the buffers they move declared
 * beside them, checked against the calls they name.
 */
export interface Group<D, G extends CallGroup> {
  make: (deps: D) => G;
  transfers: GroupTransfers<G>;
}

/**
 * Declares a group. Annotate every parameter of its calls (`shared?: boolean`, not `shared = false`):
 * a call typed from its context defers the whole `make`, and the group's types are lost with it.
 */
export function callGroup<D, G extends CallGroup>(make: (deps: D) => G, transfers: GroupTransfers<G> = {}): Group<D, G> {
  return { make, transfers };
}

/** Groups by the name each is called under. */
type Groups<D> = { readonly [name: string]: { make: (deps: D) => CallGroup; transfers: object } };

/** The calls of `groups`, each group's made from `deps` once. */
export function callsOfGroups<D, R extends Groups<D>>(groups: R, deps: D): { [K in keyof R]: ReturnType<R[K]['make']> } {
  return Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, group.make(deps)])) as { [K in keyof R]: ReturnType<R[K]['make']> };
}

/**
 * The transfers of `groups` as their protocol's: each was checked against its group's calls
 * where it was declared, so the table assembled from them holds for the calls assembled alike.
 */
export function transfersOfGroups<P extends Protocol & { calls: Calls }>(groups: Groups<never>): Pick<Transfers<P>, 'calls' | 'answers'> {
  const of = (kind: 'calls' | 'answers') =>
    Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, (group.transfers as GroupTransfers<CallGroup>)[kind] ?? {}]));
  return { calls: of('calls'), answers: of('answers') } as Pick<Transfers<P>, 'calls' | 'answers'>;
}
