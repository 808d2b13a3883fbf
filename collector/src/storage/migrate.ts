import type { Logger } from 'pino';
import {
  DEFAULT_MIGRATION_LOCK,
  takeMigrationLock,
  type MigrationLockOptions,
} from './migration-lock';
import type { QuestDBClient } from './questdb';
import { SCHEMA_VERSIONS, type SchemaVersion } from './schema';

/**
 * Where applied versions are recorded. BYPASS WAL: a row is visible as soon as its INSERT returns,
 * so a collector starting right after another one sees its record.
 */
export const SCHEMA_TABLE = 'scrapewatch_schema';

const CREATE_SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (
  version INT,
  applied_at TIMESTAMP,
  description VARCHAR
) TIMESTAMP(applied_at) PARTITION BY YEAR BYPASS WAL`;

const ATTEMPTS = 3;

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The highest version recorded, or 0 for a fresh database. */
export async function recordedSchemaVersion(client: QuestDBClient): Promise<number> {
  const result = await client.exec(`SELECT max(version) FROM ${SCHEMA_TABLE}`);
  const value = result.dataset?.[0]?.[0];
  return typeof value === 'number' ? value : 0;
}

const ALTERED_TABLE = /^ALTER TABLE (\w+)/i;
const WAL_APPLY_DEADLINE_MS = 30_000;

/**
 * Waits until a WAL table has applied every committed transaction. `ALTER TABLE` on a WAL table
 * returns once sequenced, before the new column is visible: a view over it must wait.
 */
async function walApplied(client: QuestDBClient, table: string): Promise<void> {
  const until = Date.now() + WAL_APPLY_DEADLINE_MS;
  for (;;) {
    const result = await client.exec(
      `SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = ${sqlString(table)}`,
    );
    const row = result.dataset?.[0];
    if (!row || Number(row[0]) >= Number(row[1])) return;
    if (Date.now() > until) throw new Error(`table ${table}: WAL not applied within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function applyVersion(client: QuestDBClient, version: SchemaVersion): Promise<void> {
  for (const statement of version.statements) {
    await client.exec(statement);
    const altered = ALTERED_TABLE.exec(statement)?.[1];
    if (altered !== undefined) await walApplied(client, altered);
  }
  // The description comes from schema.ts, never from a user.
  await client.exec(
    `INSERT INTO ${SCHEMA_TABLE} VALUES (${version.version}, now(), ${sqlString(version.description)})`,
  );
}

/**
 * Applies every schema version newer than the recorded one and returns the version now in force.
 * Collectors starting together take turns through the migration lock (migration-lock.ts): the
 * first applies the versions, the others wait and find them recorded. Statements stay idempotent
 * (IF NOT EXISTS), so a migration interrupted half-way, or taken over from a dead owner, is
 * applied again from its first statement, and a version recorded twice is harmless (readers take
 * the maximum).
 */
export async function migrate(
  client: QuestDBClient,
  logger: Logger,
  versions: readonly SchemaVersion[] = SCHEMA_VERSIONS,
  lockOptions: MigrationLockOptions = DEFAULT_MIGRATION_LOCK,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.exec(CREATE_SCHEMA_TABLE);
      const latest = versions[versions.length - 1]?.version ?? 0;
      const upToDate = async (): Promise<boolean> =>
        (await recordedSchemaVersion(client)) >= latest;
      const recorded = await recordedSchemaVersion(client);
      if (recorded >= latest) return recorded;
      const lock = await takeMigrationLock(client, logger, upToDate, lockOptions);
      if (lock === undefined) return await recordedSchemaVersion(client);
      try {
        let current = await recordedSchemaVersion(client);
        for (const version of versions) {
          if (version.version <= current) continue;
          await applyVersion(client, version);
          logger.info(
            { version: version.version, description: version.description },
            'schema applied',
          );
          current = version.version;
        }
        return current;
      } finally {
        await lock.release();
      }
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      logger.debug({ err: error, attempt }, 'schema migration attempt failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
