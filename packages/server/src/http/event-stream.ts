/** The headers of a Server-Sent Events answer (a HEAD request gets them alone). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // A proxy that buffers answers (nginx) would hold the events back.
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
  // The connection is the stream's alone: when it ends (a shutdown), nothing keeps the socket open.
  connection: 'close',
};

/** One event as it goes on the wire; `data` is one line of JSON (JSON.stringify writes no newline). */
export const sseText = (name: string, id: string, data: string): string => `event: ${name}\nid: ${id}\ndata: ${data}\n\n`;
