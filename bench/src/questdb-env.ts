import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import {
  SCHEMA_VERSIONS,
  createLogger,
  createQuestDBClient,
  migrate,
} from '@scrapewatch/collector';

/** A QuestDB of the benchmark's own, in a temporary root removed afterwards (unless kept). */
export interface BenchQuestDB {
  readonly server: QuestDBServer;
  readonly root: string;
  close(keepRoot: boolean): Promise<void>;
}

/**
 * QuestDB's own defaults for the worker spin settings questdb/conf/server.conf lowers: appended
 * (later keys win) to measure the settings against the defaults.
 */
export const QUESTDB_DEFAULT_WORKER_SPIN: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    ['shared', 'http', 'pg', 'wal.apply', 'mat.view.refresh'].flatMap((worker) => [
      [
        `${worker}.worker.yield.threshold`,
        worker === 'wal.apply' || worker === 'mat.view.refresh' ? 1000 : 10,
      ],
      [`${worker}.worker.nap.threshold`, 7000],
      [`${worker}.worker.sleep.threshold`, 10000],
    ]),
  ),
);

export async function startBenchQuestDB(
  heap: string,
  defaultWorkers = false,
): Promise<BenchQuestDB> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-bench-questdb-'));
  const server = await startQuestDB({
    root,
    heap,
    startTimeoutMs: 120_000,
    ...(defaultWorkers ? { conf: QUESTDB_DEFAULT_WORKER_SPIN } : {}),
  });
  return {
    server,
    root,
    async close(keepRoot) {
      await server.stop();
      if (!keepRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}

interface ExecAnswer {
  dataset?: unknown[][];
  error?: string;
}

export async function execSql(
  httpUrl: string,
  query: string,
  timeoutMs = 30_000,
): Promise<unknown[][]> {
  const response = await fetch(`${httpUrl}/exec?query=${encodeURIComponent(query)}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = (await response.json()) as ExecAnswer;
  if (!response.ok || answer.error)
    throw new Error(`QuestDB: ${answer.error ?? response.status} (${query})`);
  return answer.dataset ?? [];
}

/**
 * Brings the benchmark's QuestDB to the collector's schema, up to `upToVersion`, with the
 * collector's own migration runner: the versions the collector (started first) already recorded
 * do not run again, so a version's views are never recreated after a later one dropped them. The
 * raw baselines then write to the same WAL, dedup, tier-backed tables, also when no collector runs.
 */
export async function applySchema(httpUrl: string, upToVersion = Infinity): Promise<void> {
  const client = createQuestDBClient(httpUrl, 120_000);
  try {
    await migrate(
      client,
      createLogger('silent'),
      SCHEMA_VERSIONS.filter((version) => version.version <= upToVersion),
    );
  } finally {
    client.close();
  }
}

/**
 * Rows of each scraper visible in page_navigation, polled until they reach `expected` or the
 * deadline passes (WAL tables apply commits asynchronously).
 */
export async function awaitRowCounts(
  httpUrl: string,
  expected: Readonly<Record<string, number>>,
  deadlineMs: number,
): Promise<Record<string, number>> {
  const scrapers = Object.keys(expected);
  const counts: Record<string, number> = {};
  if (scrapers.length === 0) return counts;
  const list = scrapers.map((name) => `'${name.replace(/'/g, "''")}'`).join(',');
  const until = Date.now() + deadlineMs;
  for (;;) {
    const rows = await execSql(
      httpUrl,
      `SELECT scraper, count() FROM page_navigation WHERE scraper IN (${list}) GROUP BY scraper`,
    );
    for (const name of scrapers) counts[name] = 0;
    for (const [name, count] of rows) counts[String(name)] = Number(count);
    if (scrapers.every((name) => (counts[name] ?? 0) >= (expected[name] ?? 0))) return counts;
    if (Date.now() > until) return counts;
    await sleep(500);
  }
}
