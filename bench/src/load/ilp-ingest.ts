import { Sender } from '@questdb/nodejs-client';
import type { PageNavigationEvent } from '@scrapewatch/protocol';
import { navigationEvent } from '../events';
import type { IngestPrepare } from '../ipc';
import { IngestTally } from './ingest-result';
import { keepError, runPool } from './pool';

type Row = PageNavigationEvent & { eventId: string };

/**
 * The baseline: the raw `@questdb/nodejs-client` Sender (ILP over HTTP) writing the very rows the
 * collector writes (same table, same columns and types) straight to QuestDB. One Sender per lane,
 * auto-flush off, one flush per batch: a flush resolves once QuestDB has committed the request,
 * the same durability a 202 from the collector stands for. Encoding the rows is part of the timed
 * work, as it is inside the collector.
 */
export function prepareIlpIngest(spec: IngestPrepare): () => Promise<IngestTally> {
  const recordedAt = Date.now();
  const batches: Row[][] = [];
  for (let offset = 0; offset < spec.rows; offset += spec.batchSize) {
    const rows = Math.min(spec.batchSize, spec.rows - offset);
    batches.push(
      Array.from({ length: rows }, (_, i) =>
        navigationEvent({
          scraper: spec.scraper,
          sequence: spec.firstSequence + offset + i,
          recordedAt,
        }),
      ),
    );
  }
  const address = new URL(spec.url);
  const config = `http::addr=${address.hostname}:${address.port};auto_flush=off;request_timeout=60000`;

  return async () => {
    const result = new IngestTally();
    const senders = await Promise.all(
      Array.from({ length: Math.max(1, spec.concurrency) }, () => Sender.fromConfig(config)),
    );
    const deadline = performance.now() + spec.maxDurationMs;
    try {
      await runPool(batches.length, spec.concurrency, async (index, lane) => {
        const batch = batches[index];
        const sender = senders[lane];
        if (!batch || !sender) return;
        if (performance.now() > deadline) {
          result.notSentRows += batch.length;
          return;
        }
        try {
          const receivedAtUs = Date.now() * 1000;
          for (const row of batch) await writeRow(sender, row, receivedAtUs);
          await sender.flush();
          result.acceptedRows += batch.length;
        } catch (error) {
          result.failedRows += batch.length;
          sender.reset();
          keepError(result.errors, error instanceof Error ? error.message : String(error));
        }
      });
    } finally {
      await Promise.all(senders.map((sender) => sender.close()));
    }
    return result;
  };
}

function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase();
}

/** Mirrors the collector's page_navigation row: symbols first, nulls left out, times in µs. */
async function writeRow(sender: Sender, row: Row, receivedAtUs: number): Promise<void> {
  sender
    .table('page_navigation')
    .symbol('scraper', row.scraperSource)
    .symbol('domain', hostOf(row.url));
  if (row.errorClass) sender.symbol('error_class', row.errorClass);
  sender
    .stringColumn('event_id', row.eventId)
    .stringColumn('url', row.url)
    .floatColumn('duration_ms', row.navigationDurationMs)
    .intColumn('retry_count', row.retryCount)
    .booleanColumn('success', row.success);
  if (row.statusCode !== null && row.statusCode !== undefined)
    sender.intColumn('status_code', row.statusCode);
  if (row.bytes !== null && row.bytes !== undefined) sender.intColumn('bytes', row.bytes);
  if (row.error) sender.stringColumn('error', row.error);
  if (row.runId) sender.stringColumn('run_id', row.runId);
  sender.timestampColumn('received_at', receivedAtUs, 'us');
  await sender.at(Math.round(row.recordedAt * 1000), 'us');
}
