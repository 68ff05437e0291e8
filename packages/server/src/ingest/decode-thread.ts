import { parentPort } from 'node:worker_threads';
import { ThreadServer, threadConfig } from '../threads/server.js';
import { DECODE_TRANSFERS, type DecodeProtocol, decodeServed } from './decode-protocol.js';
import { DecodeCore } from './decoder.js';

/**
 * The decode thread: decodes, checks, normalizes and prices request bodies into write batches
 * (see `DecodeCore`), so the HTTP thread only reads bodies, spools them and answers. The body and
 * the batch's typed arrays travel both ways without a copy.
 */
const config = threadConfig<DecodeProtocol>();
new ThreadServer<DecodeProtocol>(parentPort!, DECODE_TRANSFERS).serve(decodeServed(new DecodeCore(config.prices, config.maskFile, config.metricsMaxSeries)));
