/**
 * Spoor's own events as OTLP/JSON log records, sent back in through ingest (`ingest/resubmit.ts`)
 * so that they are stored, searched and alerted on as any app's logs are: service `spoor`, scope
 * `spoor`, the event's name in `event_name` and its fields as attributes.
 */
export interface OwnEvent {
  /** `spoor.evaluator.paused`, ... */
  name: string;
  severity: 'info' | 'warn' | 'error';
  body: string;
  attributes: Record<string, string>;
  timeUs: number;
}

/** OTLP's severity numbers (INFO, WARN, ERROR). */
const SEVERITY_NUMBERS = { info: 9, warn: 13, error: 17 } as const;

/** An OTLP/JSON `ExportLogsServiceRequest` body holding the event. */
export function ownEventBody(event: OwnEvent): Uint8Array {
  const text = (value: string) => ({ stringValue: value });
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: text('spoor') }] },
        scopeLogs: [
          {
            scope: { name: 'spoor' },
            logRecords: [
              {
                timeUnixNano: `${event.timeUs}000`,
                observedTimeUnixNano: `${event.timeUs}000`,
                severityNumber: SEVERITY_NUMBERS[event.severity],
                severityText: event.severity.toUpperCase(),
                eventName: event.name,
                body: text(event.body),
                attributes: [
                  { key: 'event.name', value: text(event.name) },
                  ...Object.entries(event.attributes).map(([key, value]) => ({ key, value: text(value) })),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  return new TextEncoder().encode(JSON.stringify(request));
}
