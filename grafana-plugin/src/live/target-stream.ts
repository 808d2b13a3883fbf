import { LoadingState, type DataQueryResponse, type QueryResultMetaNotice } from '@grafana/data';
import {
  HISTORY_MAX_LIMIT,
  type AcceptedEvent,
  type HistoryQuery,
  type HistoryResponse,
} from '@scrapewatch/protocol/core';
import { Observable } from 'rxjs';
import { withNotices, type ResolvedQuery } from './frames';
import { channelsFor } from './scrapers';
import type { ConnectionState, StreamConnection, Timers } from './stream-connection';
import { evaluationGrid, TargetSeries } from './target-series';

export interface TargetStreamOptions {
  /** Stable per panel and target, so that Grafana replaces rather than duplicates the stream. */
  readonly key: string;
  readonly query: ResolvedQuery;
  readonly fromMs: number;
  readonly toMs: number;
  /** The panel's maxDataPoints: rows (raw) or points (aggregate) kept per series. */
  readonly capacity: number;
}

export interface TargetStreamDeps {
  readonly connection: StreamConnection;
  readonly history: (query: HistoryQuery) => Promise<HistoryResponse>;
  readonly timers: Timers;
  readonly nowMs: () => number;
}

/** A range ending this long before now is history only: nothing live would fall inside it. */
export const LIVE_TOLERANCE_MS = 60_000;
/** Frames are rebuilt at most this often while batches pour in. */
const EMIT_INTERVAL_MS = 100;
const MIN_STEP_MS = 1_000;
const MAX_EVENTS_PER_SERIES = 50_000;
/** Repairs after an outage start this much before the newest event seen: scrapers' clocks and batching reorder events a little. */
const REPAIR_OVERLAP_MS = 60_000;

/** Events a history read needs: raw series keep only `capacity` rows each, and history returns the newest. */
export function historyLimit(query: ResolvedQuery, capacity: number): number {
  if (query.mode === 'aggregate') return HISTORY_MAX_LIMIT;
  if (query.groupBy === 'none') return Math.min(HISTORY_MAX_LIMIT, capacity);
  if (!query.selection.all)
    return Math.min(HISTORY_MAX_LIMIT, capacity * query.selection.names.length);
  return HISTORY_MAX_LIMIT;
}

/**
 * One target as an Observable: subscribes on the shared socket first (holding live batches),
 * backfills [from, now] from history, merges both exactly once by eventId, then appends live
 * batches; repairs `gap`s from history; shows the connection state as a frame notice while the
 * socket is down. Unsubscribing releases the socket listener and clears every timer.
 */
