import type { IngestIn, IngestMode, IngestOut } from '../ipc';
import { writerUse, type WriterSample, type WriterUse } from '../ingest-figures';
import { promSample } from '../prometheus';
import { watchCpu, type CpuUse } from '../proc-stat';
import { allNext, forkWorker, type WorkerHandle } from '../processes';

export interface IngestVariant {
  readonly mode: IngestMode;
  /** e.g. "raw ILP client", "collector POST /v1/metrics". */
  readonly label: string;
  /** Collector base URL (http, sdk) or QuestDB HTTP URL (ilp). */
  readonly url: string;
  /** The collector's `GET /metrics`, read before and after the run for its writer's figures. */
  readonly metricsUrl?: string;
}

export interface IngestSpec {
  readonly rows: number;
  readonly batchSize: number;
  readonly senders: number;
  readonly concurrency: number;
  /** Per variant: batches not started by then are not sent. */
  readonly maxDurationMs: number;
  /** Processes whose CPU use is recorded during each run (collector, QuestDB). */
  readonly watchPids: Readonly<Record<string, number | undefined>>;
  /** Unique per benchmark run: part of every scraper name, so runs never share rows. */
  readonly runTag: string;
}

export interface IngestRun {
  readonly mode: IngestMode;
  readonly label: string;
  readonly round: number;
  readonly scraper: string;
  readonly rows: number;
  readonly acceptedRows: number;
  readonly failedRows: number;
  /** Rows left unsent when the time cap passed: the run then measured a rate over fewer rows. */
  readonly notSentRows: number;
  readonly retries: number;
  readonly wallMs: number;
  readonly eventsPerSecond: number;
  readonly statusCounts: Record<string, number>;
  readonly errors: readonly string[];
  readonly cpu: CpuUse;
  /** Collector runs only, when its metrics could be read. */
  readonly writer?: WriterUse;
}

async function writerSample(metricsUrl: string | undefined): Promise<WriterSample | undefined> {
  if (metricsUrl === undefined) return undefined;
  try {
    const response = await fetch(metricsUrl);
    if (!response.ok) return undefined;
    const text = await response.text();
    // A histogram has no series before its first observation: nothing written yet.
    return {
      requests: promSample(text, 'scrapewatch_storage_ilp_batch_rows_count') ?? 0,
      rows: promSample(text, 'scrapewatch_storage_ilp_batch_rows_sum') ?? 0,
      seconds: promSample(text, 'scrapewatch_storage_questdb_write_seconds_sum') ?? 0,
    };
  } catch {
    return undefined;
  }
}

type Sender = WorkerHandle<IngestIn, IngestOut>;

/**
 * One variant, one round: `senders` processes each prepare their share of the rows (generated and,
 * for HTTP, serialised before the clock starts), then all start at once; throughput is the rows
 * durably acknowledged over the wall time from the start signal to the last `done`.
 */
export async function runIngest(
  variant: IngestVariant,
  spec: IngestSpec,
  round: number,
): Promise<IngestRun> {
  const scraper = `bench-ingest-${variant.mode}-${spec.runTag}-r${round}`;
  const perSender = Math.ceil(spec.rows / spec.senders);
  const senders: Sender[] = [];
  try {
    for (let i = 0; i < spec.senders; i++) {
      const rows = Math.max(0, Math.min(perSender, spec.rows - i * perSender));
      const sender = forkWorker<IngestIn, IngestOut>('ingest-sender', [variant.mode, String(i)]);
      senders.push(sender);
      sender.send({
        type: 'prepare',
        mode: variant.mode,
        url: variant.url,
        scraper,
        firstSequence: i * perSender,
        rows,
        batchSize: spec.batchSize,
        concurrency: spec.concurrency,
        maxDurationMs: spec.maxDurationMs,
      });
    }
    await allNext(senders, 'prepared', 120_000);
    const writerBefore = await writerSample(variant.metricsUrl);
    const startedAt = performance.now();
    const stopCpu = watchCpu(spec.watchPids);
    for (const sender of senders) sender.send({ type: 'go' });
    const results = await allNext(senders, 'done', spec.maxDurationMs + 120_000);
    const wallMs = performance.now() - startedAt;
    const cpu = stopCpu();
    const writer = writerUse(writerBefore, await writerSample(variant.metricsUrl), wallMs);
    const statusCounts: Record<string, number> = {};
    const errors: string[] = [];
    for (const result of results) {
      for (const [status, count] of Object.entries(result.statusCounts))
        statusCounts[status] = (statusCounts[status] ?? 0) + count;
      for (const error of result.errors)
        if (!errors.includes(error) && errors.length < 5) errors.push(error);
    }
    const acceptedRows = results.reduce((sum, result) => sum + result.acceptedRows, 0);
    return {
      mode: variant.mode,
      label: variant.label,
      round,
      scraper,
      rows: spec.rows,
      acceptedRows,
      failedRows: results.reduce((sum, result) => sum + result.failedRows, 0),
      notSentRows: results.reduce((sum, result) => sum + result.notSentRows, 0),
      retries: results.reduce((sum, result) => sum + result.retries, 0),
      wallMs,
      eventsPerSecond: (acceptedRows * 1000) / wallMs,
      statusCounts,
      errors,
      cpu,
      ...(writer === undefined ? {} : { writer }),
    };
  } finally {
    await Promise.all(senders.map((sender) => sender.stop()));
  }
}
