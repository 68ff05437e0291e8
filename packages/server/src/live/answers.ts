import { Type } from '@sinclair/typebox';
import { contentAnswer } from '../http/content.js';
import { LiveSpansEvent, LiveTracesEvent } from '../http/answers/model/live.js';

/**
 * The live streams' answers (`live-routes.ts`): Server-Sent Events, each event's `data` one JSON
 * value. The stream is declared by its content type; the events' schemas are named here for
 * clients, as OpenAPI 3.1 has no way to attach them to a stream's items.
 */

export const TraceLiveAnswer = contentAnswer('Server-Sent Events: `ready`, then `spans` (data: LiveSpansEvent) as they are committed', {
  'text/event-stream': Type.String({ description: 'event: spans, id: a cursor to resume from (Last-Event-ID), data: a LiveSpansEvent' }),
});

export const ListLiveAnswer = contentAnswer('Server-Sent Events: `ready`, then `traces` (data: LiveTracesEvent) as the summaries change', {
  'text/event-stream': Type.String({ description: 'event: traces, id: a cursor to resume from (Last-Event-ID), data: a LiveTracesEvent' }),
});

export { LiveSpansEvent, LiveTracesEvent };
