import type { HrTime } from '@opentelemetry/api';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import type { Exchange } from './recording-proxy.js';

/** One way the official OpenTelemetry JS exporters can send OTLP/HTTP. */
export interface ExportVariant {
  /** For test names: `OTLP/protobuf`, `OTLP/JSON, gzip`. */
  name: string;
  /** Lowercase, for service and metric names that keep the variants apart. */
  slug: string;
  encoding: 'protobuf' | 'json';
  gzip: boolean;
  /** The Content-Type the exporter is expected to send. */
  contentType: string;
}

export const EXPORT_VARIANTS: readonly ExportVariant[] = [
  { name: 'OTLP/protobuf', slug: 'proto', encoding: 'protobuf', gzip: false, contentType: 'application/x-protobuf' },
  { name: 'OTLP/JSON', slug: 'json', encoding: 'json', gzip: false, contentType: 'application/json' },
  { name: 'OTLP/protobuf, gzip', slug: 'proto-gzip', encoding: 'protobuf', gzip: true, contentType: 'application/x-protobuf' },
  { name: 'OTLP/JSON, gzip', slug: 'json-gzip', encoding: 'json', gzip: true, contentType: 'application/json' },
];

/** Asserts that exports to `path` happened, each in the variant's encoding, and each got a 200. */
export function expectExportsAccepted(exchanges: Exchange[], variant: ExportVariant, path: string): void {
  const sent = exchanges.filter((e) => e.path === path);
  expect(sent.length, `requests to ${path}`).toBeGreaterThan(0);
  for (const exchange of sent) {
    expect(exchange).toEqual({
      method: 'POST',
      path,
      contentType: variant.contentType,
      contentEncoding: variant.gzip ? 'gzip' : null,
      status: 200,
    });
  }
}

function compressionOf(variant: ExportVariant): CompressionAlgorithm {
  return variant.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
}

export function traceExporterFor(variant: ExportVariant, baseUrl: string): SpanExporter {
  const options = { url: `${baseUrl}/v1/traces`, compression: compressionOf(variant) };
  return variant.encoding === 'protobuf' ? new ProtoTraceExporter(options) : new JsonTraceExporter(options);
}

export function logExporterFor(variant: ExportVariant, baseUrl: string): LogRecordExporter {
  const options = { url: `${baseUrl}/v1/logs`, compression: compressionOf(variant) };
  return variant.encoding === 'protobuf' ? new ProtoLogExporter(options) : new JsonLogExporter(options);
}

export function metricExporterFor(
  variant: ExportVariant,
  baseUrl: string,
  temporality: 'cumulative' | 'delta' = 'cumulative',
): ProtoMetricExporter | JsonMetricExporter {
  const options = {
    url: `${baseUrl}/v1/metrics`,
    compression: compressionOf(variant),
    temporalityPreference:
      temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  return variant.encoding === 'protobuf' ? new ProtoMetricExporter(options) : new JsonMetricExporter(options);
}

/**
 * An `HrTime` `offsetUs` microseconds (plus `extraNs` nanoseconds) after the whole second
 * `baseSeconds`. Times built this way have microsecond digits a millisecond clock never shows.
 */
export function hrTimeAt(baseSeconds: number, offsetUs: number, extraNs = 0): HrTime {
  return [baseSeconds + Math.floor(offsetUs / 1_000_000), (offsetUs % 1_000_000) * 1000 + extraNs];
}

/** The API's rendering of an `HrTime`: ISO-8601, UTC, cut (not rounded) to microseconds. */
export function isoOf([seconds, nanos]: HrTime): string {
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(nanos).padStart(9, '0').slice(0, 6)}Z`;
}

/** Epoch microseconds of an `HrTime`, cut to the microsecond. */
export function microsOf([seconds, nanos]: HrTime): number {
  return seconds * 1_000_000 + Math.floor(nanos / 1000);
}
