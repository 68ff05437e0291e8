import { describe, expect, it } from 'vitest';
import { schemaStatements, ttlStatements } from './schema.js';
import { TABLE_DEFS } from './schema-tables.js';

describe('ClickHouse schema statements', () => {
  it('creates plain MergeTree tables on one server', () => {
    const statements = schemaStatements({ database: 'spoor', cluster: null });
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS `spoor`');
    expect(statements).toHaveLength(1 + TABLE_DEFS.length);
    expect(statements.find((s) => s.includes('`spoor`.`spans` ('))).toMatch(
      /ENGINE = MergeTree\nPARTITION BY toDate\(toDateTime\(intDiv\(start_us, 1000000\), 'UTC'\)\)\nORDER BY \(project_id, /,
    );
    expect(statements.find((s) => s.includes('`spoor`.`api_keys` ('))).toMatch(/ENGINE = ReplacingMergeTree\(version\)/);
    expect(statements.join('\n')).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
  });

  it('creates replicated local tables on every node of a cluster, with Distributed tables of the plain names in front', () => {
    const statements = schemaStatements({ database: 'spoor', cluster: 'spoor_cluster' });
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS `spoor` ON CLUSTER `spoor_cluster`');
    expect(statements).toHaveLength(1 + 2 * TABLE_DEFS.length);
    for (const def of TABLE_DEFS) {
      const local = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS \`spoor\`.\`${def.name}_local\` ON CLUSTER \`spoor_cluster\``));
      expect(local, def.name).toContain(`ENGINE = Replicated${def.engine}('/clickhouse/tables/{shard}/spoor/${def.name}', '{replica}'`);
      const front = statements.find((s) =>
        s.startsWith(`CREATE TABLE IF NOT EXISTS \`spoor\`.\`${def.name}\` ON CLUSTER \`spoor_cluster\` AS \`spoor\`.\`${def.name}_local\``),
      );
      expect(front, def.name).toContain(`ENGINE = Distributed(\`spoor_cluster\`, \`spoor\`, \`${def.name}_local\`, ${def.shardBy})`);
    }
    expect(statements.find((s) => s.includes('`model_prices_local`'))).toContain("'{replica}', version, deleted)");
  });

  it("maps --retention to each record table's TTL by the time that ends its use, and removes it without retention", () => {
    const ttls = ttlStatements({ database: 'spoor', cluster: null }, { tracesSeconds: 7 * 86400, logsSeconds: 3 * 86400, metricsSeconds: 86400 });
    expect(ttls).toContain("ALTER TABLE `spoor`.`spans` MODIFY TTL toDateTime(intDiv(start_us, 1000000), 'UTC') + INTERVAL 604800 SECOND");
    expect(ttls).toContain("ALTER TABLE `spoor`.`trace_parts` MODIFY TTL toDateTime(intDiv(end_us, 1000000), 'UTC') + INTERVAL 604800 SECOND");
    expect(ttls).toContain("ALTER TABLE `spoor`.`logs` MODIFY TTL toDateTime(intDiv(time_us, 1000000), 'UTC') + INTERVAL 259200 SECOND");
    expect(ttls).toContain("ALTER TABLE `spoor`.`metric_points` MODIFY TTL toDateTime(intDiv(time_us, 1000000), 'UTC') + INTERVAL 86400 SECOND");
    expect(ttlStatements({ database: 'spoor', cluster: 'c' }, null)).toContain('ALTER TABLE `spoor`.`errors_local` ON CLUSTER `c` REMOVE TTL');
    // Datasets and experiments outlive the traces they were made from and made.
    for (const table of ['datasets', 'dataset_items', 'experiments', 'experiment_results']) expect(ttls.join('\n'), table).not.toContain(`\`${table}\``);
  });
});
