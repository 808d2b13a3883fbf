import { setTimeout as sleep } from 'node:timers/promises';
import type { Scrapewatch } from '@scrapewatch/sdk';
import { pause, type DemoContext } from './context';
import { logNormal, weighted } from './random';

/** One scheduled job of the demo's scheduler and how it misbehaves. */
export interface JobSpec {
  readonly name: string;
  /** The scraper the job runs, if one. */
  readonly scraper?: string;
  /** Period, demo time. */
  readonly everyMs: number;
  readonly durationMedianMs: number;
  /** Probabilities per run; the rest runs on time and succeeds. */
  readonly failed: number;
  readonly late: number;
  readonly missed: number;
  readonly skipped: number;
}

const MINUTE = 60_000;

export const SCHEDULER_NAME = 'demo-cron';

export const JOBS: readonly JobSpec[] = [
  ...['robinhood', 'cnbc', 'webull', 'marketbeat', 'yahoo'].map((scraper) => ({
    name: `quotes-${scraper}`,
    scraper,
    everyMs: MINUTE,
    durationMedianMs: 6_000,
    failed: 0.02,
    late: 0.02,
    missed: 0.01,
    skipped: 0,
  })),
  // Fails often: the scheduler-failed alert.
  {
    name: 'news-sweep',
    scraper: 'cnbc',
    everyMs: 2 * MINUTE,
    durationMedianMs: 12_000,
    failed: 0.25,
    late: 0,
    missed: 0,
    skipped: 0,
  },
  // Late and missed: the missed-or-late alert.
  {
    name: 'portfolio-rollup',
    everyMs: 5 * MINUTE,
    durationMedianMs: 20_000,
    failed: 0.05,
    late: 0.15,
    missed: 0.2,
    skipped: 0.1,
  },
];

/** The jobs of a run whose scraper names carry `suffix` (--suffix): they report on those channels. */
export function jobsWithSuffix(suffix: string): JobSpec[] {
  return JOBS.map((job) =>
    job.scraper === undefined ? job : { ...job, scraper: `${job.scraper}${suffix}` },
  );
}

export type RunOutcome = 'success' | 'failed' | 'late' | 'missed' | 'skipped';

export function drawRunOutcome(job: JobSpec, random: () => number = Math.random): RunOutcome {
  return weighted<RunOutcome>(
    { failed: job.failed, late: job.late, missed: job.missed, skipped: job.skipped },
    'success',
    random,
  );
}

/** Lateness of a run: a few hundred ms normally, 6 to 9 minutes when it is late (above the 5-minute threshold). */
export function drawLatenessMs(outcome: RunOutcome, random: () => number = Math.random): number {
  return outcome === 'late' ? 6 * MINUTE + random() * 3 * MINUTE : random() * 800;
}

export const JOB_FAILURES = [
  'Error: browser crashed: Target page, context or browser has been closed',
  'Error: queue connection lost: ECONNRESET',
  'Error: 3 of 5 scrapers failed',
];

/** Runs one job's schedule until the demo stops. */
async function runJob(sw: Scrapewatch, job: JobSpec, ctx: DemoContext): Promise<void> {
  // Stagger the jobs so they do not all fire together.
  if (!(await pause(ctx, Math.random() * job.everyMs))) return;
  while (!ctx.signal.aborted) {
    const outcome = drawRunOutcome(job);
    const dueAt = Date.now();
    if (outcome === 'missed' || outcome === 'skipped') {
      sw.recordMissedRun(job.name, {
        scheduledAt: dueAt,
        status: outcome,
        reason: outcome === 'missed' ? 'scheduler host was paused' : 'previous run still running',
        scraperSource: job.scraper,
      });
    } else {
      // A late run started minutes after it was due: its scheduledAt lies that far back.
      const scheduledAt = dueAt - drawLatenessMs(outcome);
      try {
        await sw.trackSchedulerRun(
          job.name,
          async () => {
            await sleep(logNormal(job.durationMedianMs / ctx.speed, 0.4), undefined, {
              signal: ctx.signal,
            });
            if (outcome === 'failed')
              throw new Error(JOB_FAILURES[Math.floor(Math.random() * JOB_FAILURES.length)]);
            return job.scraper ? 1 : 5;
          },
          { scheduledAt, scraperSource: job.scraper, scrapersRun: (count) => count },
        );
      } catch {
        if (ctx.signal.aborted) return;
        // Recorded as failed by the wrapper.
      }
    }
    if (!(await pause(ctx, job.everyMs))) return;
  }
}

/** The demo's scheduler: every job on its own period. */
export async function runScheduler(
  sw: Scrapewatch,
  jobs: readonly JobSpec[],
  ctx: DemoContext,
): Promise<void> {
  await Promise.all(jobs.map((job) => runJob(sw, job, ctx)));
}
