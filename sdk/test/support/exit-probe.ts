// Run as a child process by process-exit.test.ts: records events, never calls close(), and must
// exit on its own (the SDK holds no timer or socket that keeps the event loop alive).
import { createScrapewatch } from '@scrapewatch/sdk';

async function main(): Promise<void> {
  const [url, mode] = process.argv.slice(2);
  const sw = createScrapewatch({
    url: url ?? '',
    scraper: 'exit-probe',
    lingerMs: 50,
    baseRetryDelayMs: 100,
  });
  for (let i = 0; i < 10; i++) {
    sw.recordNavigation({
      url: `https://example.com/${i}`,
      navigationDurationMs: i,
      success: true,
    });
  }
  if (mode === 'flush') {
    const result = await sw.flush();
    process.stdout.write(`flushed ${JSON.stringify(result)}\n`);
  } else if (mode === 'flush-deadline') {
    // Gives up waiting; the retries go on but must no longer hold the process.
    const result = await sw.flush({ deadlineMs: 300 });
    process.stdout.write(`gave up ${JSON.stringify(result)}\n`);
  } else {
    // Wait until a retry has been scheduled: the backoff timer exists while main returns.
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.stdout.write(`pending ${sw.stats().queued + sw.stats().inFlight}\n`);
  }
}

void main();
