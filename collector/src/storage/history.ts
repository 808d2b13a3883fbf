import { Pool } from 'pg';
import type { Logger } from 'pino';
import {
  EVENT_REGISTRY,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  ScrapewatchError,
  type AcceptedEvent,
  type EventKind,
  type HistoryQuery,
  type ColumnType,
  type FieldSpec,
  type HistoryResponse,
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

/** How one selected column is read back into its wire field. */
interface ReadColumn {
  readonly field: string;
  /** The name the SELECT gives the column's value. */
  readonly alias: string;
  readonly read: (value: unknown) => unknown;
  /**
   * A null value: read like any value (a required field: its reader's value for null, e.g. 0,
   * as history always answered), `null` in the event, or the field left out.
   */
  readonly whenNull: 'read' | 'null' | 'omit';
}

interface ReadPlan {
  readonly select: string;
  readonly columns: readonly ReadColumn[];
}

function usToMs(value: unknown): number {
  return Number(value) / 1000;
}

function reader(type: ColumnType): (value: unknown) => unknown {
  switch (type) {
    case 'SYMBOL':
    case 'VARCHAR':
      return String;
    case 'DOUBLE':
    case 'INT':
    case 'LONG':
      return Number;
    case 'BOOLEAN':
      return (value) => value === true;
    case 'TIMESTAMP':
      return usToMs;
  }
}

function whenNull(field: FieldSpec | undefined, readNullAsNull: boolean): ReadColumn['whenNull'] {
  if (field?.required === true) return field.nullable ? 'null' : 'read';
  return readNullAsNull ? 'null' : 'omit';
}

/**
 * The history SELECT of a kind, from the registry: every column that stores a wire field, read
 * back into it. Timestamps are read as epoch microseconds (cast to long): exact, and free of the
 * driver's local-time interpretation of `timestamp without time zone`.
 */
function readPlan(kind: EventKind): ReadPlan {
  const spec = EVENT_REGISTRY[kind];
  const fields = new Map(spec.fields.map((field) => [field.name, field]));
  const columns: ReadColumn[] = [];
  const select: string[] = [];
  for (const column of spec.columns) {
    if (column.field === undefined) continue;
    const timestamp = column.type === 'TIMESTAMP';
    const alias = timestamp ? `${column.name}_us` : column.name;
    select.push(timestamp ? `cast(${column.name} AS long) ${alias}` : column.name);
    columns.push({
      field: column.field,
      alias,
      read: reader(column.type),
      whenNull: whenNull(fields.get(column.field), column.readNullAsNull === true),
    });
  }
  return { select: select.join(', '), columns };
}

const READ_PLANS: Readonly<Record<EventKind, ReadPlan>> = {
  page_navigation: readPlan('page_navigation'),
  page_scrape: readPlan('page_scrape'),
  scheduler_run: readPlan('scheduler_run'),
  scraper_run: readPlan('scraper_run'),
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

/** One history row back into its wire event; null columns of optional fields are left out. */
export function rowToEvent(kind: EventKind, row: Row): AcceptedEvent {
  const event: Record<string, unknown> = { type: kind };
  for (const column of READ_PLANS[kind].columns) {
    const value = row[column.alias];
    if ((value !== null && value !== undefined) || column.whenNull === 'read')
      event[column.field] = column.read(value);
    else if (column.whenNull === 'null') event[column.field] = null;
  }
  return event as AcceptedEvent;
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
      const id = String(row.event_id);
      let fields = byEvent.get(id);
      if (!fields) {
        fields = Object.create(null) as Record<string, number>;
        byEvent.set(id, fields);
      }
      fields[String(row.field)] = Number(row.filled);
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
      const sql = `SELECT ${READ_PLANS[q.kind].select} FROM ${TABLES[q.kind]} WHERE ${where} ORDER BY ts DESC LIMIT $${params.length}`;
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
