// @ts-check

/**
 * Posts OTLP trace request bodies to `${baseUrl}/v1/traces`, one after another, as `contentType`
 * (`application/json` or `application/x-protobuf`), waiting out a 503's `Retry-After` as an
 * exporter does when the server's queue is full. Resolves once every body is acknowledged.
 * @param {string} baseUrl
 * @param {readonly (string | Uint8Array)[]} bodies
 * @param {string} contentType
 * @returns {Promise<void>}
 */
export async function postTraceBodies(baseUrl, bodies, contentType) {
  for (const body of bodies) {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
      const text = await response.text();
      if (response.status === 200) break;
      if (response.status !== 503 || attempt === 30) throw new Error(`POST /v1/traces answered ${response.status}: ${text.slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
    }
  }
}
