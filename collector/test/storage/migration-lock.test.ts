import path from 'node:path';
import pino from 'pino';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { sleep } from '@scrapewatch/testkit';
import { migrate, recordedSchemaVersion } from '../../src/storage/migrate';
import {
  DEFAULT_MIGRATION_LOCK,
  MIGRATION_LOCK_TABLE,
  takeMigrationLock,
} from '../../src/storage/migration-lock';
import { createQuestDBClient, type QuestDBClient } from '../../src/storage/questdb';
import { SCHEMA_VERSION, SCHEMA_VERSIONS, type SchemaVersion } from '../../src/storage/schema';
import { silentLogger, sql, tempDir } from './helpers';

const lockExists = async (pgUrl: string): Promise<boolean> =>
  (await sql(pgUrl, `SELECT table_name FROM tables() WHERE table_name = '${MIGRATION_LOCK_TABLE}'`))
    .length > 0;

const probe = (version: number): SchemaVersion => ({
  version,
  description: `probe ${version}`,
  statements: [
    `CREATE TABLE IF NOT EXISTS lock_probe_${version} (ts TIMESTAMP, x INT) TIMESTAMP(ts) PARTITION BY DAY WAL`,
  ],
});

// Runs its own QuestDB: the first test needs a database no version was ever applied to.
describe('schema migration lock: one migrator at a time on one QuestDB', () => {
  const tmp = tempDir('migration-lock');
  let server: QuestDBServer;
  const clients: QuestDBClient[] = [];
  const client = (): QuestDBClient => {
    const c = createQuestDBClient(server.httpUrl, 10_000);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startQuestDB({ root: path.join(tmp.dir, 'questdb'), heap: '384m' });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    tmp.remove();
  });

  it('four collectors migrating a fresh database at once apply each version exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => migrate(client(), silentLogger)),
    );
    expect(results).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    // Without the lock every collector that saw version 0 applied and recorded every version.
    const recorded = await sql(
      server.pgUrl,
      'SELECT version, count() n FROM scrapewatch_schema GROUP BY version ORDER BY version',
    );
    expect(recorded.map((r) => [Number(r.version), Number(r.n)])).toEqual(
      SCHEMA_VERSIONS.map((v) => [v.version, 1]),
    );
    expect(await lockExists(server.pgUrl)).toBe(false);
  });

  it('waits while a live collector holds the lock, then finds its versions recorded', async () => {
    const holderClient = client();
    const next = SCHEMA_VERSION + 1;
    const versions = [...SCHEMA_VERSIONS, probe(next)];
    const lock = await takeMigrationLock(holderClient, silentLogger, async () => false, {
      ...DEFAULT_MIGRATION_LOCK,
      beatIntervalMs: 200,
    });
    expect(lock).toBeDefined();
    let settled = false;
    const waiting = migrate(client(), silentLogger, versions, {
      ...DEFAULT_MIGRATION_LOCK,
      staleAfterMs: 5_000,
      pollIntervalMs: 50,
    }).finally(() => {
      settled = true;
    });
    // Three stale periods' worth of the owner's heartbeats: the waiter must not take over.
    await sleep(2_000);
    expect(settled).toBe(false);
    expect(await recordedSchemaVersion(holderClient)).toBe(SCHEMA_VERSION);
    await lock?.release();
    expect(await waiting).toBe(next);
    const rows = await sql(
      server.pgUrl,
      `SELECT count() n FROM scrapewatch_schema WHERE version = ${next}`,
    );
    expect(Number(rows[0]?.n)).toBe(1);
    expect(await lockExists(server.pgUrl)).toBe(false);
  });

  it('takes over a lock whose owner stopped beating, and says so', async () => {
    const c = client();
    await c.exec(
      `CREATE TABLE ${MIGRATION_LOCK_TABLE} AS (SELECT cast('dead-host/1/0' AS VARCHAR) owner, dateadd('m', -5, now()) beat_at)`,
    );
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const next = SCHEMA_VERSION + 2;
    const versions = [...SCHEMA_VERSIONS, probe(SCHEMA_VERSION + 1), probe(next)];
    expect(await migrate(c, logger, versions)).toBe(next);
    const takeover = lines.find((l) => String(l.msg).includes('abandoned'));
    expect(takeover).toMatchObject({ holder: 'dead-host/1/0' });
    expect(Number(takeover?.heartbeatAgeMs)).toBeGreaterThanOrEqual(5 * 60_000);
    expect(await lockExists(server.pgUrl)).toBe(false);
  });
});
