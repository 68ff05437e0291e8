import type { IncomingMessage, ServerResponse } from 'node:http';
import { runtime } from '../runtime.js';

/**
 * A Node HTTP handler that answers a Prometheus scrape with the app's own metrics (every
 * counter, gauge, histogram and timer, plus the workflow metrics) in the text exposition format.
 * Mount it wherever the app serves HTTP.
 * @example
 * http.createServer(prometheusHandler()).listen(9464, '127.0.0.1');
 * app.get('/metrics', prometheusHandler()); // express
 */
export function prometheusHandler(): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const reader = runtime.prometheus;
    if (reader === undefined) {
      response.statusCode = 200;
      response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      response.end(`# spoor: metrics are off (${runtime.state === 'disabled' ? 'the SDK is disabled' : 'init() has not run, or shutdown() has'})\n`);
      return;
    }
    reader.getMetricsRequestHandler(request, response);
  };
}