export function streamTarget(
  options: TargetStreamOptions,
  deps: TargetStreamDeps,
): Observable<DataQueryResponse> {
  if (options.toMs < deps.nowMs() - LIVE_TOLERANCE_MS) return historyTarget(options, deps);
  const { query, key } = options;
  return new Observable<DataQueryResponse>((subscriber) => {
    const series = new TargetSeries(query, {
      capacity: options.capacity,
      maxEvents: MAX_EVENTS_PER_SERIES,
      maxRememberedIds: Math.max(MAX_EVENTS_PER_SERIES, options.capacity * 20),
    });
    const spanMs = Math.max(MIN_STEP_MS, options.toMs - options.fromMs);
    const stepMs = Math.max(MIN_STEP_MS, Math.ceil(spanMs / Math.max(1, options.capacity)));
    let closed = false;
    let backfilling = true;
    let held: AcceptedEvent[] = [];
    let connectionNotice: QueryResultMetaNotice | null = null;
    let historyNotice: QueryResultMetaNotice | null = null;
    let emitTimer: unknown = null;
    let tickTimer: unknown = null;
    let repairs: Promise<void> = Promise.resolve();
    let wasDisconnected = false;

    const emitNow = (): void => {
      if (emitTimer !== null) deps.timers.clearTimeout(emitTimer);
      emitTimer = null;
      if (closed) return;
      const notices = [connectionNotice, historyNotice].filter(
        (n): n is QueryResultMetaNotice => n !== null,
      );
      subscriber.next({
        key,
        state: LoadingState.Streaming,
        data: withNotices(query, series.frames(), notices),
      });
    };
    const emitSoon = (): void => {
      if (closed || emitTimer !== null) return;
      emitTimer = deps.timers.setTimeout(() => {
        emitTimer = null;
        emitNow();
      }, EMIT_INTERVAL_MS);
    };

    const limit = historyLimit(query, options.capacity);
    const readHistory = async (fromMs: number, toMs: number): Promise<AcceptedEvent[]> => {
      const response = await deps.history({
        kind: query.kind,
        ...(query.selection.all ? {} : { scrapers: query.selection.names }),
        fromMs,
        toMs,
        limit,
      });
      // A raw cut at the capacity loses nothing the frames would keep; only a cut at the maximum does.
      historyNotice =
        response.truncated && limit === HISTORY_MAX_LIMIT
          ? {
              severity: 'info',
              text: `History was cut to the newest ${response.events.length} events of the range.`,
            }
          : null;
      return response.events;
    };
    const historyFailed = (error: unknown): void => {
      historyNotice = {
        severity: 'warning',
        text: `History unavailable, showing live data only: ${(error as Error).message}`,
      };
    };

    const tick = (): void => {
      tickTimer = null;
      if (closed) return;
      const now = deps.nowMs();
      series.evaluate([now]);
      series.dropEventsBefore(now - spanMs - query.windowMs);
      emitNow();
      tickTimer = deps.timers.setTimeout(tick, stepMs);
    };

    /** Re-reads [fromMs, toMs] from history after the live stream lost batches. Repairs run one at a time. */
    const repair = (fromMs: number, toMs: number): void => {
      repairs = repairs.then(async () => {
        if (closed) return;
        try {
          const events = await readHistory(fromMs, toMs);
          if (closed) return;
          if (series.add(events) > 0 && query.mode === 'aggregate')
            series.reevaluate(fromMs, toMs + query.windowMs);
        } catch (error) {
          historyFailed(error);
        }
        emitSoon();
      });
    };

    const repairFromMs = (): number =>
      Math.max(options.fromMs, (series.newestMs ?? options.fromMs) - REPAIR_OVERLAP_MS);

    const release = deps.connection.subscribe({
      channels: channelsFor(query.selection),
      kinds: [query.kind],
      onBatch(batch) {
        if (backfilling) {
          held.push(...batch.metrics);
        } else if (series.add(batch.metrics) > 0 && query.mode === 'raw') {
          emitSoon();
        }
      },
      onGap(gap) {
        repair(gap.fromMs ?? repairFromMs(), gap.toMs ?? deps.nowMs());
      },
      onState(state) {
        // Back after an outage: besides the collector's resume/gap, re-read what may have been
        // ingested meanwhile (a restarted collector cannot know what this client missed).
        if (state.state === 'open' && wasDisconnected) repair(repairFromMs(), deps.nowMs());
        wasDisconnected =
          state.state === 'disconnected' || (wasDisconnected && state.state === 'connecting');
        connectionNotice = noticeFor(state);
        emitSoon();
      },
    });

    const backfillToMs = Math.max(options.toMs, deps.nowMs());
    repairs = readHistory(options.fromMs, backfillToMs)
      .then(
        (events) => {
          series.add(events);
        },
        (error: unknown) => historyFailed(error),
      )
      .then(() => {
        if (closed) return;
        backfilling = false;
        series.add(held);
        held = [];
        if (query.mode === 'aggregate') {
          series.evaluate(evaluationGrid(options.fromMs, deps.nowMs(), stepMs));
          tickTimer = deps.timers.setTimeout(tick, stepMs);
        }
        emitNow();
      })
      .catch((error: unknown) => subscriber.error(error));

    return () => {
      closed = true;
      release();
      if (emitTimer !== null) deps.timers.clearTimeout(emitTimer);
      if (tickTimer !== null) deps.timers.clearTimeout(tickTimer);
      emitTimer = null;
      tickTimer = null;
      held = [];
    };
  });
}

/** A range wholly in the past: one history read, frames built as for live, then Done. */
function historyTarget(
  options: TargetStreamOptions,
  deps: TargetStreamDeps,
): Observable<DataQueryResponse> {
  const { query, key } = options;
  return new Observable<DataQueryResponse>((subscriber) => {
    let closed = false;
    const series = new TargetSeries(query, {
      capacity: options.capacity,
      maxEvents: MAX_EVENTS_PER_SERIES,
      maxRememberedIds: MAX_EVENTS_PER_SERIES,
    });
    deps
      .history({
        kind: query.kind,
        ...(query.selection.all ? {} : { scrapers: query.selection.names }),
        fromMs: options.fromMs,
        toMs: options.toMs,
        limit: historyLimit(query, options.capacity),
      })
      .then(
        (response) => {
          if (closed) return;
          series.add(response.events);
          if (query.mode === 'aggregate') {
            const stepMs = Math.max(
              MIN_STEP_MS,
              Math.ceil((options.toMs - options.fromMs) / Math.max(1, options.capacity)),
            );
            series.evaluate(evaluationGrid(options.fromMs, options.toMs, stepMs));
          }
          const notices: QueryResultMetaNotice[] =
            response.truncated && historyLimit(query, options.capacity) === HISTORY_MAX_LIMIT
              ? [
                  {
                    severity: 'info',
                    text: `History was cut to the newest ${response.events.length} events of the range.`,
                  },
                ]
              : [];
          subscriber.next({
            key,
            state: LoadingState.Done,
            data: withNotices(query, series.frames(), notices),
          });
          subscriber.complete();
        },
        (error: unknown) => {
          if (!closed) subscriber.error(error);
        },
      );
    return () => {
      closed = true;
    };
  });
}

/** The frame notice for a connection state: nothing while connected, a warning while not. */
export function noticeFor(state: ConnectionState): QueryResultMetaNotice | null {
  if (state.state !== 'disconnected') return null;
  const seconds = Math.max(1, Math.round(state.retryInMs / 1000));
  return {
    severity: 'warning',
    text: `Live stream disconnected (${state.reason}); reconnecting in ${seconds}s. Data after the last update is missing until then and will be filled in.`,
  };
}
