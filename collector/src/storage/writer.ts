import type { Logger } from 'pino';
import { ScrapewatchError, type AcceptedEvent } from '@scrapewatch/protocol';
import type { StorageMetrics } from './metrics';
import { IlpError, type QuestDBClient } from './questdb';
import { encodeRows } from './rows';
import type { Spool, SpoolRecord } from './spool';

export type Durability = 'committed' | 'spooled';

/**
 * What a write does when QuestDB cannot take it now: 'spool' (fsync it to the local spool and
 * resolve 'spooled'), or 'reject' (reject with UNAVAILABLE: the caller holds the events durably
 * elsewhere, e.g. unacknowledged in JetStream, and retries).
 */
export type WriteFallback = 'spool' | 'reject';

export interface WriterOptions {
  /** 0: an idle writer sends at once; more: a write waits this long for others to join it. */
  readonly lingerMs: number;
  /**
   * Requests start at least this far apart: under load, QuestDB commits at most 1000 / this
   * transactions per second and table, each holding everything that arrived meanwhile.
   */
  readonly minIntervalMs: number;
  /**
   * Once this many rows wait, the next request leaves as soon as the one in flight completes,
   * without waiting for `minIntervalMs`: batches are already large, and a client waiting for its
   * acknowledgement should not wait longer.
   */
  readonly eagerRows: number;
  /** Ceilings of one ILP request (one transaction per table); a single larger write goes alone. */
  readonly maxRows: number;
  readonly maxBytes: number;
  /** Retry-After of a SPOOL_FULL rejection. */
  readonly retryAfterSeconds: number;
}

export interface WriterDeps {
  readonly client: QuestDBClient;
  readonly spool: Spool;
  readonly metrics: StorageMetrics;
  readonly logger: Logger;
  /**
   * False while the schema is not applied or the spool holds data: the batch then goes to the
   * spool, behind what is already there, and the replayer sends it.
   */
  readonly canWriteDirect: () => boolean;
  /** QuestDB could not be reached: it may come back as another database (see storage.ts). */
  readonly onUnavailable: () => void;
}

/**
 * Adaptive group commit. Each `write()` call is encoded to ILP at once (its own bytes, kept until
 * acked). One ILP request is in flight at a time, so each table has at most one transaction in
 * flight; everything that arrives meanwhile goes into the next request, up to `maxRows` rows and
 * `maxBytes` bytes, and requests start at least `minIntervalMs` apart. Idle, a write leaves at
 * once (after `lingerMs` when set); under load requests grow by themselves, so QuestDB commits
 * fewer, larger transactions exactly when it is busiest (its cost is per transaction).
 * A call resolves when its batch is committed, or when its bytes are fsynced to the spool after
 * QuestDB could not be reached.
 */
export interface Writer {
  write(
    events: readonly AcceptedEvent[],
    receivedAtMs: number,
    fallback?: WriteFallback,
  ): Promise<{ durability: Durability }>;
  /**
   * write() in two steps: takes the events at once (encoded, queued) and returns their durable
   * write. Throws a ScrapewatchError when they cannot be taken (then nothing is queued).
   */
  admit(
    events: readonly AcceptedEvent[],
    receivedAtMs: number,
    fallback?: WriteFallback,
  ): AdmittedWrite;
  /** Refuses new writes, flushes everything pending (to QuestDB or the spool) and waits for it. */
  close(): Promise<void>;
}

export interface AdmittedWrite {
  /**
   * True when room for these rows is held in the spool until they are committed: whatever happens
   * to QuestDB they end committed or spooled, never refused with SPOOL_FULL. (They can still fail
   * with INTERNAL: QuestDB refusing rows that passed validation, a disk error, or a crash.)
   */
  readonly roomHeld: boolean;
  /** Resolves as write() does. */
  readonly durable: Promise<{ durability: Durability }>;
}

interface PendingWrite extends SpoolRecord {
  readonly fallback: WriteFallback;
  readonly roomHeld: boolean;
  resolve(result: { durability: Durability }): void;
  reject(error: unknown): void;
}

