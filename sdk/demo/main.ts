// The demo workload: simulated scrapers and a scheduler, instrumented with the real SDK, sending
// to a running collector until SIGINT/SIGTERM. `npm run demo -- --help` lists the options.
import { setMaxListeners } from 'node:events';
import { createScrapewatch, type Scrapewatch, type ScrapewatchError } from '@scrapewatch/sdk';
import { backfill } from './backfill';
import { DemoUsageError, parseDemoConfig, USAGE, type DemoConfig } from './config';
import type { DemoContext } from './context';
import { PROFILES } from './profiles';
import { jobsWithSuffix, runScheduler, SCHEDULER_NAME } from './scheduler';
import { runScraper } from './scraper-loop';

const CLOSE_DEADLINE_MS = 5_000;
const REPORT_EVERY_MS = 30_000;

function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`);
}

function createClient(config: DemoConfig, scraper: string, schedulerName?: string): Scrapewatch {
  let lastErrorLogMs = 0;
  return createScrapewatch({
    url: config.url,
    token: config.token,
    scraper,
    schedulerName,
    lingerMs: 500,
    onError: (error: ScrapewatchError, context) => {
      // At most one line per second per client: a misconfigured token must not flood the terminal.
      if (Date.now() - lastErrorLogMs < 1_000) return;
      lastErrorLogMs = Date.now();
      log(`${scraper}: ${context.source} error ${error.code}: ${error.message}`);
    },
    onRetry: (info) => {
      if (info.attempt === 0 || info.attempt % 10 === 0) {
        log(
          `${scraper}: collector unavailable (${info.reason}); retry ${info.attempt + 1} in ${info.delayMs} ms`,
        );
      }
    },
  });
}

function report(clients: ReadonlyMap<string, Scrapewatch>): void {
  const parts = [...clients].map(([name, sw]) => {
    const s = sw.stats();
    const dropped = s.dropped.queue_full + s.dropped.invalid + s.dropped.rejected;
    return `${name} ${s.delivered} sent${s.queued + s.inFlight > 0 ? `, ${s.queued + s.inFlight} queued` : ''}${dropped > 0 ? `, ${dropped} dropped` : ''}`;
  });
  log(parts.join(' | '));
}

async function main(): Promise<void> {
  let config: DemoConfig;
  try {
    config = parseDemoConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof DemoUsageError) {
      if (error.message) console.error(`demo: ${error.message}\n`);
      console.error(USAGE);
      process.exitCode = error.message ? 2 : 0;
      return;
    }
    throw error;
  }
  const profiles = PROFILES.map((profile) => ({
    ...profile,
    name: `${profile.name}${config.suffix}`,
  }));
  const clients = new Map(
    profiles.map((profile) => [profile.name, createClient(config, profile.name)]),
  );
  const schedulerName = `${SCHEDULER_NAME}${config.suffix}`;
  const jobs = jobsWithSuffix(config.suffix);
  const scheduler = createClient(config, schedulerName, schedulerName);
  const all = new Map([...clients, [schedulerName, scheduler]]);
  log(
    `demo: sending to ${config.url} (${config.token ? 'with a token' : 'no token'}), speed ${config.speed}`,
  );

  const controller = new AbortController();
  // Every simulated wait listens on this one signal: one listener per concurrent loop and page.
  setMaxListeners(1_000, controller.signal);
  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log(`demo: ${why}; closing the SDK clients (deadline ${CLOSE_DEADLINE_MS} ms)`);
      // Close first, then abort the loops: what an interrupted loop records after close is dropped, not sent.
      const results = await Promise.all(
        [...all.values()].map((sw) => sw.close({ deadlineMs: CLOSE_DEADLINE_MS })),
      );
      controller.abort();
      const delivered = results.reduce((sum, r) => sum + r.delivered, 0);
      const unsent = results.reduce((sum, r) => sum + r.unsent, 0);
      log(`demo: stopped; ${delivered} events delivered, ${unsent} unsent at the deadline`);
    })();
    return stopping;
  };
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));

  if (config.backfillHours > 0) {
    log(`demo: backfilling ${config.backfillHours} h of history`);
    const sent = await backfill(clients, profiles, scheduler, jobs, config.backfillHours, log);
    log(`demo: backfill done, ${sent} events`);
  }
  if (config.durationS === 0) {
    await stop('backfill only');
    return;
  }

  const startedMs = Date.now();
  const ctx: DemoContext = {
    signal: controller.signal,
    speed: config.speed,
    elapsedMs: () => (Date.now() - startedMs) * config.speed,
  };
  const reporter = setInterval(() => report(all), REPORT_EVERY_MS);
  reporter.unref();
  const durationTimer =
    config.durationS === undefined
      ? undefined
      : setTimeout(() => void stop(`${config.durationS} s elapsed`), config.durationS * 1000);
  const loops = [
    ...profiles.map((profile) =>
      runScraper(clients.get(profile.name) as Scrapewatch, profile, ctx),
    ),
    runScheduler(scheduler, jobs, ctx),
  ];
  await Promise.all(loops);
  clearInterval(reporter);
  if (durationTimer) clearTimeout(durationTimer);
  await stop('done');
  report(all);
}

main().catch((error: unknown) => {
  console.error('demo: failed:', error);
  process.exit(1);
});
