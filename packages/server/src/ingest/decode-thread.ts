import { parentPort, workerData } from 'node:worker_threads';
import type { ModelPrice, PriceTable } from '@spoor/model';
import { isAppError } from '../errors.js';
import { buffersOf } from '../store/columns.js';
import { DecodeCore, type DecodeRequest, type DecodeResult, type MaskFile } from './decoder.js';
import type { MaskingPolicy } from './masking.js';

/** Messages between the HTTP thread and its decode thread. */
export type ToDecodeThread =
  | { type: 'decode'; id: number; request: DecodeRequest }
  | { type: 'settle'; ticket: number; accepted: boolean }
  | { type: 'prices'; projectId: string; models: ModelPrice[] }
  | { type: 'remember'; spans: Array<{ projectId: string; traceId: string; spanId: string }> }
  | { type: 'masking'; projectId: string; policy: MaskingPolicy | null }
  | { type: 'spanMetrics'; id: number };

export type FromDecodeThread =
  | { type: 'decoded'; id: number; result: DecodeResult }
  | { type: 'failed'; id: number; error: { name: string; message: string; code?: string; retryAfterSeconds?: number | null } }
  | { type: 'spanMetrics'; id: number; text: string };

/**
 * The decode thread: decodes, checks, normalizes and prices request bodies into write batches
 * (see `DecodeCore`), so the HTTP thread only reads bodies, spools them and answers. The body and
 * the batch's typed arrays travel both ways without a copy.
 */
const port = parentPort!;
const data = workerData as { prices: PriceTable | null; maskFile: MaskFile | null };
const core = new DecodeCore(data.prices, data.maskFile);
const send = (message: FromDecodeThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

port.on('message', (message: ToDecodeThread) => {
  switch (message.type) {
    case 'decode': {
      let result: DecodeResult;
      try {
        result = core.decode(message.request);
      } catch (error) {
        const e = error as Error;
        send({ type: 'failed', id: message.id, error: { name: e.name, message: e.message, code: isAppError(e) ? e.code : undefined, retryAfterSeconds: isAppError(e) ? e.retryAfterSeconds : null } });
        return;
      }
      send({ type: 'decoded', id: message.id, result }, [...buffersOf(result.batch.tables), result.body.buffer as ArrayBuffer]);
      break;
    }
    case 'settle':
      core.settle(message.ticket, message.accepted);
      break;
    case 'prices':
      core.setPrices(message.projectId, message.models);
      break;
    case 'remember':
      core.remember(message.spans);
      break;
    case 'masking':
      core.setMasking(message.projectId, message.policy);
      break;
    case 'spanMetrics':
      send({ type: 'spanMetrics', id: message.id, text: core.metrics.render() + core.maskedMetrics() });
      break;
  }
});
