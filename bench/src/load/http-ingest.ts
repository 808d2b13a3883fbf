import { setTimeout as sleep } from 'node:timers/promises';
import { navigationEvent } from '../events';
import type { IngestPrepare } from '../ipc';
import { keepAliveAgent, postJson } from './http-post';
import { IngestTally } from './ingest-result';
import { keepError, runPool, tally } from './pool';

/** Answers that mean "try again later": the batch is retried after Retry-After (or 100 ms). */
const RETRYABLE = new Set([429, 503]);
const MAX_ATTEMPTS = 20;

/**
 * POST /v1/metrics with batches serialised before the clock starts, `concurrency` requests in
 * flight over keep-alive connections. Only a 202 (durable: committed or spooled) counts.
 */
export function prepareHttpIngest(spec: IngestPrepare): () => Promise<IngestTally> {
  const recordedAt = Date.now();
  const bodies: Array<{ body: Buffer; rows: number }> = [];
  for (let offset = 0; offset < spec.rows; offset += spec.batchSize) {
    const rows = Math.min(spec.batchSize, spec.rows - offset);
    const events = Array.from({ length: rows }, (_, i) =>
      navigationEvent({
        scraper: spec.scraper,
        sequence: spec.firstSequence + offset + i,
        recordedAt,
      }),
    );
    bodies.push({ body: Buffer.from(JSON.stringify(events)), rows });
  }
  const url = new URL('/v1/metrics', spec.url);
  const agent = keepAliveAgent(spec.concurrency);

  return async () => {
    const result = new IngestTally();
    const deadline = performance.now() + spec.maxDurationMs;
    await runPool(bodies.length, spec.concurrency, async (index) => {
      const batch = bodies[index];
      if (!batch) return;
      if (performance.now() > deadline) {
        result.notSentRows += batch.rows;
        return;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          const answer = await postJson(agent, url, batch.body);
          tally(result.statusCounts, answer.status);
          if (answer.status === 202) {
            result.acceptedRows += batch.rows;
            return;
          }
          if (!RETRYABLE.has(answer.status) || attempt >= MAX_ATTEMPTS) {
            result.failedRows += batch.rows;
            keepError(result.errors, `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
            return;
          }
          result.retries++;
          await sleep((answer.retryAfterSeconds ?? 0.1) * 1000);
        } catch (error) {
          tally(result.statusCounts, 'network');
          keepError(result.errors, error instanceof Error ? error.message : String(error));
          if (attempt >= MAX_ATTEMPTS) {
            result.failedRows += batch.rows;
            return;
          }
          result.retries++;
          await sleep(100);
        }
      }
    });
    agent.destroy();
    return result;
  };
}
