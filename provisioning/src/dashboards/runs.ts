import type * as table from '@grafana/grafana-foundation-sdk/table';
import { QuestDbFormat } from '../grafana/queries';
import { TIME_FILTER, scraperIn } from '../sql/filters';
import { qdb, tablePanel } from './shared';

/** How many runs before a run make up its baseline. */
export const BASELINE_RUNS = 10;
/** Runs per scraper the Runs table shows at most. */
export const SHOWN_RUNS = 50;
/** How far back runs are numbered: the baseline of a run reaches back at most this far. */
export const RUN_LOOKBACK_DAYS = 90;

/**
 * Each scraper's runs numbered newest first (rn 1 = latest) up to the end of the range, kept to
 * the `limit` newest so the self-join that compares a run with the runs before it stays small;
 * `in_range` marks the runs that finished in the range (the rest are baselines only).
 * `filter` adds conditions on scraper_run (the dashboard's scraper selection).
 */
export function numberedRuns(toTime: string, limit: number, filter = ''): string {
  return `numbered AS (
  SELECT ts, scraper, run_id, outcome, pages, items, errors, duration_ms, worst_field, worst_fill_pct,
    ${TIME_FILTER} in_range,
    row_number() OVER (PARTITION BY scraper ORDER BY ts DESC) rn
  FROM scraper_run
  WHERE ts >= dateadd('d', -${RUN_LOOKBACK_DAYS}, ${toTime}) AND ts <= ${toTime}${filter}
), capped AS (
  SELECT * FROM numbered WHERE rn <= ${limit}
)`;
}

/** The runs of `capped` joined with the up to 10 runs of the same scraper before each. */
export const PRIOR_RUNS_JOIN = `capped r LEFT JOIN capped p
    ON r.scraper = p.scraper AND p.rn > r.rn AND p.rn <= r.rn + ${BASELINE_RUNS}`;

/**
 * Each run finished in the range (newest 50 per scraper) against the median of its scraper's
 * previous 10 runs: items, pages, errors, duration, and the run's worst field. The median is
 * QuestDB's `approx_percentile` at 5 significant digits (the lower middle value for an even
 * count); a run with no run before it has no baseline (nulls).
 */
export const RUNS_SQL = `WITH ${numberedRuns('$__toTime', SHOWN_RUNS + BASELINE_RUNS, ` AND ${scraperIn()}`)},
compared AS (
  SELECT r.ts ts, r.scraper scraper, r.run_id run_id, r.outcome outcome, r.items items, r.pages pages,
    r.errors errors, r.duration_ms duration_ms, r.worst_field worst_field, r.worst_fill_pct worst_fill_pct,
    count(p.run_id) baseline_runs,
    approx_percentile(p.items::double, 0.5, 5) median_items,
    approx_percentile(p.pages::double, 0.5, 5) median_pages,
    approx_percentile(p.errors::double, 0.5, 5) median_errors,
    approx_percentile(p.duration_ms, 0.5, 5) median_duration_ms
  FROM ${PRIOR_RUNS_JOIN}
  WHERE r.in_range AND r.rn <= ${SHOWN_RUNS}
)
SELECT ts, scraper, run_id, outcome,
  items, median_items, 100.0 * (items - median_items) / median_items items_change_pct,
  pages, median_pages, 100.0 * (pages - median_pages) / median_pages pages_change_pct,
  errors, median_errors, errors - median_errors errors_change,
  duration_ms, median_duration_ms,
  100.0 * (duration_ms - median_duration_ms) / median_duration_ms duration_change_pct,
  worst_field, worst_fill_pct, baseline_runs
FROM compared
ORDER BY ts DESC
LIMIT 500`;

type Step = { value: number | null; color: string };

function coloured(panel: table.PanelBuilder, column: string, steps: Step[], unit: string) {
  return panel.overrideByName(column, [
    { id: 'unit', value: unit },
    { id: 'decimals', value: 0 },
    { id: 'custom.cellOptions', value: { type: 'color-background' } },
    { id: 'thresholds', value: { mode: 'absolute', steps } },
  ]);
}

/** Fewer items or pages than usual is the bad direction; more errors or a longer run is. */
const DROP: Step[] = [
  { value: null, color: 'red' },
  { value: -50, color: 'orange' },
  { value: -20, color: 'green' },
];
const RISE: Step[] = [
  { value: null, color: 'green' },
  { value: 50, color: 'orange' },
  { value: 100, color: 'red' },
];

export function runsPanel(id: number): table.PanelBuilder {
  let panel = tablePanel({
    id,
    title: 'Runs',
    description: `Each run finished in the range (newest ${SHOWN_RUNS} per scraper) against the median of its scraper's previous ${BASELINE_RUNS} runs: items, pages, errors and duration with their change (red: items or pages halved, duration doubled), and the field with the lowest fill rate in the run.`,
    width: 24,
    height: 10,
    targets: [qdb(RUNS_SQL, QuestDbFormat.Table)],
  });
  panel = coloured(panel, 'items_change_pct', DROP, 'percent');
  panel = coloured(panel, 'pages_change_pct', DROP, 'percent');
  panel = coloured(panel, 'duration_change_pct', RISE, 'percent');
  panel = coloured(
    panel,
    'errors_change',
    [
      { value: null, color: 'green' },
      { value: 1, color: 'orange' },
      { value: 5, color: 'red' },
    ],
    'none',
  );
  panel = coloured(
    panel,
    'worst_fill_pct',
    [
      { value: null, color: 'red' },
      { value: 50, color: 'orange' },
      { value: 90, color: 'green' },
    ],
    'percent',
  );
  return panel
    .overrideByName('duration_ms', [{ id: 'unit', value: 'ms' }])
    .overrideByName('median_duration_ms', [{ id: 'unit', value: 'ms' }]);
}
