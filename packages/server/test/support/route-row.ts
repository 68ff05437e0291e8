/** What a route needs, and what another project's key gets from it. */
export interface Row {
  path: () => string;
  /** The body, for the project whose key sends it. */
  body?: (project: string) => unknown;
  need: 'read' | 'admin' | 'ingest' | 'metrics' | 'public' | 'signed-in';
  /** `not-found`: this project's id is 404 to another's key; `no-leak`: 2xx with none of this project's records; `own`: acts on the other project. */
  foreign: 'not-found' | 'no-leak' | 'own';
  /** The status the right key (and another project's) gets, when not 2xx (a replay on a server without providers, a preflight from no listed origin, a method not offered). */
  ok?: number;
}

export const read = (path: string, foreign: Row['foreign'] = 'no-leak'): Row => ({ path: () => path, need: 'read', foreign });
export const readId = (path: () => string): Row => ({ path, need: 'read', foreign: 'not-found' });
