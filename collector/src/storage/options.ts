/** What the storage layer is given; config.ts fills it from the environment. */
export interface StorageOptions {
  /** QuestDB REST and ILP-over-HTTP base URL, e.g. http://127.0.0.1:9000 (SCRAPEWATCH_QUESTDB_HTTP). */
  readonly questdbHttpUrl: string;
  /** PostgreSQL wire URL for reads (SCRAPEWATCH_QUESTDB_PG). */
  readonly questdbPgUrl: string;
  /** Directory of the on-disk spool (SCRAPEWATCH_SPOOL_DIR). */
  readonly spoolDir: string;
  /** Bound of the spool; past it writes are refused with SPOOL_FULL (SCRAPEWATCH_SPOOL_MAX_BYTES). */
  readonly spoolMaxBytes: number;
  /**
   * Group commit: how long an idle writer waits for other writes to share its ILP request
   * (SCRAPEWATCH_WRITE_LINGER_MS). 0 by default: batching comes from the request in flight.
   */
  readonly writeLingerMs: number;
  /**
   * Group commit: ILP requests start at least this far apart, so under load each table gets at
   * most 1000 / this transactions per second (SCRAPEWATCH_WRITE_MIN_INTERVAL_MS).
   */
  readonly writeMinIntervalMs: number;
  /**
   * Group commit: once this many rows wait, the next request leaves without waiting for the
   * interval (SCRAPEWATCH_WRITE_EAGER_ROWS).
   */
  readonly writeEagerRows: number;
  /** Group commit: most rows in one ILP request (SCRAPEWATCH_WRITE_MAX_ROWS). */
  readonly writeMaxRows: number;
  /** Group commit: most bytes in one ILP request (SCRAPEWATCH_WRITE_MAX_BYTES). */
  readonly writeMaxBytes: number;
  /** How often the spool tries to replay while QuestDB is down (SCRAPEWATCH_SPOOL_REPLAY_INTERVAL_MS). */
  readonly spoolReplayIntervalMs: number;
  /** Timeout of one ILP flush or query against QuestDB. */
  readonly questdbTimeoutMs: number;
}

export const DEFAULT_STORAGE_OPTIONS = Object.freeze({
  questdbHttpUrl: 'http://127.0.0.1:9000',
  questdbPgUrl: 'postgresql://admin:quest@127.0.0.1:8812/qdb',
  spoolDir: './.scrapewatch-spool',
  spoolMaxBytes: 1024 * 1024 * 1024,
  writeLingerMs: 0,
  writeMinIntervalMs: 100,
  writeEagerRows: 2_000,
  writeMaxRows: 20_000,
  writeMaxBytes: 8 * 1024 * 1024,
  spoolReplayIntervalMs: 1_000,
  questdbTimeoutMs: 10_000,
} satisfies StorageOptions);
