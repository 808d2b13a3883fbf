import { setTimeout as sleep } from 'node:timers/promises';
import type { Scrapewatch } from '@scrapewatch/sdk';
import { pause, type DemoContext } from './context';
import { isBroken, isSilent, type ScraperProfile } from './profiles';
import { countAround, logNormal, pick } from './random';
import { simulatedPage } from './simulated-page';

/** Share of successful navigations whose extraction throws (a changed JSON payload). */
const PARSE_FAILURE_RATE = 0.01;

/**
 * One simulated scraper, instrumented the way a real one is: trackNavigation around page.goto
 * (retries included), trackScrape around the extraction. Runs until the demo stops.
 */
export async function runScraper(
  sw: Scrapewatch,
  profile: ScraperProfile,
  ctx: DemoContext,
): Promise<void> {
  const page = simulatedPage(profile, ctx.signal);
  let cycle = 0;
  while (!ctx.signal.aborted) {
    if (isSilent(profile, ctx.elapsedMs())) {
      if (!(await pause(ctx, 5_000))) return;
      continue;
    }
    const url = `${profile.baseUrl}${pick(profile.paths)}`;
    const runId = `${profile.name}-${Date.now().toString(36)}-${cycle++}`;
    try {
      const response = await sw.trackNavigation(page, url, {
        retries: 2,
        timeoutMs: 20_000,
        backoffMs: 500,
        runId,
      });
      if (response && response.status() < 400) {
        const broken = isBroken(profile, ctx.elapsedMs());
        await sw.trackScrape(
          url,
          async () => {
            await sleep(logNormal(profile.scrapeMedianMs, 0.3));
            if (Math.random() < PARSE_FAILURE_RATE) {
              throw new SyntaxError('Unexpected token < in JSON at position 0');
            }
            return broken
              ? []
              : Array.from({ length: Math.max(1, countAround(profile.itemsMean)) }, (_, i) => i);
          },
          { runId },
        );
      }
    } catch {
      // The wrappers recorded the failure; a scraper moves on to the next page.
      if (ctx.signal.aborted) return;
    }
    if (!(await pause(ctx, profile.intervalMs * (0.5 + Math.random())))) return;
  }
}
