import { Client, types } from 'pg';
import { createLogger, createQuestDBClient, migrate } from '@scrapewatch/collector';
import { pollUntil } from '@scrapewatch/testkit';

/**
 * Brings the shared test QuestDB to the current schema with the collector's own migration runner:
 * only the versions not yet recorded in `scrapewatch_schema` run, and each is recorded. Running
 * every version again on a migrated database would recreate the views a later version dropped
 * (and drop them again) under the other test files' writes. Another test file migrating at the
 * same moment makes a statement fail now and then; the whole migration is then tried again.
 */
export async function applySchema(httpUrl: string): Promise<void> {
  const client = createQuestDBClient(httpUrl, 60_000);
  try {
    await pollUntil(
      'the schema migrated',
      () => migrate(client, createLogger('silent')),
      () => true,
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  } finally {
    client.close();
  }
}

export interface ResultTable {
  readonly columns: readonly { name: string; numeric: boolean; time: boolean }[];
  readonly rows: readonly Record<string, unknown>[];
}

// PostgreSQL type OIDs the QuestDB plugin turns into numeric and time fields.
const NUMERIC_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const TIME_OIDS = new Set([1082, 1114, 1184]);

/**
 * Runs SQL over the PostgreSQL wire protocol, as the QuestDB data source does; numbers come
 * back as numbers (int8 included), timestamps as Date.
 */
export async function query(pgUrl: string, sql: string): Promise<ResultTable> {
  const client = new Client({
    connectionString: pgUrl,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === 20 ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text'),
    },
  });
  await client.connect();
  try {
    const result = await client.query(sql);
    return {
      columns: result.fields.map((f) => ({
        name: f.name,
        numeric: NUMERIC_OIDS.has(f.dataTypeID),
        time: TIME_OIDS.has(f.dataTypeID),
      })),
      rows: result.rows as Record<string, unknown>[],
    };
  } finally {
    await client.end();
  }
}

export function micros(ms: number): string {
  return `cast(${Math.trunc(ms) * 1000} as timestamp)`;
}

/** SQL literal for a seeded value. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}

/**
 * Waits until `sql` (a query of one row with a column `n`, over PostgreSQL as the dashboards read)
 * answers `expected`: seeded rows reach the raw tables and the tiers asynchronously.
 */
export async function waitForCount(
  pgUrl: string,
  what: string,
  sql: string,
  expected: number,
): Promise<void> {
  await pollUntil(
    `${expected} ${what}`,
    async () => Number((await query(pgUrl, sql)).rows[0]?.['n'] ?? 0),
    (seen) => seen === expected,
    60_000,
  );
}