export function createWriter(options: WriterOptions, deps: WriterDeps): Writer {
  const { client, spool, metrics, logger } = deps;
  let queue: PendingWrite[] = [];
  let queuedRows = 0;
  let queuedBytes = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  let closed = false;

  function spoolFull(): ScrapewatchError {
    return new ScrapewatchError(
      'SPOOL_FULL',
      `QuestDB is unreachable and the spool holds its maximum; retry in ${options.retryAfterSeconds} s.`,
      [],
      options.retryAfterSeconds,
    );
  }

  /** The write went to QuestDB or was refused: the spool room it held is free again. */
  function settle(write: PendingWrite): void {
    if (write.roomHeld) spool.release(write.bytes.length);
  }

  /** A write whose room is held always fits (append uses the room up, see Spool.append). */
  async function toSpool(all: readonly PendingWrite[]): Promise<void> {
    const batch = all.filter((write) => write.fallback === 'spool');
    for (const write of all) {
      if (write.fallback === 'reject') {
        settle(write);
        write.reject(
          new ScrapewatchError('UNAVAILABLE', 'QuestDB cannot take the rows now.', [], 1),
        );
      }
    }
    if (batch.length === 0) return;
    let results;
    try {
      results = await spool.append(batch);
    } catch (error) {
      const rows = batch.reduce((sum, w) => sum + w.rows, 0);
      metrics.writeFailure('spool_error', rows);
      logger.error({ err: error, rows }, 'spool append failed; the write is refused');
      const refusal = new ScrapewatchError('INTERNAL', 'The event could not be stored or spooled.');
      for (const write of batch) write.reject(refusal);
      return;
    }
    let records = 0;
    let rows = 0;
    batch.forEach((write, i) => {
      if (results[i] === 'spooled') {
        records += 1;
        rows += write.rows;
        write.resolve({ durability: 'spooled' });
      } else {
        metrics.writeFailure('spool_full', write.rows);
        write.reject(spoolFull());
      }
    });
    if (records > 0) metrics.spoolAppended(records, rows);
  }

  /** One ILP request; returns null when committed, else why it failed. */
  async function send(bytes: Buffer, rows: number): Promise<IlpError | null> {
    const started = process.hrtime.bigint();
    try {
      await client.sendIlp(bytes);
      metrics.ilpFlush(
        'direct',
        'committed',
        rows,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      return null;
    } catch (error) {
      const ilp =
        error instanceof IlpError ? error : new IlpError('unavailable', String(error), undefined);
      metrics.ilpFlush(
        'direct',
        ilp.failure,
        rows,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      return ilp;
    }
  }

  /** QuestDB refused a batch: find the call(s) it refused, commit or spool the others. */
  async function isolateRejected(batch: readonly PendingWrite[]): Promise<void> {
    const unavailable: PendingWrite[] = [];
    for (const write of batch) {
      const failure = await send(write.bytes, write.rows);
      if (failure === null) {
        settle(write);
        write.resolve({ durability: 'committed' });
      } else if (failure.failure === 'unavailable') {
        unavailable.push(write);
      } else {
        metrics.writeFailure('questdb_rejected', write.rows);
        logger.error({ err: failure, rows: write.rows }, 'QuestDB rejected the rows of a write');
        settle(write);
        write.reject(new ScrapewatchError('INTERNAL', 'QuestDB rejected the events.'));
      }
    }
    if (unavailable.length > 0) {
      deps.onUnavailable();
      await toSpool(unavailable);
    }
  }

  async function flush(batch: PendingWrite[]): Promise<void> {
    if (!deps.canWriteDirect()) {
      await toSpool(batch);
      return;
    }
    const rows = batch.reduce((sum, w) => sum + w.rows, 0);
    const bytes =
      batch.length === 1
        ? (batch[0] as PendingWrite).bytes
        : Buffer.concat(batch.map((w) => w.bytes));
    const failure = await send(bytes, rows);
    if (failure === null) {
      for (const write of batch) {
        settle(write);
        write.resolve({ durability: 'committed' });
      }
    } else if (failure.failure === 'unavailable') {
      deps.onUnavailable();
      metrics.writeFailure('questdb_unavailable', rows);
      logger.warn({ err: failure, rows }, 'QuestDB unavailable; spooling the batch');
      await toSpool(batch);
    } else if (batch.length > 1) {
      await isolateRejected(batch);
    } else {
      metrics.writeFailure('questdb_rejected', rows);
      logger.error({ err: failure, rows }, 'QuestDB rejected the rows of a write');
      for (const write of batch) {
        settle(write);
        write.reject(new ScrapewatchError('INTERNAL', 'QuestDB rejected the events.'));
      }
    }
  }

  function takeBatch(): PendingWrite[] {
    let rows = 0;
    let bytes = 0;
    let count = 0;
    for (; count < queue.length; count++) {
      const next = queue[count] as PendingWrite;
      if (
        count > 0 &&
        (rows + next.rows > options.maxRows || bytes + next.bytes.length > options.maxBytes)
      )
        break;
      rows += next.rows;
      bytes += next.bytes.length;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    queuedRows -= rows;
    queuedBytes -= bytes;
    return batch;
  }

  /** Sends batches one at a time; whatever queued while one was in flight forms the next. */
  function pump(): void {
    if (lingerTimer) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    if (inFlight || queue.length === 0) return;
    const batch = takeBatch();
    lastStartedAt = performance.now();
    inFlight = flush(batch)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'storage flush failed unexpectedly');
        for (const write of batch) {
          settle(write);
          write.reject(new ScrapewatchError('INTERNAL'));
        }
      })
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
  }

  /**
   * When the next request leaves: at once when `eagerRows` or a ceiling is reached, or on close; otherwise after
   * `lingerMs`, and no sooner than `minIntervalMs` after the previous request started.
   */
  function schedule(): void {
    if (inFlight || queue.length === 0) return; // the in-flight batch's completion schedules
    const full =
      queuedRows >= options.maxRows ||
      queuedRows >= options.eagerRows ||
      queuedBytes >= options.maxBytes;
    const waitMs =
      closed || full
        ? 0
        : Math.max(options.lingerMs, lastStartedAt + options.minIntervalMs - performance.now());
    if (waitMs <= 0) pump();
    else lingerTimer ??= setTimeout(pump, waitMs);
  }

  function admit(
    events: readonly AcceptedEvent[],
    receivedAtMs: number,
    fallback: WriteFallback = 'spool',
  ): AdmittedWrite {
    if (closed) throw new ScrapewatchError('SHUTTING_DOWN');
    if (events.length === 0) {
      return { roomHeld: true, durable: Promise.resolve({ durability: 'committed' }) };
    }
    let bytes: Buffer;
    try {
      bytes = encodeRows(events, receivedAtMs);
    } catch (error) {
      logger.error({ err: error }, 'events could not be encoded as ILP rows');
      throw new ScrapewatchError('INTERNAL', 'The events could not be encoded.');
    }
    // No room (QuestDB away and the spool nearly full, or a huge backlog in memory): the write
    // still goes ahead, and it is QuestDB or the spool that decides whether it is refused. A
    // write that never goes to the spool ('reject') holds no room there.
    const roomHeld = fallback === 'spool' && spool.reserve(bytes.length);
    const durable = new Promise<{ durability: Durability }>((resolve, reject) => {
      queue.push({ bytes, rows: events.length, fallback, roomHeld, resolve, reject });
    });
    queuedRows += events.length;
    queuedBytes += bytes.length;
    schedule();
    return { roomHeld, durable };
  }

  return {
    admit,
    write(events, receivedAtMs, fallback = 'spool') {
      try {
        return admit(events, receivedAtMs, fallback).durable;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      closed = true;
      pump();
      while (inFlight) await inFlight;
    },
  };
}
