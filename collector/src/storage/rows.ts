import {
  DERIVATIONS,
  EVENT_REGISTRY,
  domainOf,
  type AcceptedEvent,
  type CollectorDerivation,
  type ColumnSpec,
  type Derivation,
  type EventKind,
} from '@scrapewatch/protocol';
import { fingerprintError } from '../ingest/fingerprint';
import { IlpEncoder, type IlpRowSink } from './ilp';
import { DERIVED_TABLES } from './schema';

// Each event becomes one ILP row of its kind's table, with exactly the column types of the
// registry's DDL (tables.ts): symbols first (ILP requires it), INT/LONG columns as ILP integers,
// DOUBLE columns as floats, TIMESTAMP columns in microseconds, the designated timestamp last. A
// column whose value is null is left out (QuestDB stores null). The mapping writes to an
// `IlpRowSink`: the collector's own encoder (ilp.ts), or, in tests and the encoder benchmark, the
// client's buffer, whose bytes it must reproduce.

export { domainOf, schedulerStatusOf, schedulerSuccessOf, worstField } from '@scrapewatch/protocol';

/** Epoch milliseconds (possibly fractional) to whole epoch microseconds. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

type Value = string | number | boolean | null | undefined;

/** How a column goes into ILP, by QuestDB type. */
const enum Write {
  Symbol,
  String,
  Float,
  Integer,
  Boolean,
  Timestamp,
}

const WRITE_OF: Readonly<Record<ColumnSpec['type'], Write>> = {
  SYMBOL: Write.Symbol,
  VARCHAR: Write.String,
  DOUBLE: Write.Float,
  INT: Write.Integer,
  LONG: Write.Integer,
  BOOLEAN: Write.Boolean,
  TIMESTAMP: Write.Timestamp,
};

/** One column of a row: copied from `field`, or computed by `derive`. */
interface ColumnOp {
  readonly write: Write;
  readonly name: string;
  readonly field: string | undefined;
  readonly derive: ((event: AcceptedEvent, receivedAtMs: number) => Value) | undefined;
}

interface RowPlan {
  readonly table: string;
  /** Symbols, then the other columns, each in registry order; the designated timestamp apart. */
  readonly ops: readonly ColumnOp[];
  readonly designatedField: string;
}

type Derive = (event: AcceptedEvent, receivedAtMs: number) => Value;

function errorOf(event: AcceptedEvent): string | null | undefined {
  return 'error' in event ? event.error : undefined;
}

/** The derivations only the collector computes (the fingerprint memo makes the second one free). */
const COLLECTOR_DERIVATIONS: Readonly<Record<CollectorDerivation, Derive>> = {
  errorFingerprint: (event) => {
    const error = errorOf(event);
    return error === null || error === undefined ? null : fingerprintError(error).fingerprint;
  },
  errorTemplate: (event) => {
    const error = errorOf(event);
    return error === null || error === undefined ? null : fingerprintError(error).template;
  },
};

function derivationOf(derivation: Derivation): Derive {
  switch (derivation) {
    case 'errorFingerprint':
    case 'errorTemplate':
      return COLLECTOR_DERIVATIONS[derivation];
    default:
      return DERIVATIONS[derivation];
  }
}

function rowPlan(kind: EventKind): RowPlan {
  const spec = EVENT_REGISTRY[kind];
  const designatedField = spec.columns.find((column) => column.designated)?.field;
  if (designatedField === undefined)
    throw new Error(`${kind}: the designated timestamp must be a field`);
  const others = spec.columns.filter((column) => !column.designated);
  const ordered = [
    ...others.filter((column) => column.type === 'SYMBOL'),
    ...others.filter((column) => column.type !== 'SYMBOL'),
  ];
  return {
    table: spec.table,
    ops: ordered.map((column) => ({
      write: WRITE_OF[column.type],
      name: column.name,
      field: column.derive === undefined ? column.field : undefined,
      derive: column.derive === undefined ? undefined : derivationOf(column.derive),
    })),
    designatedField,
  };
}

