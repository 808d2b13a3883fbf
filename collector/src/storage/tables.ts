import { EVENT_REGISTRY, type ColumnSpec, type KindSpec } from '@scrapewatch/protocol';

// The event tables, derived from the protocol's event registry: one table per kind, its columns
// in the registry's order. Designated timestamp `ts` = event time (recordedAt), the kind's
// partitioning and TTL, WAL, DEDUP UPSERT KEYS so a re-sent event (same event_id) is stored once. QuestDB lets a
// materialized view over a dedup table group only by dedup key columns, hence the rollup
// dimensions (scraper and domain, both functions of the event) are in the keys.

export const RAW_TTL = '7 DAYS';

export const KIND_SPECS: readonly KindSpec[] = Object.freeze(Object.values(EVENT_REGISTRY));

function columnDefinition(column: ColumnSpec): string {
  const capacity = column.type === 'SYMBOL' ? ` CAPACITY ${String(column.capacity)}` : '';
  return `${column.name} ${column.type}${capacity}`;
}

/** Dedup keys at schema version `version`: the original keys, then those made keys later. */
function dedupKeys(columns: readonly ColumnSpec[], version: number): string[] {
  return columns
    .filter(
      (column) =>
        column.dedupKey === true ||
        (column.dedupKeySince !== undefined && column.dedupKeySince <= version),
    )
    .map((column) => column.name);
}

/** The table as schema version `version` creates it: the columns the registry says it had then. */
export function createRawTableSql(spec: KindSpec, version: number = spec.since): string {
  const columns = spec.columns.filter((column) => column.since <= version);
  const designated = columns.find((column) => column.designated);
  if (designated === undefined) throw new Error(`${spec.kind} has no designated timestamp`);
  const keys = dedupKeys(columns, version);
  return `CREATE TABLE IF NOT EXISTS ${spec.table} (
${columns.map((column) => `  ${columnDefinition(column)}`).join(',\n')}
) TIMESTAMP(${designated.name}) PARTITION BY ${spec.partitionBy} TTL ${spec.ttl} WAL
DEDUP UPSERT KEYS(${keys.join(', ')})`;
}

/**
 * The statements schema version `version` runs on the event tables: it creates the tables of the
 * kinds the registry marks `since` that version, and adds to older tables the columns marked
 * `since` that version (idempotent, so a version that failed half-way can run again).
 */
export function rawTableStatements(version: number): string[] {
  const statements: string[] = [];
  for (const spec of KIND_SPECS) {
    if (spec.since === version) statements.push(createRawTableSql(spec, version));
    if (spec.since >= version) continue;
    for (const column of spec.columns) {
      if (column.since !== version) continue;
      if (column.dedupKey || column.designated)
        throw new Error(`${spec.kind}.${column.name}: a key column cannot be added later`);
      statements.push(
        `ALTER TABLE ${spec.table} ADD COLUMN IF NOT EXISTS ${columnDefinition(column)}`,
      );
    }
    // Re-stating the keys is idempotent, so a version that failed half-way can run again.
    if (spec.columns.some((column) => column.dedupKeySince === version))
      statements.push(
        `ALTER TABLE ${spec.table} DEDUP ENABLE UPSERT KEYS(${dedupKeys(spec.columns, version).join(', ')})`,
      );
  }
  return statements;
}

/** Every schema version a registry column was added in. */
export function columnVersions(): number[] {
  const versions = new Set<number>();
  for (const spec of KIND_SPECS)
    for (const column of spec.columns) {
      versions.add(column.since);
      if (column.dedupKeySince !== undefined) versions.add(column.dedupKeySince);
    }
  return [...versions].sort((a, b) => a - b);
}
