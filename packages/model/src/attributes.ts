/**
 * An attribute value as Spoor keeps it: the OTLP `AnyValue` in JSON form.
 *
 * - `string`, `boolean` and `double` values map directly.
 * - 64-bit integers are numbers when they fit in a double exactly, otherwise decimal strings.
 * - `bytes` values are base64 strings.
 * - arrays and key-value lists nest.
 * - an empty `AnyValue` is `null`.
 */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes keyed by name, in the order they arrived. */
export type Attributes = Record<string, AttributeValue>;

/** The instrumentation scope (library) that produced a record. */
export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  /**
   * The schema URL of the scope's records (OTLP `Scope{Spans,Logs,Metrics}.schema_url`), `''` for
   * none. Records stored before Spoor kept it have none; the API always gives it.
   */
  schemaUrl?: string;
}

/** A scope as the REST API returns it: its schema URL always given (`''` for none). */
export type ApiScope = Required<InstrumentationScope>;

/** The entity that produced a record (service, host, process). */
export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
  /** The schema URL of the resource (OTLP `Resource{Spans,Logs,Metrics}.schema_url`), `''` for none. */
  schemaUrl: string;
}