const PLANS: Readonly<Record<EventKind, RowPlan>> = {
  page_navigation: rowPlan('page_navigation'),
  page_scrape: rowPlan('page_scrape'),
  scheduler_run: rowPlan('scheduler_run'),
  scraper_run: rowPlan('scraper_run'),
};

/**
 * Field coverage (`fields`, declared `storedIn` by the registry) goes to tables of its own, one
 * row per field at the event's time: field_coverage for a scrape, scraper_run_field for a run.
 */
function writeFieldRows(rows: IlpRowSink, event: AcceptedEvent): void {
  if (event.type === 'page_scrape' && event.fields !== undefined) {
    const fields = event.fields;
    const domain = domainOf(event.url);
    const tsUs = toMicros(event.recordedAt);
    for (const field of Object.keys(fields)) {
      rows.table(DERIVED_TABLES.field_coverage);
      rows.symbol('scraper', event.scraperSource);
      if (domain !== null) rows.symbol('domain', domain);
      rows.symbol('field', field);
      rows.stringColumn('event_id', event.eventId);
      rows.intColumn('filled', fields[field] ?? 0);
      rows.intColumn('items', event.itemsExtracted);
      rows.at(tsUs, 'us');
    }
  } else if (event.type === 'scraper_run' && event.fields !== undefined) {
    const fields = event.fields;
    const tsUs = toMicros(event.recordedAt);
    for (const field of Object.keys(fields)) {
      rows.table(DERIVED_TABLES.scraper_run_field);
      rows.symbol('scraper', event.scraperSource);
      rows.symbol('field', field);
      rows.stringColumn('event_id', event.eventId);
      rows.stringColumn('run_id', event.runId);
      rows.intColumn('filled', fields[field] ?? 0);
      rows.intColumn('items', event.items);
      rows.at(tsUs, 'us');
    }
  }
}

/**
 * Writes one ILP row per event to `rows`. One loop over each kind's column plan (rather than a
 * closure per column) keeps it as fast as a hand-written mapping.
 */
export function writeRows(
  rows: IlpRowSink,
  events: readonly AcceptedEvent[],
  receivedAtMs: number,
): void {
  for (const event of events) {
    const plan = PLANS[event.type];
    const values = event as unknown as Record<string, Value>;
    rows.table(plan.table);
    for (const op of plan.ops) {
      const value =
        op.derive !== undefined ? op.derive(event, receivedAtMs) : values[op.field as string];
      if (value === null || value === undefined) continue;
      switch (op.write) {
        case Write.Symbol:
          rows.symbol(op.name, value as string);
          break;
        case Write.String:
          rows.stringColumn(op.name, value as string);
          break;
        case Write.Float:
          rows.floatColumn(op.name, value as number);
          break;
        case Write.Integer:
          rows.intColumn(op.name, value as number);
          break;
        case Write.Boolean:
          rows.booleanColumn(op.name, value as boolean);
          break;
        case Write.Timestamp:
          rows.timestampColumn(op.name, toMicros(value as number), 'us');
          break;
      }
    }
    rows.at(toMicros(values[plan.designatedField] as number), 'us');
    writeFieldRows(rows, event);
  }
}

/**
 * One encoder's buffer, reused by every call: `encodeRows` runs to completion without yielding, so
 * no two calls ever share it, and each returns a copy of its bytes.
 */
const scratch = new IlpEncoder();

/**
 * The ILP bytes of `events`, protocol version 1 text. Throws on a value the row cannot carry; no
 * state is kept between calls, so one bad call never leaks a half row into the next.
 */
export function encodeRows(events: readonly AcceptedEvent[], receivedAtMs: number): Buffer {
  scratch.reset();
  writeRows(scratch, events, receivedAtMs);
  return scratch.toBuffer();
}
