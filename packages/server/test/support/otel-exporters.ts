import type { HrTime } from '@opentelemetry/api';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import type { Exchange } from './recording-proxy.js';

/** One way the official OpenTelemetry JS exporters can send OTLP: over HTTP, or gRPC. */
export interface ExportVariant {
  /** For test names: `OTLP/protobuf`, `OTLP/JSON, gzip`. */
  name: string;
  /** Lowercase, for service and metric names that keep the variants apart. */
  slug: string;
  encoding: 'protobuf' | 'json';
  gzip: boolean;
  /** The Content-Type the exporter is expected to send. */
  contentType: string;
  /** `grpc`: sent to the server's OTLP/gRPC port (`grpcUrl`), not through the recording proxy. */
  transport: 'http' | 'grpc';
}

export const EXPORT_VARIANTS: readonly ExportVariant[] = [
  { name: 'OTLP/protobuf', slug: 'proto', encoding: 'protobuf', gzip: false, contentType: 'application/x-protobuf', transport: 'http' },
  { name: 'OTLP/JSON', slug: 'json', encoding: 'json', gzip: false, contentType: 'application/json', transport: 'http' },
  { name: 'OTLP/protobuf, gzip', slug: 'proto-gzip', encoding: 'protobuf', gzip: true, contentType: 'application/x-protobuf', transport: 'http' },
  { name: 'OTLP/JSON, gzip', slug: 'json-gzip', encoding: 'json', gzip: true, contentType: 'application/json', transport: 'http' },
  { name: 'OTLP/gRPC', slug: 'grpc', encoding: 'protobuf', gzip: false, contentType: 'application/grpc', transport: 'grpc' },
  { name: 'OTLP/gRPC, gzip', slug: 'grpc-gzip', encoding: 'protobuf', gzip: true, contentType: 'application/grpc', transport: 'grpc' },
];

/** One export a gRPC exporter made, with its result: the proxy cannot see gRPC, so the exporters report. */
interface GrpcExport {
  slug: string;
  path: string;
  code: ExportResultCode;
  error: string | null;
}

const grpcExports: GrpcExport[] = [];

/** Records the result of each export `exporter` makes (its own instance, not a mock). */
function recorded<T extends { export: (items: never, done: (result: ExportResult) => void) => void }>(exporter: T, variant: ExportVariant, path: string): T {
  const send = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    send(items, (result) => {
      grpcExports.push({ slug: variant.slug, path, code: result.code, error: result.error?.message ?? null });
      done(result);
    });
  return exporter;
}

/**
 * Asserts that exports to `path` happened, each in the variant's encoding, and each got a 200
 * (over gRPC: each succeeded, as its exporter reported).
 */
export function expectExportsAccepted(exchanges: Exchange[], variant: ExportVariant, path: string): void {
  if (variant.transport === 'grpc') {
    const made = grpcExports.filter((e) => e.slug === variant.slug && e.path === path);
    expect(made.length, `gRPC exports to ${path}`).toBeGreaterThan(0);
    for (const made1 of made) expect(made1).toEqual({ slug: variant.slug, path, code: ExportResultCode.SUCCESS, error: null });
    return;
  }
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

/** `baseUrl`: the server's (or proxy's) HTTP URL, or its `grpcUrl` for a gRPC variant. */
export function traceExporterFor(variant: ExportVariant, baseUrl: string): SpanExporter {
  if (variant.transport === 'grpc') return recorded(new GrpcTraceExporter({ url: baseUrl, compression: compressionOf(variant) }), variant, '/v1/traces');
  const options = { url: `${baseUrl}/v1/traces`, compression: compressionOf(variant) };
  return variant.encoding === 'protobuf' ? new ProtoTraceExporter(options) : new JsonTraceExporter(options);
}

export function logExporterFor(variant: ExportVariant, baseUrl: string): LogRecordExporter {
  if (variant.transport === 'grpc') return recorded(new GrpcLogExporter({ url: baseUrl, compression: compressionOf(variant) }), variant, '/v1/logs');
  const options = { url: `${baseUrl}/v1/logs`, compression: compressionOf(variant) };
  return variant.encoding === 'protobuf' ? new ProtoLogExporter(options) : new JsonLogExporter(options);
}

export function metricExporterFor(variant: ExportVariant, baseUrl: string, temporality: 'cumulative' | 'delta' = 'cumulative'): PushMetricExporter {
  const temporalityPreference = temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE;
  if (variant.transport === 'grpc') {
    return recorded(
      new GrpcMetricExporter({ url: baseUrl, compression: compressionOf(variant), temporalityPreference }),
      variant,
      '/v1/metrics',
    ) as unknown as PushMetricExporter;
  }
  const options = { url: `${baseUrl}/v1/metrics`, compression: compressionOf(variant), temporalityPreference };
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
