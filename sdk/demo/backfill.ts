import type { FieldCounts, Scrapewatch } from '@scrapewatch/sdk';
import { quoteCoverage } from './items';
import { pageUrl, type Outcome, type ScraperProfile } from './profiles';
import { countAround, logNormal, pick } from './random';
import { JOB_FAILURES, drawLatenessMs, drawRunOutcome, type JobSpec } from './scheduler';
import { drawLatencyMs, drawOutcome } from './simulated-page';

/** The collector refuses events older than its retention (7 days by default); stay inside. */
export const MAX_BACKFILL_HOURS = 7 * 24 - 1;

const NAVIGATION_TIMEOUT_MS = 20_000;
const RETRIES = 2;
const STATUS: Readonly<Record<Exclude<Outcome, 'ok' | 'timeout' | 'network'>, number>> = {
  http_4xx: 404,
  http_5xx: 503,
  blocked: 429,
  captcha: 403,
};
const RETRYABLE: ReadonlySet<Outcome> = new Set(['timeout', 'network', 'http_5xx']);

/** One navigation as trackNavigation would have recorded it, without waiting for it. */
function simulatedNavigation(profile: ScraperProfile) {
  let durationMs = 0;
  for (let attempt = 0; ; attempt++) {
    const outcome = drawOutcome(profile);
    const latencyMs = drawLatencyMs(profile);
    const timedOut = outcome === 'timeout' || latencyMs > NAVIGATION_TIMEOUT_MS;
    durationMs += timedOut ? NAVIGATION_TIMEOUT_MS : latencyMs;
    const errorClass: Outcome = timedOut ? 'timeout' : outcome;
    if (errorClass !== 'ok' && attempt < RETRIES && RETRYABLE.has(errorClass)) continue;
    const statusCode =
      errorClass === 'ok'
        ? 200
        : errorClass === 'timeout' || errorClass === 'network'
          ? null
          : STATUS[errorClass];
    return {
      durationMs,
      retryCount: attempt,
      success: errorClass === 'ok',
      errorClass: errorClass === 'ok' ? null : errorClass,
      // What the SDK's block rules name these answers (a 429, a captcha page).
      blockReason:
        errorClass === 'blocked' ? 'rate_limited' : errorClass === 'captcha' ? 'captcha' : null,
      statusCode,
      error:
        errorClass === 'ok'
          ? null
          : statusCode === null
            ? errorClass === 'timeout'
              ? `TimeoutError: page.goto: Timeout ${NAVIGATION_TIMEOUT_MS}ms exceeded.`
              : 'Error: page.goto: net::ERR_CONNECTION_RESET'
            : `HTTP ${statusCode} (${errorClass})`,
    };
  }
}

/** The totals of the backfilled run a scraper is in, recorded every `pagesPerRun` pages. */
interface RunTotals {
  startedAt: number;
  pages: number;
  items: number;
  errors: number;
  fields: FieldCounts;
}

function newRun(startedAt: number): RunTotals {
  return { startedAt, pages: 0, items: 0, errors: 0, fields: {} };
}

/**
 * Sends `hours` of history through the same SDK clients (recordedAt in the past), so history
 * panels, views and baselines have data on the first start. Healthy history: the live run then
 * breaks marketbeat against a normal baseline. cnbc's silent windows appear in history too.
 */
