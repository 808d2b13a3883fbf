import {
  createDataFrame,
  FieldType,
  type DataFrame,
  type FieldConfig,
  type QueryResultMetaNotice,
} from '@grafana/data';
import type {
  AcceptedEvent,
  EventKind,
  LiveAggregate,
  LiveField,
} from '@scrapewatch/protocol/core';
import type { ScraperSelection } from './scrapers';
import { eventFields, eventScraper, eventTimeMs, eventValue, isFieldless } from './values';

/** A target's query after template interpolation and defaults: what frame building needs. */
export interface ResolvedQuery {
  refId: string;
  selection: ScraperSelection;
  kind: EventKind;
  fields: LiveField[];
  mode: 'raw' | 'aggregate';
  aggregate: LiveAggregate;
  windowMs: number;
  groupBy: 'scraper' | 'none';
}

/** One evaluated point of an aggregate series: one value per value column. */
export interface AggregatePoint {
  timeMs: number;
  values: Array<number | null>;
}

/** The combined series' group key when groupBy is none. */
export const COMBINED_GROUP = '';

export function groupOf(event: AcceptedEvent, groupBy: ResolvedQuery['groupBy']): string {
  return groupBy === 'scraper' ? eventScraper(event) : COMBINED_GROUP;
}

/** Separates the scraper group from the coverage field in a `fill_pct` series key. */
const FIELD_SEPARATOR = '\u001f';

/**
 * The series an event belongs to: its group, or for `fill_pct` one series per coverage field it
 * reports (field names never hold control characters, so the separator cannot be part of one).
 */
export function seriesOf(event: AcceptedEvent, query: ResolvedQuery): string[] {
  if (query.mode !== 'aggregate' || query.aggregate !== 'fill_pct') {
    return [groupOf(event, query.groupBy)];
  }
  const group = groupOf(event, query.groupBy);
  return Object.keys(eventFields(event) ?? {}).map((field) => `${group}${FIELD_SEPARATOR}${field}`);
}

/** The scraper group and the coverage field (if any) of a series key. */
export function splitSeries(key: string): { group: string; field?: string } {
  const at = key.indexOf(FIELD_SEPARATOR);
  return at < 0 ? { group: key } : { group: key.slice(0, at), field: key.slice(at + 1) };
}

const FIELD_UNITS: Record<LiveField, string | undefined> = {
  duration: 'ms',
  items: undefined,
  retries: undefined,
  success: undefined,
};

/** The value columns of an aggregate frame: one for the fieldless aggregates, else one per field. */
export function aggregateColumns(
  query: ResolvedQuery,
): Array<{ name: string; field: LiveField; unit?: string }> {
  if (isFieldless(query.aggregate)) {
    const unit =
      query.aggregate === 'success_pct' || query.aggregate === 'fill_pct' ? 'percent' : undefined;
    return [{ name: query.aggregate, field: 'success', ...(unit ? { unit } : {}) }];
  }
  return query.fields.map((field) => {
    const unit = FIELD_UNITS[field];
    return { name: `${query.aggregate} ${field}`, field, ...(unit ? { unit } : {}) };
  });
}

function displayName(query: ResolvedQuery, key: string, column: string, columns: number): string {
  const { group, field } = splitSeries(key);
  if (field !== undefined) return query.groupBy === 'none' ? field : `${group} ${field}`;
  if (query.groupBy === 'none') return column;
  return columns > 1 ? `${group} ${column}` : group;
}

function seriesLabels(query: ResolvedQuery, key: string): Record<string, string> | undefined {
  const { group, field } = splitSeries(key);
  const labels: Record<string, string> = {};
  if (query.groupBy === 'scraper') labels['scraper'] = group;
  if (field !== undefined) labels['field'] = field;
  return Object.keys(labels).length > 0 ? labels : undefined;
}

function valueConfig(
  query: ResolvedQuery,
  group: string,
  column: string,
  columns: number,
  unit?: string,
): FieldConfig {
  return {
    displayNameFromDS: displayName(query, group, column, columns),
    ...(unit ? { unit } : {}),
  };
}

/** Raw mode: one row per event (time-ordered), one frame per group. */
export function buildRawFrame(
  query: ResolvedQuery,
  group: string,
  events: readonly AcceptedEvent[],
): DataFrame {
  const labels = query.groupBy === 'scraper' ? { scraper: group } : undefined;
  const fields = [
    { name: 'time', type: FieldType.time, values: events.map(eventTimeMs) },
    ...query.fields.map((field) => ({
      name: field,
      type: FieldType.number,
      values: events.map((event) => eventValue(event, field)),
      config: valueConfig(query, group, field, query.fields.length, FIELD_UNITS[field]),
      ...(labels ? { labels } : {}),
    })),
  ];
  if (query.groupBy === 'none') {
    fields.push({
      name: 'scraper',
      type: FieldType.string,
      values: events.map(eventScraper),
    } as never);
  }
  return createDataFrame({ name: group || query.kind, refId: query.refId, fields });
}

/** Aggregate mode: one row per evaluation time, one frame per group. */
export function buildAggregateFrame(
  query: ResolvedQuery,
  group: string,
  points: readonly AggregatePoint[],
): DataFrame {
  const labels = seriesLabels(query, group);
  const columns = aggregateColumns(query);
  const { field } = splitSeries(group);
  return createDataFrame({
    name: field !== undefined ? displayName(query, group, '', 1) : group || query.kind,
    refId: query.refId,
    fields: [
      { name: 'time', type: FieldType.time, values: points.map((p) => p.timeMs) },
      ...columns.map((column, index) => ({
        name: column.name,
        type: FieldType.number,
        values: points.map((p) => p.values[index] ?? null),
        config: valueConfig(query, group, column.name, columns.length, column.unit),
        ...(labels ? { labels } : {}),
      })),
    ],
  });
}

/**
 * Attaches notices (e.g. "disconnected, reconnecting") to the first frame, or to an empty frame
 * when there is no data yet, so that the panel shows them.
 */
export function withNotices(
  query: ResolvedQuery,
  frames: DataFrame[],
  notices: QueryResultMetaNotice[],
): DataFrame[] {
  if (notices.length === 0) return frames;
  const [first, ...rest] = frames;
  if (first === undefined) {
    return [
      createDataFrame({
        name: query.kind,
        refId: query.refId,
        fields: [{ name: 'time', type: FieldType.time, values: [] }],
        meta: { notices },
      }),
    ];
  }
  return [
    { ...first, meta: { ...first.meta, notices: [...(first.meta?.notices ?? []), ...notices] } },
    ...rest,
  ];
}
