import { Pool } from 'pg';
import type { Logger } from 'pino';
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  ScrapewatchError,
  type AcceptedEvent,
  type EventKind,
  type HistoryQuery,
  type HistoryResponse,
  type RunOutcome,
  type SchedulerStatus,
  type ScrapersResponse,
} from '@scrapewatch/protocol';
import { toMicros } from './rows';
import { DERIVED_TABLES, TABLES } from './schema';

/** Reads over the PostgreSQL wire protocol; every user value travels as a bind parameter. */
export interface HistoryReader {
  history(query: HistoryQuery): Promise<HistoryResponse>;
  scrapers(): Promise<ScrapersResponse>;
  close(): Promise<void>;
}

export interface HistoryReaderOptions {
  readonly pgUrl: string;
  readonly timeoutMs: number;
  readonly maxConnections?: number;
}

type Row = Record<string, unknown>;

// Timestamps are read as epoch microseconds (cast to long): exact, and free of the driver's
// local-time interpretation of `timestamp without time zone`.
const COLUMNS: Record<EventKind, string> = {
  page_navigation:
    'cast(ts AS long) ts_us, event_id, scraper, url, duration_ms, retry_count, success, status_code, bytes, error, error_class, run_id',
  page_scrape:
    'cast(ts AS long) ts_us, event_id, scraper, url, duration_ms, items_extracted, success, error, error_class, run_id',
  scheduler_run:
    'cast(ts AS long) ts_us, event_id, scheduler_name, job_name, scraper, status, success, duration_ms, scrapers_run, cast(scheduled_at AS long) scheduled_us, cast(started_at AS long) started_us, error, error_class, run_id',
  scraper_run:
    'cast(ts AS long) ts_us, event_id, scraper, run_id, outcome, cast(started_at AS long) started_us, pages, items, errors, error, error_class',
};

/** Where the `fields` of an event kind are stored, one row per field. */
const FIELD_TABLES: Partial<Record<EventKind, string>> = {
  page_scrape: DERIVED_TABLES.field_coverage,
  scraper_run: DERIVED_TABLES.scraper_run_field,
};

/** The column a scraper filter applies to: a scheduler run without a scraper is its scheduler's. */
const SCRAPER_EXPRESSION: Record<EventKind, string> = {
  page_navigation: 'scraper',
  page_scrape: 'scraper',
  scheduler_run: 'coalesce(scraper, scheduler_name)',
  scraper_run: 'scraper',
};

function usToMs(value: unknown): number {
  return Number(value) / 1000;
}

