import type { RecordExporter } from '../ports/export.js';
import { StoreError } from '../store.js';
import { readSchemaVersion } from './clickhouse-store.js';
import { ChClient } from './client.js';
import { ClickHouseSql } from './dialect.js';
import { ClickHouseRecordExport } from './record-export.js';
import { CLICKHOUSE_SCHEMA_VERSION } from './schema.js';

/**
 * A ClickHouse store opened for export alone (`spoor export --clickhouse-url`): nothing is
 * created or migrated, so a URL naming the wrong database is an error, not a new empty store.
 */
export async function openClickHouseExport(url: string): Promise<{ exporter: RecordExporter; where: string; close(): Promise<void> }> {
  const ch = await ChClient.open({ url });
  try {
    const version = await readSchemaVersion(ch);
    if (version === null)
      throw new StoreError(`there is no Spoor store in the ClickHouse database ${ch.database} at ${ch.where} (the URL's path names the database)`);
    if (version < CLICKHOUSE_SCHEMA_VERSION) {
      throw new StoreError(
        `the ClickHouse database ${ch.database} has schema version ${version}, older than this Spoor's (${CLICKHOUSE_SCHEMA_VERSION}): start \`spoor serve\` on it once to bring it up to date`,
      );
    }
  } catch (error) {
    await ch.close();
    throw error;
  }
  return { exporter: new ClickHouseRecordExport(new ClickHouseSql(ch)), where: ch.where, close: () => ch.close() };
}
