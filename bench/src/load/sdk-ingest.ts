import { createScrapewatch, type NavigationRecord } from '@scrapewatch/sdk';
import { navigationEvent } from '../events';
import type { IngestPrepare } from '../ipc';
import { IngestTally } from './ingest-result';
import { keepError, tally } from './pool';

/**
 * Ingest through `@scrapewatch/sdk` as a scraper uses it: `recordNavigation` per event, the SDK
 * batching (`batchSize` events per request) and delivering. One SDK client keeps one request on the
 * wire, so a process runs `concurrency` clients, as that many scrapers would. Validation and
 * serialisation in the SDK are part of the timed work: they are the scraper's cost.
 */
export function prepareSdkIngest(spec: IngestPrepare): () => Promise<IngestTally> {
  const recordedAt = Date.now();
  const lanes = Math.max(1, spec.concurrency);
  const inputs: NavigationRecord[][] = Array.from({ length: lanes }, () => []);
  for (let i = 0; i < spec.rows; i++) {
    const event = navigationEvent({
      scraper: spec.scraper,
      sequence: spec.firstSequence + i,
      recordedAt,
    });
    const { type: _type, ...record } = event;
    inputs[i % lanes]?.push(record);
  }

  return async () => {
    const result = new IngestTally();
    const deadline = performance.now() + spec.maxDurationMs;
    const clients = inputs.map((records) =>
      createScrapewatch({
        url: spec.url,
        scraper: spec.scraper,
        batchMaxEvents: spec.batchSize,
        batchMaxBytes: 8 * 1024 * 1024,
        maxQueueEvents: records.length + 1,
        lingerMs: 50,
        onError: (error) => keepError(result.errors, `${error.code}: ${error.message}`),
        onDrop: (info) => {
          if (info.reason === 'close_deadline') result.notSentRows += info.count;
          else result.failedRows += info.count;
          tally(result.statusCounts, `dropped ${info.reason}`, info.count);
        },
        onRetry: (info) => {
          result.retries++;
          tally(result.statusCounts, info.reason);
        },
      }),
    );
    await Promise.all(
      clients.map(async (client, lane) => {
        for (const record of inputs[lane] ?? []) client.recordNavigation(record);
        await client.flush({ deadlineMs: Math.max(1, deadline - performance.now()) });
        // Past the time cap, what is still queued is given up (counted as not sent).
        await client.close({ deadlineMs: 1 });
        const stats = client.stats();
        result.acceptedRows += stats.delivered;
        tally(result.statusCounts, 202, stats.batchesDelivered);
      }),
    );
    return result;
  };
}
