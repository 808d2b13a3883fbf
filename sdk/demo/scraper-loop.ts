import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Scrapewatch, ScraperRun } from '@scrapewatch/sdk';
import { pause, type DemoContext } from './context';
import { QUOTE_FIELDS, quoteItems } from './items';
import {
  emptyFields,
  hasNewError,
  isBroken,
  isSilent,
  pageUrl,
  type ScraperProfile,
} from './profiles';
import { countAround, logNormal } from './random';
import { simulatedPage } from './simulated-page';

/** Share of successful navigations whose extraction throws (a changed JSON payload). */
const PARSE_FAILURE_RATE = 0.01;
const DEFAULT_PAGES_PER_RUN = 10;
/** Share of scrapes failing with the profile's new error, once it appeared. */
const NEW_ERROR_RATE = 0.25;

/**
 * One simulated scraper, instrumented the way a real one is: each run (a crawl of a few pages)
 * in trackRun, trackNavigation around page.goto (retries included), trackScrape around the
 * extraction with the extracted items, so field coverage is reported. Runs until the demo stops.
 */
export async function runScraper(
  sw: Scrapewatch,
  profile: ScraperProfile,
  ctx: DemoContext,
): Promise<void> {
  const page = simulatedPage(profile, ctx.signal, () => ctx.elapsedMs());
  let shortRunDone = false;
  while (!ctx.signal.aborted) {
    if (isSilent(profile, ctx.elapsedMs())) {
      if (!(await pause(ctx, 5_000))) return;
      continue;
    }
    let pages = profile.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
    const short = profile.shortRun;
    if (short && !shortRunDone && ctx.elapsedMs() >= short.afterMs) {
      shortRunDone = true;
      pages = short.pages;
    }
    const run = sw.startRun({ runId: `${profile.name}-${Date.now().toString(36)}` });
    const completed = await crawl(run, page, profile, ctx, pages);
    // A run cut by the demo stopping is left open: closing the client records it as aborted.
    if (completed) run.finish();
    else return;
  }
}

/** One run: `pages` pages, a pause after each. Resolves false when the demo stops. */
async function crawl(
  run: ScraperRun,
  page: ReturnType<typeof simulatedPage>,
  profile: ScraperProfile,
  ctx: DemoContext,
  pages: number,
): Promise<boolean> {
  for (let n = 0; n < pages; n += 1) {
    const url = pageUrl(profile);
    try {
      const response = await run.trackNavigation(page, url, {
        retries: 2,
        timeoutMs: 20_000,
        backoffMs: 500,
      });
      if (response && response.status() < 400) {
        const elapsedMs = ctx.elapsedMs();
        const broken = isBroken(profile, elapsedMs);
        const empty = emptyFields(profile, url, elapsedMs);
        await run.trackScrape(
          url,
          async () => {
            await sleep(logNormal(profile.scrapeMedianMs, 0.3));
            if (Math.random() < PARSE_FAILURE_RATE) {
              throw new SyntaxError('Unexpected token < in JSON at position 0');
            }
            if (hasNewError(profile, ctx.elapsedMs()) && Math.random() < NEW_ERROR_RATE) {
              throw new Error(`quote table missing on ${url} (layout experiment ${randomUUID()})`);
            }
            return broken ? [] : quoteItems(Math.max(1, countAround(profile.itemsMean)), empty);
          },
          { items: (quotes) => quotes, expectedFields: QUOTE_FIELDS },
        );
      }
    } catch {
      // The wrappers recorded the failure; a scraper moves on to the next page.
      if (ctx.signal.aborted) return false;
    }
    if (!(await pause(ctx, profile.intervalMs * (0.5 + Math.random())))) return false;
  }
  return true;
}
