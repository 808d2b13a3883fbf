import { encodeRows } from '../../../collector/src/storage/rows';
import { navigationEvent } from '../events';
import type { IngestPrepare } from '../ipc';
import { keepAliveAgent, postJson } from './http-post';
import { IngestTally } from './ingest-result';
import { keepError, runPool, tally } from './pool';

/**
 * QuestDB's own limit on this machine: the very rows the collector writes, encoded as ILP by the
 * collector's encoder before the clock starts, posted straight to `/write` with the same batch
 * size and concurrency as the collector's clients. Nothing is left to do but QuestDB's work, so no
 * writer in front of QuestDB can be faster; a 204 means committed (the collector's 202).
 */
export function prepareIlpLimitIngest(spec: IngestPrepare): () => Promise<IngestTally> {
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
    bodies.push({ body: encodeRows(events, recordedAt), rows });
  }
  const url = new URL('/write', spec.url);
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
      try {
        const answer = await postJson(agent, url, batch.body);
        tally(result.statusCounts, answer.status);
        if (answer.status === 204 || answer.status === 200) result.acceptedRows += batch.rows;
        else {
          result.failedRows += batch.rows;
          keepError(result.errors, `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
        }
      } catch (error) {
        result.failedRows += batch.rows;
        keepError(result.errors, error instanceof Error ? error.message : String(error));
      }
    });
    agent.destroy();
    return result;
  };
}
