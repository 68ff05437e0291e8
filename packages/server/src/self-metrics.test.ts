import { describe, expect, it } from 'vitest';
import { STORE_COMMIT_SECONDS_BUCKETS, SelfMetrics, createIngestMetrics } from './self-metrics.js';

describe('SelfMetrics', () => {
  it('renders counters by label set, each family once with HELP and TYPE', () => {
    const registry = new SelfMetrics();
    const ingest = createIngestMetrics(registry);
    ingest.accepted({ signal: 'traces' }, 3);
    ingest.accepted({ signal: 'traces' });
    ingest.rejected({ signal: 'logs', reason: 'too_large' });
    expect(registry.render()).toBe(
      [
        '# HELP spoor_ingest_records_accepted_total Records accepted (durably spooled, then committed to the store), by signal.',
        '# TYPE spoor_ingest_records_accepted_total counter',
        'spoor_ingest_records_accepted_total{signal="traces"} 4',
        '# HELP spoor_ingest_records_rejected_total Records dropped at ingest, by signal and reason (invalid, duplicate, malformed, too_large, queue_full, store_error).',
        '# TYPE spoor_ingest_records_rejected_total counter',
        'spoor_ingest_records_rejected_total{signal="logs",reason="too_large"} 1',
        '# HELP spoor_ingest_requests_total OTLP export requests, by signal and HTTP status.',
        '# TYPE spoor_ingest_requests_total counter',
        '# HELP spoor_ingest_evaluations_refused_total gen_ai.evaluation.result events that could be no score (no name, neither value nor label, no target), by signal: a log record is also rejected, a span event dropped from its kept span.',
        '# TYPE spoor_ingest_evaluations_refused_total counter',
        '# HELP spoor_ingest_running_snapshots_total Running span snapshots (spans sent with no end, never counted as spans), by outcome: stored, or after_end (dropped: the span had arrived ended).',
        '# TYPE spoor_ingest_running_snapshots_total counter',
        '# HELP spoor_ingest_invalid_utf8_strings_total Protobuf strings with invalid UTF-8, by signal: each invalid sequence replaced with U+FFFD, the record kept (told in partial_success).',
        '# TYPE spoor_ingest_invalid_utf8_strings_total counter',
        '',
      ].join('\n'),
    );
  });

  it('reads a gauge when rendered', () => {
    const registry = new SelfMetrics();
    let depth = 1;
    registry.gauge('spoor_ingest_queue_records', 'Queued records.', () => depth);
    depth = 7;
    expect(registry.render()).toContain('# TYPE spoor_ingest_queue_records gauge\nspoor_ingest_queue_records 7\n');
  });

  it('renders a histogram with cumulative buckets, sum and count, per label set', () => {
    const registry = new SelfMetrics();
    const commit = registry.histogram('spoor_store_commit_duration_seconds', 'Store commit latency.', STORE_COMMIT_SECONDS_BUCKETS);
    commit(0.004);
    commit(0.2);
    commit(30);
    commit(0.02, { signal: 'logs' });
    const text = registry.render();
    expect(text).toContain('# TYPE spoor_store_commit_duration_seconds histogram\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{le="0.001"} 0\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{le="0.005"} 1\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{le="0.25"} 2\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{le="10"} 2\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_sum 30.204\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_count 3\n');
    expect(text).toContain('spoor_store_commit_duration_seconds_bucket{signal="logs",le="0.025"} 1\n');
    expect(text.match(/# TYPE spoor_store_commit_duration_seconds /g)).toHaveLength(1);
  });

  it('escapes label values', () => {
    const registry = new SelfMetrics();
    registry.counter('x_total', 'X.')({ reason: 'a"b\\c\nd' });
    expect(registry.render()).toContain('x_total{reason="a\\"b\\\\c\\nd"} 1\n');
  });

  it('refuses an invalid name, and one name registered as two types', () => {
    const registry = new SelfMetrics();
    expect(() => registry.counter('bad-name', 'X.')).toThrow(/metric name/);
    registry.counter('x_total', 'X.');
    expect(() => registry.gauge('x_total', 'X.', () => 1)).toThrow(/already registered as a counter/);
  });
});