function text(value: unknown): string {
  return String(value);
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Adds `key: value` only when the value is not null (optional wire fields). */
function withOptional<T extends object>(target: T, key: string, value: unknown): T {
  if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

export function rowToEvent(kind: EventKind, row: Row): AcceptedEvent {
  const recordedAt = usToMs(row.ts_us);
  const eventId = text(row.event_id);
  switch (kind) {
    case 'page_navigation': {
      const event = {
        type: 'page_navigation' as const,
        scraperSource: text(row.scraper),
        url: text(row.url),
        navigationDurationMs: Number(row.duration_ms),
        retryCount: Number(row.retry_count),
        success: row.success === true,
        error: nullableText(row.error),
        recordedAt,
        eventId,
      };
      withOptional(event, 'statusCode', nullableNumber(row.status_code));
      withOptional(event, 'bytes', nullableNumber(row.bytes));
      withOptional(event, 'errorClass', nullableText(row.error_class));
      return withOptional(event, 'runId', nullableText(row.run_id));
    }
    case 'page_scrape': {
      const event = {
        type: 'page_scrape' as const,
        scraperSource: text(row.scraper),
        url: text(row.url),
        scrapeDurationMs: Number(row.duration_ms),
        itemsExtracted: Number(row.items_extracted),
        success: row.success === true,
        error: nullableText(row.error),
        recordedAt,
        eventId,
      };
      withOptional(event, 'errorClass', nullableText(row.error_class));
      return withOptional(event, 'runId', nullableText(row.run_id));
    }
    case 'scheduler_run': {
      const startedUs = nullableNumber(row.started_us);
      const event = {
        type: 'scheduler_run' as const,
        schedulerName: text(row.scheduler_name),
        jobName: text(row.job_name),
        durationMs: Number(row.duration_ms),
        success: row.success === true,
        status: text(row.status) as SchedulerStatus,
        error: nullableText(row.error),
        scheduledAt: usToMs(row.scheduled_us),
        startedAt: startedUs === null ? null : startedUs / 1000,
        recordedAt,
        eventId,
      };
      withOptional(event, 'scraperSource', nullableText(row.scraper));
      withOptional(event, 'scrapersRun', nullableNumber(row.scrapers_run));
      withOptional(event, 'errorClass', nullableText(row.error_class));
      return withOptional(event, 'runId', nullableText(row.run_id));
    }
    case 'scraper_run': {
      const event = {
        type: 'scraper_run' as const,
        scraperSource: text(row.scraper),
        runId: text(row.run_id),
        startedAt: usToMs(row.started_us),
        recordedAt,
        outcome: text(row.outcome) as RunOutcome,
        pages: Number(row.pages),
        items: Number(row.items),
        errors: Number(row.errors),
        error: nullableText(row.error),
        eventId,
      };
      return withOptional(event, 'errorClass', nullableText(row.error_class));
    }
  }
}

/** The protocol's largest epoch millisecond: its microseconds still fit a QuestDB long. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

function boundMicros(ms: number): string {
  return String(toMicros(Math.min(MAX_EPOCH_MS, Math.max(0, ms))));
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return HISTORY_DEFAULT_LIMIT;
  return Math.min(HISTORY_MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

export function createHistoryReader(options: HistoryReaderOptions, logger: Logger): HistoryReader {
  const pool = new Pool({
    connectionString: options.pgUrl,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  });
  // An idle client losing its connection (QuestDB restarting) must not crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'QuestDB pg connection lost'));

  async function query(sql: string, params: readonly unknown[]): Promise<Row[]> {
    try {
      const result = await pool.query<Row>(sql, params as unknown[]);
      return result.rows;
    } catch (error) {
      logger.warn({ err: error }, 'QuestDB read failed');
      throw new ScrapewatchError('HISTORY_UNAVAILABLE');
    }
  }

  /**
   * Sets `fields` on the events that reported coverage: one read of the field table over the
   * events' own time span (their rows share the event's timestamp), matched by event id.
   */
  async function attachFields(
    table: string,
    events: AcceptedEvent[],
    scrapers: readonly string[],
  ): Promise<void> {
    const first = events[0]!.recordedAt;
    const last = events[events.length - 1]!.recordedAt;
    const params: unknown[] = [boundMicros(first), boundMicros(last)];
    let where = 'ts >= cast($1 AS long) AND ts <= cast($2 AS long)';
    if (scrapers.length > 0) {
      const placeholders = scrapers.map((name) => {
        params.push(name);
        return `$${params.length}`;
      });
      where += ` AND scraper IN (${placeholders.join(', ')})`;
    }
    const rows = await query(`SELECT event_id, field, filled FROM ${table} WHERE ${where}`, params);
    const byEvent = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const id = text(row.event_id);
      let fields = byEvent.get(id);
      if (!fields) {
        fields = Object.create(null) as Record<string, number>;
        byEvent.set(id, fields);
      }
      fields[text(row.field)] = Number(row.filled);
    }
    for (const event of events) {
      const fields = byEvent.get(event.eventId);
      if (fields && (event.type === 'page_scrape' || event.type === 'scraper_run')) {
        event.fields = { ...fields };
      }
    }
  }

  return {
    async history(q) {
      const limit = clampLimit(q.limit);
      const params: unknown[] = [boundMicros(q.fromMs), boundMicros(q.toMs)];
      let where = 'ts >= cast($1 AS long) AND ts <= cast($2 AS long)';
      const scrapers = q.scrapers ?? [];
      if (scrapers.length > 0) {
        const placeholders = scrapers.map((name) => {
          params.push(name);
          return `$${params.length}`;
        });
        where += ` AND ${SCRAPER_EXPRESSION[q.kind]} IN (${placeholders.join(', ')})`;
      }
      params.push(limit + 1);
      // Newest first with one extra row tells whether `limit` cut the range; then oldest first.
      const sql = `SELECT ${COLUMNS[q.kind]} FROM ${TABLES[q.kind]} WHERE ${where} ORDER BY ts DESC LIMIT $${params.length}`;
      const rows = await query(sql, params);
      const truncated = rows.length > limit;
      const events = rows
        .slice(0, limit)
        .reverse()
        .map((row) => rowToEvent(q.kind, row));
      const fieldTable = FIELD_TABLES[q.kind];
      if (fieldTable !== undefined && events.length > 0) {
        await attachFields(fieldTable, events, scrapers);
      }
      return { kind: q.kind, fromMs: q.fromMs, toMs: q.toMs, events, truncated };
    },
    async scrapers() {
      const [navigation, scrape, scheduler] = await Promise.all([
        query(
          `SELECT scraper name, cast(ts AS long) ts_us FROM ${TABLES.page_navigation} LATEST ON ts PARTITION BY scraper`,
          [],
        ),
        query(
          `SELECT scraper name, cast(ts AS long) ts_us FROM ${TABLES.page_scrape} LATEST ON ts PARTITION BY scraper`,
          [],
        ),
        query(
          `SELECT coalesce(scraper, scheduler_name) name, cast(ts AS long) ts_us FROM ${TABLES.scheduler_run} LATEST ON ts PARTITION BY scraper, scheduler_name`,
          [],
        ),
      ]);
      const lastSeen = new Map<string, number>();
      for (const row of [...navigation, ...scrape, ...scheduler]) {
        if (row.name === null || row.name === undefined) continue;
        const name = String(row.name);
        const seenMs = usToMs(row.ts_us);
        if (seenMs > (lastSeen.get(name) ?? -Infinity)) lastSeen.set(name, seenMs);
      }
      const scrapers = [...lastSeen]
        .map(([name, lastSeenMs]) => ({ name, lastSeenMs }))
        .sort((a, b) => b.lastSeenMs - a.lastSeenMs || a.name.localeCompare(b.name));
      return { scrapers };
    },
    async close() {
      await pool.end();
    },
  };
}
