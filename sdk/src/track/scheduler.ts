import { classifyError, errorMessage } from './classify';
import { elapsedMs, monotonicMs, type Recorder } from './recorder';

export interface TrackSchedulerRunOptions<T> {
  /** When the run was due (epoch ms); default: when it started (lateness 0). */
  readonly scheduledAt?: number;
  /** Default: the client's schedulerName. */
  readonly schedulerName?: string;
  /** The scraper this job runs, if one. */
  readonly scraperSource?: string;
  /** Scrapers the run executed: a number or a function of the result. */
  readonly scrapersRun?: number | ((result: T) => number);
  readonly runId?: string;
}

export interface MissedRunOptions {
  /** When the run was due (epoch ms). */
  readonly scheduledAt: number;
  /** 'missed' (default): it should have run and did not; 'skipped': deliberately not run. */
  readonly status?: 'missed' | 'skipped';
  /** Why, e.g. "previous run still going". */
  readonly reason?: string;
  readonly schedulerName?: string;
  readonly scraperSource?: string;
  readonly runId?: string;
}

/**
 * Runs one scheduled job and records a scheduler_run event: duration, lateness (startedAt minus
 * scheduledAt), status success or failed. Returns fn's result; rethrows fn's error unchanged.
 */
export async function trackSchedulerRun<T>(
  recorder: Recorder,
  jobName: string,
  fn: () => T | Promise<T>,
  options: TrackSchedulerRunOptions<T> = {},
): Promise<T> {
  const startedAt = Date.now();
  const scheduledAt = options.scheduledAt ?? startedAt;
  const startMs = monotonicMs();
  const common = {
    jobName,
    scheduledAt,
    startedAt,
    schedulerName: options.schedulerName,
    scraperSource: options.scraperSource,
    runId: options.runId,
  };
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    recorder.recordSchedulerRun({
      ...common,
      status: 'failed',
      durationMs: elapsedMs(startMs),
      error: errorMessage(error),
      errorClass: classifyError(error),
    });
    throw error;
  }
  const durationMs = elapsedMs(startMs);
  const count = options.scrapersRun;
  const scrapersRun = typeof count === 'function' ? count(result) : count;
  recorder.recordSchedulerRun({
    ...common,
    status: 'success',
    durationMs,
    scrapersRun:
      scrapersRun !== undefined && Number.isFinite(scrapersRun) && scrapersRun >= 0
        ? Math.floor(scrapersRun)
        : undefined,
  });
  return result;
}

/** Records a run that never started: missed (it should have) or skipped (on purpose). */
export function recordMissedRun(
  recorder: Recorder,
  jobName: string,
  options: MissedRunOptions,
): string | undefined {
  return recorder.recordSchedulerRun({
    jobName,
    status: options.status ?? 'missed',
    scheduledAt: options.scheduledAt,
    startedAt: null,
    durationMs: 0,
    error: options.reason ?? null,
    schedulerName: options.schedulerName,
    scraperSource: options.scraperSource,
    runId: options.runId,
  });
}
