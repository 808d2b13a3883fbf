import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startQuestDB, type QuestDBServer } from '@scrapewatch/questdb';
import { SCHEMA_VERSIONS } from '@scrapewatch/collector';

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
 * Applies the collector's schema (every statement is idempotent), so the raw baseline writes to the
 * same WAL, dedup, view-backed table the collector writes to, also when no collector runs.
 */
export async function applySchema(httpUrl: string, upToVersion = Infinity): Promise<void> {
  for (const version of SCHEMA_VERSIONS) {
    if (version.version > upToVersion) continue;
    for (const statement of version.statements) await execSql(httpUrl, statement);
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
