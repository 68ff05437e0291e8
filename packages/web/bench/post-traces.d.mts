// Types of post-traces.mjs for the TypeScript tests (its JSDoc is the source; keep the two alike).

/** Posts OTLP trace request bodies to `${baseUrl}/v1/traces` one after another, waiting out a 503's `Retry-After`. */
export function postTraceBodies(baseUrl: string, bodies: readonly (string | Uint8Array)[], contentType: string): Promise<void>;
