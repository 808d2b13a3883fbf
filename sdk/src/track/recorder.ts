import type {
  NavigationRecord,
  SchedulerRunRecord,
  ScraperRunRecord,
  ScrapeRecord,
} from '../events';

/** What the wrappers need from a client: the record functions (which never throw). */
export interface Recorder {
  recordNavigation(input: NavigationRecord): string | undefined;
  recordScrape(input: ScrapeRecord): string | undefined;
  recordSchedulerRun(input: SchedulerRunRecord): string | undefined;
  recordScraperRun(input: ScraperRunRecord): string | undefined;
}

/** Monotonic milliseconds for durations (wall-clock jumps must not produce negative durations). */
export function monotonicMs(): number {
  return performance.now();
}

/** Durations on the wire: whole-ish milliseconds, never negative. */
export function elapsedMs(startMs: number): number {
  return Math.max(0, Math.round((monotonicMs() - startMs) * 1000) / 1000);
}
