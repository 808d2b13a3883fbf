import { type ScrapewatchError } from '@scrapewatch/protocol';
import type { DropInfo, DropReason, ErrorContext, ResolvedOptions, RetryInfo } from '../options';
import { sendBatch, type SendOutcome } from './http-transport';
import { BoundedQueue, type QueuedEvent } from './queue';
import { retryDelayMs } from './retry';

export interface DeliveryHooks {
  readonly onError: (error: ScrapewatchError, context: ErrorContext) => void;
  readonly onDrop: (info: DropInfo) => void;
  readonly onRetry: (info: RetryInfo) => void;
}

export interface DeliveryStats {
  /** Events accepted into the queue. */
  readonly queuedTotal: number;
  /** Events the collector acknowledged (202). */
  readonly delivered: number;
  /** Events waiting, not counting the batch on the wire. */
  readonly queued: number;
  /** Events of the request on the wire right now. */
  readonly inFlight: number;
  readonly batchesDelivered: number;
  /** Scheduled retries of a batch (network errors, timeouts, 429, 5xx). */
  readonly retries: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Durability the collector reported for the last acknowledged batch. */
  readonly lastDurability: string | undefined;
}

export interface FlushResult {
  /** True when every event recorded before the call was delivered or dropped. */
  readonly ok: boolean;
  /** Events still queued or in flight when the call returned. */
  readonly pending: number;
}

export interface CloseResult {
  readonly delivered: number;
  /** Events given up at the deadline (also counted as dropped 'close_deadline'). */
  readonly unsent: number;
}

type State = 'idle' | 'lingering' | 'sending' | 'backoff' | 'closed';

interface Waiter {
  readonly throughSeq: number;
  readonly resolve: () => void;
  readonly settled: Promise<void>;
}

/**
 * The delivery loop: one bounded queue, at most one request on the wire (so the queue bound holds
 * and order is kept), batches cut by size, bytes or linger, retries with backoff + full jitter.
 *
 * Timers are unref'd so telemetry never keeps a process alive, except while a caller awaits
 * flush() or close(): that caller asked to wait, bounded by its deadline.
 */
export class Delivery {
  private readonly queue: BoundedQueue;
  private inflight: QueuedEvent[] = [];
  private state: State = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private nextSeq = 1;
  /** Events up to this seq are sent without waiting for linger (flush, close). */
  private urgentThroughSeq = 0;
  private attempt = 0;
  /** Lowered after a 413 so the collector's request limit is respected. */
  private batchLimit: number;
  private waiters: Waiter[] = [];
  private closing: Promise<CloseResult> | undefined;
  private readonly counters = {
    queuedTotal: 0,
    delivered: 0,
    batchesDelivered: 0,
    retries: 0,
    lastDurability: undefined as string | undefined,
    dropped: { queue_full: 0, invalid: 0, rejected: 0, close_deadline: 0, closed: 0 } as Record<
      DropReason,
      number
    >,
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly hooks: DeliveryHooks,
    private readonly random: () => number,
    private readonly nowMs: () => number,
  ) {
    this.queue = new BoundedQueue(options.maxQueueEvents);
    this.batchLimit = options.batchMaxEvents;
  }

  /** Queues one serialised event; false when closed (the event is counted as dropped). Never throws. */
  enqueue(line: string): boolean {
    if (this.closing !== undefined) {
      this.drop('closed', 1);
      return false;
    }
    const item: QueuedEvent = { seq: this.nextSeq++, line, bytes: Buffer.byteLength(line) + 1 };
    const evicted = this.queue.push(item, this.options.maxQueueEvents - this.inflight.length);
    this.counters.queuedTotal++;
    if (evicted !== undefined) this.drop('queue_full', 1);
    this.kick();
    return true;
  }

  /** Counts dropped events and tells onDrop; also used by the client for events refused before queueing. */
  drop(reason: DropReason, count: number): void {
    if (count <= 0) return;
    this.counters.dropped[reason] += count;
    this.hooks.onDrop({ reason, count });
  }

  stats(): DeliveryStats {
    const { dropped, ...rest } = this.counters;
    return {
      ...rest,
      queued: this.queue.length,
      inFlight: this.inflight.length,
      dropped: { ...dropped },
    };
  }

  /** Sends what is queued now and waits until it is delivered or dropped, or until the deadline. */
  async flush(deadlineMs?: number): Promise<FlushResult> {
    const throughSeq = this.nextSeq - 1;
    if (this.firstUnsettledSeq() > throughSeq) return { ok: true, pending: 0 };
    this.urgentThroughSeq = Math.max(this.urgentThroughSeq, throughSeq);
    const waiter = this.waitFor(throughSeq);
    this.kick();
    const ok = await withDeadline(waiter.settled, deadlineMs);
    // A caller that stopped waiting must not keep the timers ref'd.
    if (!ok) this.removeWaiter(waiter);
    return { ok, pending: ok ? 0 : this.queue.length + this.inflight.length };
  }

  /**
   * Stops accepting events, sends what is queued and gives up at the deadline: the request on the
   * wire is aborted and what is left is counted as dropped ('close_deadline'). Idempotent.
   */
  close(deadlineMs: number): Promise<CloseResult> {
    this.closing ??= this.closeOnce(deadlineMs);
    return this.closing;
  }

  private async closeOnce(deadlineMs: number): Promise<CloseResult> {
    const throughSeq = this.nextSeq - 1;
    this.urgentThroughSeq = Number.MAX_SAFE_INTEGER;
    const waiter = this.waitFor(throughSeq);
    this.kick();
    await withDeadline(waiter.settled, deadlineMs);
    this.state = 'closed';
    this.clearTimer();
    this.abort.abort();
    // An aborted request settles at once; its events come back to the queue unless acknowledged.
    await this.sending;
    const unsent = this.queue.clear() + this.inflight.length;
    this.inflight = [];
    this.drop('close_deadline', unsent);
    this.settleWaiters(true);
    return { delivered: this.counters.delivered, unsent };
  }

