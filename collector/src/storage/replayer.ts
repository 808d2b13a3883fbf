import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { StorageMetrics } from './metrics';
import { IlpError, type QuestDBClient } from './questdb';
import type { Spool, SpoolRecord } from './spool';

export interface ReplayerOptions {
  readonly intervalMs: number;
  /** Upper bound of one replay request; records are coalesced up to it. */
  readonly maxRequestBytes: number;
  /** Where records QuestDB refuses (HTTP 4xx) are set aside, so they never block the spool. */
  readonly rejectedDir: string;
  /** Timeout of the liveness probe before a replay. */
  readonly probeTimeoutMs: number;
}

export interface ReplayerDeps {
  readonly client: QuestDBClient;
  readonly spool: Spool;
  readonly metrics: StorageMetrics;
  readonly logger: Logger;
  /** Applies the schema if it is not yet; resolves true once it is in force. */
  readonly ensureSchema: () => Promise<boolean>;
  /** QuestDB went away in the middle of a replay. */
  readonly onUnavailable: () => void;
}

/**
 * The periodic task that applies the schema once QuestDB answers and drains the spool into it,
 * oldest segment first. A segment is deleted only after every record of it was committed, so a
 * crash at any point replays (part of) a segment again: at-least-once, made exactly-once by the
 * tables' DEDUP UPSERT KEYS. Runs never overlap and never reject.
 */
export interface Replayer {
  start(): void;
  /**
   * Runs a round now, or, when one is running, asks for another right after it; resolves when
   * the round running now ends.
   */
  kick(): Promise<void>;
  /** Stops the timer and waits for a running round to end (it stops between requests). */
  close(): Promise<void>;
}

type SendOutcome = 'ok' | 'unavailable';

export function createReplayer(options: ReplayerOptions, deps: ReplayerDeps): Replayer {
  const { client, spool, metrics, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function setAside(segment: string, record: SpoolRecord, error: IlpError): Promise<void> {
    await fs.mkdir(options.rejectedDir, { recursive: true });
    const file = path.join(options.rejectedDir, `${segment}.rejected.ilp`);
    await fs.appendFile(file, record.bytes);
    metrics.writeFailure('questdb_rejected', record.rows);
    logger.error(
      { err: error, segment, rows: record.rows, file },
      'QuestDB rejected spooled rows; set aside, not replayed again',
    );
  }

  async function sendRecords(
    segment: string,
    records: readonly SpoolRecord[],
  ): Promise<SendOutcome> {
    const rows = records.reduce((sum, r) => sum + r.rows, 0);
    const bytes =
      records.length === 1
        ? (records[0] as SpoolRecord).bytes
        : Buffer.concat(records.map((r) => r.bytes));
    const started = process.hrtime.bigint();
    try {
      await client.sendIlp(bytes);
      metrics.ilpFlush(
        'replay',
        'committed',
        rows,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      metrics.spoolReplayed(records.length);
      return 'ok';
    } catch (error) {
      const ilp =
        error instanceof IlpError ? error : new IlpError('unavailable', String(error), undefined);
      metrics.ilpFlush(
        'replay',
        ilp.failure,
        rows,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      if (ilp.failure === 'unavailable') {
        deps.onUnavailable();
        logger.warn({ err: ilp, segment }, 'spool replay interrupted: QuestDB unavailable');
        return 'unavailable';
      }
      if (records.length === 1) {
        await setAside(segment, records[0] as SpoolRecord, ilp);
        return 'ok';
      }
      for (const record of records) {
        if ((await sendRecords(segment, [record])) === 'unavailable') return 'unavailable';
      }
      return 'ok';
    }
  }

  /** Replays one segment; true when all of it is in QuestDB (or set aside) and it was deleted. */
  async function replaySegment(segment: string): Promise<boolean> {
    const { records, droppedBytes } = await spool.read(segment);
    if (droppedBytes > 0) {
      logger.warn(
        { segment, droppedBytes },
        'spool segment has an invalid tail; it is not replayed',
      );
    }
    let chunk: SpoolRecord[] = [];
    let chunkBytes = 0;
    for (const record of records) {
      if (chunk.length > 0 && chunkBytes + record.bytes.length > options.maxRequestBytes) {
        if (closed || (await sendRecords(segment, chunk)) === 'unavailable') return false;
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(record);
      chunkBytes += record.bytes.length;
    }
    if (chunk.length > 0 && (closed || (await sendRecords(segment, chunk)) === 'unavailable')) {
      return false;
    }
    await spool.remove(segment);
    logger.info({ segment, records: records.length }, 'spool segment replayed');
    return true;
  }

  async function round(): Promise<void> {
    if (!(await deps.ensureSchema())) return;
    // Bounded: under a sustained outage-and-recovery the next tick continues.
    for (let pass = 0; pass < 8 && !closed && !spool.isEmpty; pass++) {
      if (!(await client.ping(options.probeTimeoutMs))) return;
      const segments = await spool.seal();
      for (const segment of segments) {
        if (closed || !(await replaySegment(segment))) return;
      }
    }
  }

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = round()
      .catch((error: unknown) => logger.error({ err: error }, 'spool replay round failed'))
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void run();
        }
      });
    return running;
  }

  return {
    start() {
      if (timer || closed) return;
      timer = setInterval(() => void run(), options.intervalMs);
      timer.unref();
    },
    kick: () => run(),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      while (running) await running;
    },
  };
}