export async function backfill(
  clients: ReadonlyMap<string, Scrapewatch>,
  profiles: readonly ScraperProfile[],
  scheduler: Scrapewatch,
  jobs: readonly JobSpec[],
  hours: number,
  log: (message: string) => void,
): Promise<number> {
  const endMs = Date.now() - 60_000;
  const startMs = endMs - hours * 3_600_000;
  let sent = 0;
  const hourMs = 3_600_000;
  const runs = new Map<string, RunTotals>();
  let runNumber = 0;
  for (let sliceStart = startMs; sliceStart < endMs; sliceStart += hourMs) {
    const sliceEnd = Math.min(endMs, sliceStart + hourMs);
    for (const profile of profiles) {
      const sw = clients.get(profile.name);
      if (!sw) continue;
      // Four times sparser than live: history needs shape, not volume.
      const stepMs = profile.intervalMs * 4;
      for (
        let t = sliceStart + Math.random() * stepMs;
        t < sliceEnd;
        t += stepMs * (0.5 + Math.random())
      ) {
        const silence = profile.silence;
        if (silence && (t - startMs) % silence.everyMs >= silence.everyMs - silence.forMs) continue;
        const url = pageUrl(profile);
        const nav = simulatedNavigation(profile);
        const recordedAt = Math.round(t);
        let run = runs.get(profile.name);
        if (!run) {
          run = newRun(recordedAt);
          runs.set(profile.name, run);
        }
        const runId = `${profile.name}-backfill-${run.startedAt.toString(36)}`;
        run.pages += 1;
        if (!nav.success) run.errors += 1;
        sw.recordNavigation({
          url,
          navigationDurationMs: nav.durationMs,
          retryCount: nav.retryCount,
          success: nav.success,
          error: nav.error,
          errorClass: nav.errorClass,
          blockReason: nav.blockReason,
          statusCode: nav.statusCode,
          bytes: nav.success ? 150_000 + Math.floor(Math.random() * 250_000) : null,
          runId,
          recordedAt,
        });
        sent++;
        if (nav.success) {
          const parseFailure = Math.random() < 0.01;
          const items = parseFailure ? 0 : Math.max(1, countAround(profile.itemsMean));
          const fields = parseFailure ? undefined : quoteCoverage(items);
          sw.recordScrape({
            url,
            scrapeDurationMs: logNormal(profile.scrapeMedianMs, 0.3),
            itemsExtracted: items,
            success: !parseFailure,
            error: parseFailure ? 'SyntaxError: Unexpected token < in JSON at position 0' : null,
            errorClass: parseFailure ? 'parse' : null,
            ...(fields ? { fields } : {}),
            runId,
            recordedAt: recordedAt + 1,
          });
          sent++;
          run.items += items;
          if (parseFailure) run.errors += 1;
          for (const [field, filled] of Object.entries(fields ?? {})) {
            run.fields[field] = (run.fields[field] ?? 0) + filled;
          }
        }
        if (run.pages >= (profile.pagesPerRun ?? 10)) {
          sw.recordScraperRun({
            runId,
            startedAt: run.startedAt,
            recordedAt: recordedAt + 2,
            outcome: 'success',
            pages: run.pages,
            items: run.items,
            errors: run.errors,
            fields: run.fields,
            eventId: `${runId}-${(runNumber += 1)}`,
          });
          sent++;
          runs.delete(profile.name);
        }
      }
    }
    for (const job of jobs) {
      for (let due = sliceStart + Math.random() * job.everyMs; due < sliceEnd; due += job.everyMs) {
        const outcome = drawRunOutcome(job);
        const scheduledAt = Math.round(due);
        if (outcome === 'missed' || outcome === 'skipped') {
          scheduler.recordSchedulerRun({
            jobName: job.name,
            status: outcome,
            scheduledAt,
            startedAt: null,
            scraperSource: job.scraper,
            error:
              outcome === 'missed' ? 'scheduler host was paused' : 'previous run still running',
            recordedAt: scheduledAt,
          });
        } else {
          const startedAt = Math.round(scheduledAt + drawLatenessMs(outcome));
          const durationMs = logNormal(job.durationMedianMs, 0.4);
          scheduler.recordSchedulerRun({
            jobName: job.name,
            status: outcome === 'failed' ? 'failed' : 'success',
            scheduledAt,
            startedAt,
            durationMs,
            scraperSource: job.scraper,
            scrapersRun: outcome === 'failed' ? undefined : job.scraper ? 1 : 5,
            error: outcome === 'failed' ? pick(JOB_FAILURES) : null,
            errorClass: outcome === 'failed' ? 'other' : null,
            recordedAt: Math.min(endMs, Math.round(startedAt + durationMs)),
          });
        }
        sent++;
      }
    }
    // One hour of history at a time keeps every queue far below its bound.
    await Promise.all([...clients.values(), scheduler].map((sw) => sw.flush()));
    log(`backfill: ${new Date(sliceEnd).toISOString()} reached, ${sent} events sent`);
  }
  return sent;
}
