import type { IngestRun } from './scenarios/ingest';

// The ingest scenario's arithmetic: ratios paired within a round, and the writer's figures from
// two readings of the collector's metrics.

/** What the collector's writer did during one run (from its metrics, after minus before). */
export interface WriterUse {
  /** ILP requests to QuestDB (each one transaction per table). */
  readonly requests: number;
  readonly rowsPerRequest: number;
  /**
   * Seconds with an ILP request in flight ÷ wall seconds: the writer keeps one request in flight,
   * so near 1 means the run waited on QuestDB's commits, well under 1 on the collector or clients.
   */
  readonly busyShare: number;
  /** Mean latency of one ILP request, ms. */
  readonly meanRequestMs: number;
}

/** One reading of the writer's metrics: totals since the collector started. */
export interface WriterSample {
  readonly requests: number;
  readonly rows: number;
  readonly seconds: number;
}

/** The writer's figures between two readings taken `wallMs` apart; undefined without requests. */
export function writerUse(
  before: WriterSample | undefined,
  after: WriterSample | undefined,
  wallMs: number,
): WriterUse | undefined {
  if (before === undefined || after === undefined) return undefined;
  const requests = after.requests - before.requests;
  if (requests <= 0) return undefined;
  const seconds = after.seconds - before.seconds;
  return {
    requests,
    rowsPerRequest: (after.rows - before.rows) / requests,
    busyShare: (seconds * 1000) / wallMs,
    meanRequestMs: (seconds * 1000) / requests,
  };
}

/**
 * `mode` ÷ `baseline` for every round that has both runs: each ratio pairs two runs minutes apart
 * at most, never figures of different rounds (a shared machine moves the baselines several-fold
 * between rounds).
 */
export function pairedRatios(
  runs: readonly IngestRun[],
  mode: IngestRun['mode'],
  baseline: IngestRun['mode'],
): number[] {
  return runs.flatMap((run) => {
    if (run.mode !== mode) return [];
    const base = runs.find((other) => other.mode === baseline && other.round === run.round);
    return base && base.eventsPerSecond > 0 ? [run.eventsPerSecond / base.eventsPerSecond] : [];
  });
}
