import { Double, type AttributesInput, type Nanos, type ResourceGroup, type SpanInput, type ValueInput } from './otlp-encode.js';

/**
 * The OTLP/JSON twin of `encodeTraces` (`otlp-encode.ts`): the same plain objects written as an
 * `ExportTraceServiceRequest` in the protobuf JSON mapping, as the OpenTelemetry JS exporter
 * writes it (every field, times and 64-bit integers as decimal strings, ids as lowercase hex), or
 * in the other spellings the mapping allows, to test a reader against each.
 */
export interface JsonStyle {
  /** Times and integers as bare numbers, not strings. */
  bareNumbers?: boolean;
  /** Enums by name (`SPAN_KIND_CLIENT`), not number. */
  enumNames?: boolean;
  /** Ids in upper-case hex. */
  upperIds?: boolean;
  /** Whitespace around every token (`JSON.stringify`'s indentation). */
  indent?: boolean;
  /** Leaves out fields at their zero value, as a proto3 JSON printer does. */
  omitZeros?: boolean;
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const CODES = ['UNSET', 'OK', 'ERROR'];

export function encodeTracesJson(groups: Array<ResourceGroup<SpanInput>>, style: JsonStyle = {}): Uint8Array {
  const int = (value: Nanos | number | undefined): unknown => {
    const n = value ?? 0;
    return style.bareNumbers ? RAW(String(n)) : String(n);
  };
  const id = (hex: string | undefined): string => (style.upperIds ? (hex ?? '').toUpperCase() : (hex ?? ''));
  const anyValue = (value: ValueInput): unknown => {
    if (value === null) return {};
    if (typeof value === 'string') return { stringValue: value };
    if (typeof value === 'boolean') return { boolValue: value };
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return { intValue: int(value) };
    if (typeof value === 'number') return { doubleValue: jsonDouble(value) };
    if (value instanceof Double) return { doubleValue: jsonDouble(value.value) };
    if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value).toString('base64') };
    if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
    return { kvlistValue: { values: attributes(value) } };
  };
  const attributes = (attrs: AttributesInput | undefined): unknown[] => Object.entries(attrs ?? {}).map(([key, value]) => ({ key, value: anyValue(value) }));
  const drop = (object: Record<string, unknown>): Record<string, unknown> => {
    if (!style.omitZeros) return object;
    return Object.fromEntries(
      Object.entries(object).filter(
        ([, v]) => !(v === '' || v === 0 || v === '0' || (Array.isArray(v) && v.length === 0) || (v instanceof Raw && v.text === '0')),
      ),
    );
  };
  const span = (s: SpanInput): unknown =>
    drop({
      traceId: id(s.traceId),
      spanId: id(s.spanId),
      traceState: s.traceState ?? '',
      parentSpanId: id(s.parentSpanId),
      name: s.name ?? '',
      kind: style.enumNames ? `SPAN_KIND_${KINDS[s.kind ?? 0] ?? 'UNSPECIFIED'}` : (s.kind ?? 0),
      startTimeUnixNano: int(s.startTimeUnixNano),
      endTimeUnixNano: int(s.endTimeUnixNano),
      attributes: attributes(s.attributes),
      droppedAttributesCount: s.droppedAttributesCount ?? 0,
      events: (s.events ?? []).map((e) =>
        drop({
          timeUnixNano: int(e.timeUnixNano),
          name: e.name ?? '',
          attributes: attributes(e.attributes),
          droppedAttributesCount: e.droppedAttributesCount ?? 0,
        }),
      ),
      droppedEventsCount: s.droppedEventsCount ?? 0,
      links: (s.links ?? []).map((l) =>
        drop({
          traceId: id(l.traceId),
          spanId: id(l.spanId),
          traceState: l.traceState ?? '',
          attributes: attributes(l.attributes),
          droppedAttributesCount: l.droppedAttributesCount ?? 0,
          flags: l.flags ?? 0,
        }),
      ),
      droppedLinksCount: s.droppedLinksCount ?? 0,
      status: drop({
        code: style.enumNames ? `STATUS_CODE_${CODES[s.status?.code ?? 0] ?? 'UNSET'}` : (s.status?.code ?? 0),
        message: s.status?.message ?? '',
      }),
      flags: s.flags ?? 0,
    });
  const request = {
    resourceSpans: groups.map((group) => {
      const resource =
        group.resource === undefined
          ? undefined
          : drop({ attributes: attributes(group.resource.attributes), droppedAttributesCount: group.resource.droppedAttributesCount ?? 0 });
      const scopeSpans = group.scopes.map(({ scope, schemaUrl, items }) => ({
        ...(scope === undefined
          ? {}
          : {
              scope: drop({
                name: scope.name ?? '',
                version: scope.version ?? '',
                attributes: attributes(scope.attributes),
                droppedAttributesCount: scope.droppedAttributesCount ?? 0,
              }),
            }),
        spans: items.map(span),
        schemaUrl: schemaUrl ?? '',
      }));
      // The resource after its scopes, as `resourceLast` writes it on the wire.
      return group.resourceLast ? { scopeSpans, resource, schemaUrl: group.schemaUrl ?? '' } : { resource, scopeSpans, schemaUrl: group.schemaUrl ?? '' };
    }),
  };
  return Buffer.from(stringify(request, style.indent ? 2 : undefined));
}

/** A double as the mapping writes it: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`. */
function jsonDouble(value: number): unknown {
  return Number.isFinite(value) ? value : String(value);
}

/** Text written into the JSON as it is (a bare number too long for a double). */
class Raw {
  constructor(readonly text: string) {}
}
const RAW = (text: string): Raw => new Raw(text);

/** `JSON.stringify` with `Raw` values written as their text. */
function stringify(value: unknown, indent: number | undefined): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Raw ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v), indent);
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, n: string) => raws[Number(n)]!);
}
