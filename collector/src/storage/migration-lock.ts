import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { QuestDBClient } from './questdb';

/**
 * One migrator at a time. Collectors that start together on one QuestDB (the cluster mode's
 * replicas, a rolling restart) would otherwise interleave versions: one still creating a view of
 * version 2 while another's version 4 has dropped it. QuestDB has no advisory locks, but creating a
 * table is atomic: of several `CREATE TABLE` of one name, exactly one succeeds. The winner's row
 * names it and carries a heartbeat; a lock whose heartbeat is older than `staleAfterMs` (its owner
 * died mid-migration) is taken over, which is safe because every version's statements are
 * idempotent.
 */
export const MIGRATION_LOCK_TABLE = 'scrapewatch_schema_lock';

export interface MigrationLockOptions {
  /** How often the owner refreshes its heartbeat. */
  readonly beatIntervalMs: number;
  /** A lock not refreshed for this long (by QuestDB's clock) is abandoned. */
  readonly staleAfterMs: number;
  /** How often a waiting collector looks again. */
  readonly pollIntervalMs: number;
}

export const DEFAULT_MIGRATION_LOCK: MigrationLockOptions = Object.freeze({
  beatIntervalMs: 5_000,
  staleAfterMs: 60_000,
  pollIntervalMs: 250,
});

export interface MigrationLock {
  readonly owner: string;
  /** Stops the heartbeat and drops the lock if this collector still holds it. Never rejects. */
  release(): Promise<void>;
}

interface Holder {
  readonly owner: string;
  /** Age of the last heartbeat, measured on QuestDB's clock (collectors' clocks may differ). */
  readonly ageMs: number;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && /table already exists/i.test(error.message);
}

function isMissingTable(error: unknown): boolean {
  return error instanceof Error && /table does not exist/i.test(error.message);
}

async function tryCreate(client: QuestDBClient, owner: string): Promise<boolean> {
  try {
    await client.exec(
      `CREATE TABLE ${MIGRATION_LOCK_TABLE} AS (SELECT cast(${sqlString(owner)} AS VARCHAR) owner, now() beat_at)`,
    );
    return true;
  } catch (error) {
    if (isAlreadyExists(error)) return false;
    throw error;
  }
}

/** The lock's holder; undefined when the table is gone or (just created) still empty. */
async function readHolder(client: QuestDBClient): Promise<Holder | undefined> {
  try {
    const result = await client.exec(`SELECT owner, beat_at, now() FROM ${MIGRATION_LOCK_TABLE}`);
    const row = result.dataset?.[0];
    if (!row) return undefined;
    const beatAtMs = Date.parse(String(row[1]));
    const nowMs = Date.parse(String(row[2]));
    return { owner: String(row[0]), ageMs: nowMs - beatAtMs };
  } catch (error) {
    if (isMissingTable(error)) return undefined;
    throw error;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the migration lock, waiting while another live collector holds it. Returns undefined,
 * without the lock, as soon as `done()` says another collector finished the work.
 */
export async function takeMigrationLock(
  client: QuestDBClient,
  logger: Logger,
  done: () => Promise<boolean>,
  options: MigrationLockOptions = DEFAULT_MIGRATION_LOCK,
): Promise<MigrationLock | undefined> {
  const owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  let emptySinceMs: number | undefined;
  let waitingLogged = false;
  for (;;) {
    if (await done()) return undefined;
    if (await tryCreate(client, owner)) break;
    const holder = await readHolder(client);
    if (holder === undefined) {
      // Created but not yet filled, or dropped since: only a long-empty table is abandoned.
      emptySinceMs ??= Date.now();
      if (Date.now() - emptySinceMs > options.staleAfterMs) {
        logger.warn({ table: MIGRATION_LOCK_TABLE }, 'empty schema migration lock; taking it over');
        await client.exec(`DROP TABLE IF EXISTS ${MIGRATION_LOCK_TABLE}`);
        emptySinceMs = undefined;
        continue;
      }
    } else {
      emptySinceMs = undefined;
      if (holder.ageMs > options.staleAfterMs) {
        logger.warn(
          { holder: holder.owner, heartbeatAgeMs: holder.ageMs },
          'schema migration lock abandoned by its owner; taking it over',
        );
        await client.exec(`DROP TABLE IF EXISTS ${MIGRATION_LOCK_TABLE}`);
        continue;
      }
      if (!waitingLogged) {
        logger.info({ holder: holder.owner }, 'another collector is migrating the schema; waiting');
        waitingLogged = true;
      }
    }
    await sleep(options.pollIntervalMs);
  }

  let beating = false;
  const beat = setInterval(() => {
    if (beating) return;
    beating = true;
    client
      .exec(`UPDATE ${MIGRATION_LOCK_TABLE} SET beat_at = now() WHERE owner = ${sqlString(owner)}`)
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'schema migration lock heartbeat failed');
      })
      .finally(() => {
        beating = false;
      });
  }, options.beatIntervalMs);
  beat.unref();

  return {
    owner,
    async release(): Promise<void> {
      clearInterval(beat);
      try {
        const holder = await readHolder(client);
        if (holder?.owner === owner) {
          await client.exec(`DROP TABLE IF EXISTS ${MIGRATION_LOCK_TABLE}`);
        }
      } catch (error) {
        // Left behind, the lock goes stale and the next migrator takes it over.
        logger.warn({ err: error }, 'could not release the schema migration lock');
      }
    },
  };
}
