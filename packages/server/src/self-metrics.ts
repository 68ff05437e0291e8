/**
 * Spoor's own counters, exposed on `/metrics` in the Prometheus text format. Every record the
 * server drops is counted here, by signal and reason.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

export class SelfMetrics {
  private readonly families = new Map<string, Family>();
  private readonly gauges = new Map<string, () => number>();

  counter(name: string, help: string): (labels: Labels, by?: number) => void {
    const family = this.family(name, help, 'counter');
    return (labels, by = 1) => {
      const key = labelText(labels);
      family.values.set(key, (family.values.get(key) ?? 0) + by);
    };
  }

  /** A gauge read when `/metrics` is scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.family(name, help, 'gauge');
    this.gauges.set(name, read);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      const read = this.gauges.get(name);
      if (read !== undefined) {
        lines.push(`${name} ${read()}`);
        continue;
      }
      for (const [labels, value] of family.values) lines.push(`${name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, type: Family['type']): Family {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`,
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** The counters ingest and the pipeline report to. */
export interface IngestMetrics {
  accepted: (labels: { signal: string }, by?: number) => void;
  rejected: (labels: { signal: string; reason: string }, by?: number) => void;
  requests: (labels: { signal: string; status: string }) => void;
}

export function createIngestMetrics(registry: SelfMetrics): IngestMetrics {
  return {
    accepted: registry.counter('spoor_ingest_records_accepted_total', 'Records accepted (durably spooled, then committed to the store), by signal.'),
    rejected: registry.counter(
      'spoor_ingest_records_rejected_total',
      'Records dropped at ingest, by signal and reason (invalid, malformed, too_large, queue_full, store_error).',
    ),
    requests: registry.counter('spoor_ingest_requests_total', 'OTLP export requests, by signal and HTTP status.'),
  };
}
