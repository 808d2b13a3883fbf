import {
  EVENT_KINDS,
  EVENT_REGISTRY,
  LIMITS,
  type ColumnSpec,
  type FieldSpec,
  type KindSpec,
} from '../src/core';

// docs/events.md, generated from the event registry, its tables laid out for reading as text.

function typeText(field: FieldSpec): string {
  const value = field.value;
  const base =
    value.type === 'enum'
      ? `one of ${value.values.map((v) => `\`${v}\``).join(', ')}`
      : value.type === 'counts'
        ? 'object of integers'
        : value.type;
  return field.nullable ? `${base} or null` : base;
}

function limitsText(field: FieldSpec): string {
  const value = field.value;
  switch (value.type) {
    case 'string': {
      const parts = [`${String(value.minLength ?? 0)}–${String(value.maxLength)} characters`];
      if (value.pattern !== undefined) parts.push(`matching \`${value.pattern}\``);
      return parts.join(', ');
    }
    case 'number':
    case 'integer':
      return `${String(value.minimum)} to ${String(value.maximum)}`;
    case 'counts':
      return `at most ${String(value.maxProperties)} names of ${String(value.key.minLength)}–${String(value.key.maxLength)} characters, matching \`${value.key.pattern}\`; counts 0 to ${String(value.maximum)}`;
    case 'boolean':
    case 'enum':
      return '';
  }
}

function columnOf(spec: KindSpec, field: FieldSpec): string {
  const columns = spec.columns.filter((c) => c.field === field.name).map((c) => `\`${c.name}\``);
  return columns.length > 0 ? columns.join(', ') : (field.storedIn ?? '');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function columnSource(column: ColumnSpec): string {
  if (column.derive !== undefined) return column.doc ?? `derived (${column.derive})`;
  return `\`${String(column.field)}\``;
}

/** A Markdown table, every column padded to its widest cell. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function kindSection(spec: KindSpec): string {
  const fields = [
    [`\`type\``, `\`"${spec.kind}"\``, 'yes', '', '', 'The event kind.'],
    ...spec.fields.map((field) => [
      `\`${field.name}\``,
      cell(typeText(field)),
      field.required ? 'yes' : 'no',
      cell(limitsText(field)),
      columnOf(spec, field),
      cell(field.doc),
    ]),
  ];
  const columns = spec.columns.map((column) => [
    `\`${column.name}\``,
    column.type === 'SYMBOL' ? `SYMBOL (capacity ${String(column.capacity)})` : column.type,
    cell(columnSource(column)),
    column.dedupKey === true
      ? 'yes'
      : column.dedupKeySince !== undefined
        ? `yes (since ${String(column.dedupKeySince)})`
        : '',
    column.designated ? 'designated timestamp' : (column.rollup ?? ''),
    String(column.since),
  ]);
  return [
    `## \`${spec.kind}\``,
    '',
    spec.doc,
    '',
    table(['field', 'type', 'required', 'limits', 'column', 'meaning'], fields),
    '',
    `Stored in the QuestDB table \`${spec.table}\`:`,
    '',
    table(['column', 'type', 'from', 'dedup key', 'rollup', 'schema version'], columns),
  ].join('\n');
}

/** The whole page. */
export function eventsMarkdown(): string {
  const day = 86_400_000;
  const intro = [
    '# Events',
    '',
    'The wire format of every event kind: each field, its type and limits, and the QuestDB column it is',
    'stored in. This page is generated from the event registry (`protocol/src/registry.ts`) by',
    '`npm run docs`; a test fails when it is out of date.',
    '',
    'A request body (`POST /v1/metrics`, or a message on `WS /v1/ingest`) is one event, an array of',
    'events, NDJSON (one event per line), or the envelope',
    '`{"type":"metrics_batch","scraperSource":…,"count":…,"timestamp":…,"metrics":[…]}`. Every',
    'event has a `type`; fields not listed for its kind are rejected (`UNKNOWN_FIELD`), and so is',
    'the whole request when one event is invalid (see [errors.md](errors.md)).',
    '',
    `Timestamps are epoch milliseconds. \`recordedAt\` must lie within the last ${String(LIMITS.defaultMaxPastMs / day)} days`,
    `(raw retention) and at most ${String(LIMITS.defaultMaxFutureMs / 60_000)} minutes ahead (clock skew); the collector settings`,
    '`SCRAPEWATCH_MAX_PAST_MS` and `SCRAPEWATCH_MAX_FUTURE_MS` move that window. Names',
    '(`scraperSource`, `schedulerName`, `jobName`) are also live channel names and SYMBOL values,',
    'hence their pattern.',
    '',
    'A `rollup` dimension is a column the summaries group by; a measure is one they aggregate.',
  ];
  const sections = EVENT_KINDS.map((kind) => kindSection(EVENT_REGISTRY[kind]));
  return `${[intro.join('\n'), ...sections].join('\n\n')}\n`;
}