  private firstUnsettledSeq(): number {
    return this.inflight[0]?.seq ?? this.queue.peek()?.seq ?? this.nextSeq;
  }

  private waitFor(throughSeq: number): Waiter {
    let resolve: () => void = () => undefined;
    const settled = new Promise<void>((done) => (resolve = done));
    const waiter: Waiter = { throughSeq, resolve, settled };
    this.waiters.push(waiter);
    this.timer?.ref();
    return waiter;
  }

  private removeWaiter(waiter: Waiter): void {
    this.waiters = this.waiters.filter((other) => other !== waiter);
    if (this.waiters.length === 0) this.timer?.unref();
  }

  private settleWaiters(all = false): void {
    if (this.waiters.length === 0) return;
    const first = this.firstUnsettledSeq();
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (all || waiter.throughSeq < first) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
    if (still.length === 0) this.timer?.unref();
  }

  private setTimer(delayMs: number, fire: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fire();
    }, delayMs);
    if (this.waiters.length === 0) this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Decides, after any change, whether to send now, linger, or do nothing. */
  private kick(): void {
    // Drops at the head (queue full) settle waiters too.
    this.settleWaiters();
    if (this.state === 'sending' || this.state === 'backoff' || this.state === 'closed') return;
    const head = this.queue.peek();
    if (head === undefined) {
      this.state = 'idle';
      return;
    }
    const full =
      this.queue.length >= this.batchLimit || this.queue.bytes >= this.options.batchMaxBytes;
    if (full || head.seq <= this.urgentThroughSeq || this.options.lingerMs === 0) {
      this.clearTimer();
      this.startSend();
    } else if (this.state !== 'lingering') {
      this.state = 'lingering';
      this.setTimer(this.options.lingerMs, () => {
        this.state = 'idle';
        this.startSend();
      });
    }
  }

  private startSend(): void {
    const batch = this.queue.take(this.batchLimit, this.options.batchMaxBytes);
    if (batch.length === 0) {
      this.state = 'idle';
      this.settleWaiters();
      return;
    }
    this.state = 'sending';
    this.inflight = batch;
    this.sending = this.deliver(batch);
  }

  private async deliver(batch: QueuedEvent[]): Promise<void> {
    let outcome: SendOutcome;
    try {
      outcome = await sendBatch({
        endpoint: this.options.endpoint,
        token: this.options.token,
        lines: batch.map((item) => item.line),
        timeoutMs: this.options.requestTimeoutMs,
        signal: this.abort.signal,
        nowMs: this.nowMs,
      });
    } catch (error) {
      // sendBatch does not throw; this only guards against a broken runtime.
      outcome = {
        kind: 'retry',
        reason: String(error),
        status: undefined,
        retryAfterMs: undefined,
      };
    }
    this.inflight = [];
    this.sending = undefined;
    const closed = this.state === 'closed';
    let backoffMs: number | undefined;
    switch (outcome.kind) {
      case 'accepted':
        this.counters.delivered += batch.length;
        this.counters.batchesDelivered++;
        this.counters.lastDurability = outcome.durability;
        this.attempt = 0;
        break;
      case 'retry':
        this.requeue(batch);
        if (!closed) {
          backoffMs = retryDelayMs(this.attempt, this.options, this.random, outcome.retryAfterMs);
          this.hooks.onRetry({
            attempt: this.attempt,
            delayMs: backoffMs,
            reason: outcome.reason,
            status: outcome.status,
            events: batch.length,
          });
          this.attempt++;
          this.counters.retries++;
        }
        break;
      case 'too_large':
        if (batch.length > 1) {
          this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
          this.requeue(batch);
        } else {
          this.reject(batch, 413, outcome.error);
        }
        break;
      case 'rejected':
        this.reject(batch, outcome.status, outcome.error);
        break;
    }
    if (closed) return;
    if (backoffMs !== undefined) {
      this.state = 'backoff';
      this.setTimer(backoffMs, () => {
        this.state = 'idle';
        // Retried events have waited already: send at once, without a new linger.
        this.startSend();
      });
      return;
    }
    this.state = 'idle';
    this.kick();
  }

  private requeue(batch: readonly QueuedEvent[]): void {
    const dropped = this.queue.unshiftAll(batch);
    this.drop('queue_full', dropped.length);
  }

  /**
   * A 4xx: reported once, never retried. For a 400 naming its items, only those are dropped and
   * the rest go back to the head of the queue; otherwise the whole batch is dropped.
   */
  private reject(batch: readonly QueuedEvent[], status: number, error: ScrapewatchError): void {
    this.attempt = 0;
    this.hooks.onError(error, { source: 'collector', status, events: batch.length });
    const bad = new Set<number>();
    for (const detail of error.details) {
      if (Number.isInteger(detail.index) && (detail.index as number) < batch.length) {
        bad.add(detail.index as number);
      }
    }
    if (status !== 400 || bad.size === 0 || bad.size >= batch.length) {
      this.drop('rejected', batch.length);
      return;
    }
    this.drop('rejected', bad.size);
    this.requeue(batch.filter((_, index) => !bad.has(index)));
  }
}

/** Resolves true when `promise` settles first, false at the deadline (none: waits). */
async function withDeadline(
  promise: Promise<void>,
  deadlineMs: number | undefined,
): Promise<boolean> {
  if (deadlineMs === undefined) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    // Ref'd on purpose: the caller awaits this, bounded by its own deadline.
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs));
  });
  try {
    return await Promise.race([promise.then(() => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
