import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { AppError } from '../errors.js';

/**
 * Reads a request body, inflating `gzip` (or `deflate`) on the fly, and stops as soon as either
 * the bytes on the wire or the inflated bytes pass `limitBytes`: a gzip bomb is cut off while
 * it inflates, never held whole in memory.
 */
export async function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const inflater = inflaterFor(request.headers['content-encoding']);
  const chunks: Buffer[] = [];
  let size = 0;
  let wireSize = 0;

  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const fail = (error: AppError): void => {
      if (settled) return;
      settled = true;
      request.unpipe();
      inflater?.destroy();
      reject(error);
    };
    const output = inflater ?? request;
    request.on('data', (chunk: Buffer) => {
      wireSize += chunk.length;
      if (wireSize > limitBytes) fail(tooLarge(limitBytes));
    });
    output.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) {
        fail(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    output.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    output.on('error', (error: Error) => {
      fail(new AppError('ERR_INGEST_MALFORMED_BODY', `cannot inflate the body: ${error.message}`, { cause: error }));
    });
    request.on('aborted', () => fail(new AppError('ERR_BAD_REQUEST', 'the client aborted the request')));
    if (inflater !== null) request.pipe(inflater);
  });
}

function inflaterFor(header: string | string[] | undefined): Transform | null {
  const encoding = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() ?? 'identity';
  if (encoding === 'identity' || encoding === '') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  throw new AppError('ERR_INGEST_UNSUPPORTED_ENCODING', `Content-Encoding '${encoding}' is not supported; use gzip or none`);
}

function tooLarge(limitBytes: number): AppError {
  return new AppError('ERR_INGEST_BODY_TOO_LARGE', `the body is larger than the limit of ${limitBytes} bytes (inflated)`);
}
