import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type WritePath = 'direct' | 'replay';
export type FlushOutcome = 'committed' | 'unavailable' | 'rejected';
export type WriteFailure =
  'questdb_unavailable' | 'questdb_rejected' | 'spool_full' | 'spool_error';

/** The storage layer's Prometheus metrics. */
export interface StorageMetrics {
  /** One ILP request to QuestDB, its rows and how long it took. */
  ilpFlush(path: WritePath, outcome: FlushOutcome, rows: number, seconds: number): void;
  spoolAppended(records: number, rows: number): void;
  /** Rows replayed are counted by `ilpFlush('replay', ...)`. */
  spoolReplayed(records: number): void;
  writeFailure(reason: WriteFailure, rows: number): void;
}

export interface StorageMetricSources {
  /** Read at scrape time. */
  readonly spooledBytes: () => number;
}

export function createStorageMetrics(
  registry: Registry,
  sources: StorageMetricSources,
): StorageMetrics {
  const registers = [registry];
  const rowsWritten = new Counter({
    name: 'scrapewatch_storage_rows_written_total',
    help: 'Rows committed to QuestDB, by path (direct write or spool replay).',
    labelNames: ['path'] as const,
    registers,
  });
  const flushes = new Counter({
    name: 'scrapewatch_storage_ilp_flushes_total',
    help: 'ILP-over-HTTP requests to QuestDB, by path and outcome.',
    labelNames: ['path', 'outcome'] as const,
    registers,
  });
  const batchRows = new Histogram({
    name: 'scrapewatch_storage_ilp_batch_rows',
    help: 'Rows per ILP request (group commit batch size).',
    labelNames: ['path'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000],
    registers,
  });
  const writeSeconds = new Histogram({
    name: 'scrapewatch_storage_questdb_write_seconds',
    help: 'Latency of one ILP request to QuestDB, by path and outcome.',
    labelNames: ['path', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'scrapewatch_storage_spool_bytes',
    help: 'Bytes waiting in the on-disk spool for QuestDB.',
    registers,
    collect() {
      this.set(sources.spooledBytes());
    },
  });
  const spoolAppends = new Counter({
    name: 'scrapewatch_storage_spool_appends_total',
    help: 'Records (one per write call) appended and fsynced to the spool.',
    registers,
  });
  const spoolRowsIn = new Counter({
    name: 'scrapewatch_storage_spool_rows_appended_total',
    help: 'Rows appended to the spool.',
    registers,
  });
  const spoolReplays = new Counter({
    name: 'scrapewatch_storage_spool_replays_total',
    help: 'Spool records replayed into QuestDB.',
    registers,
  });
  const failures = new Counter({
    name: 'scrapewatch_storage_write_failures_total',
    help: 'Rows whose write failed a step, by reason (unavailable rows go to the spool; the rest are refused).',
    labelNames: ['reason'] as const,
    registers,
  });
  return {
    ilpFlush(path, outcome, rows, seconds) {
      flushes.inc({ path, outcome });
      writeSeconds.observe({ path, outcome }, seconds);
      if (outcome === 'committed') {
        batchRows.observe({ path }, rows);
        rowsWritten.inc({ path }, rows);
      }
    },
    spoolAppended(records, rows) {
      spoolAppends.inc(records);
      spoolRowsIn.inc(rows);
    },
    spoolReplayed(records) {
      spoolReplays.inc(records);
    },
    writeFailure(reason, rows) {
      failures.inc({ reason }, rows);
    },
  };
}
