import { PRIOR_RUNS_JOIN, numberedRuns } from '../dashboards/runs';
import { QuestDbFormat } from '../grafana/queries';
import { SAMPLE_BY, TIME_FILTER, scraperIn } from '../sql/filters';
import { math, reduce, threshold } from './expressions';
import type { AlertRuleDefinition } from './rules';
import { THRESHOLDS } from './thresholds';

// Extraction-quality rules: a field's fill rate against its own baseline, and each finished run
// against its scraper's recent runs.

const F = THRESHOLDS.fillRateDrop;

/**
 * Per (scraper, field, domain): fill rate over the window and over the 7 days before it (hourly
 * view, the last hour left out so the baseline never contains the drop it is compared with).
 * A scrape on a URL without a host has no domain: its label is `-`.
 */
const FILL_RATE_DROP_SQL = `WITH cur AS (
  SELECT scraper, field, domain, sum(items) items, 100.0 * sum(filled) / sum(items) fill_pct
  FROM field_coverage WHERE ${TIME_FILTER}
  GROUP BY scraper, field, domain
), base AS (
  SELECT scraper, field, domain, sum(items) items, 100.0 * sum(filled) / sum(items) fill_pct
  FROM field_coverage_1h WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime)
  GROUP BY scraper, field, domain
)
SELECT cur.scraper scraper, cur.field field, coalesce(cur.domain, '-') domain, base.fill_pct - cur.fill_pct drop_pts
FROM cur JOIN base ON cur.scraper = base.scraper AND cur.field = base.field AND cur.domain = base.domain
WHERE cur.items >= ${F.minItems} AND base.items >= ${F.minBaselineItems}`;

export const fillRateDrop: AlertRuleDefinition = {
  uid: 'scrapewatch-field-fill-rate-drop',
  title: 'Field fill rate dropped',
  group: 'data-quality',
  severity: 'warning',
  summary:
    'Field {{ $labels.field }} of {{ $labels.scraper }} on {{ $labels.domain }} is {{ printf "%.0f" $values.B.Value }} points below its baseline',
  description:
    `Over the last ${F.windowSeconds / 60} minutes, field {{ $labels.field }} was filled on ` +
    `{{ printf "%.0f" $values.B.Value }} percentage points fewer of the items {{ $labels.scraper }} extracted on ` +
    `{{ $labels.domain }} than over its own 7 days before (threshold ${F.minDropPts} points, held for ` +
    `${F.pendingFor}; at least ${F.minItems} items now and ${F.minBaselineItems} in the baseline). Pages still ` +
    `load and items still come back, but this field is missing: the layout changed.`,
  runbook:
    'Open the Scraping dashboard: "Field fill rate by domain" shows which domains lost the field. Open a recent page ' +
    'of that domain and compare it with the selector or JSON path of the field: a renamed class, a moved element, a ' +
    'field now loaded lazily or behind a consent banner. Fix the extraction and redeploy; the rule resolves once the ' +
    'fill rate of the last minutes is back near its baseline.',
  runbookAnchor: 'field-fill-rate-dropped',
  queries: [
    {
      refId: 'A',
      relativeSeconds: F.windowSeconds,
      valueColumn: 'drop_pts',
      sql: FILL_RATE_DROP_SQL,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), math('C', `$B >= ${F.minDropPts}`)],
  condition: 'C',
  pendingFor: F.pendingFor,
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 18,
    title: 'Rule: field fill rate by scraper and field',
    unit: 'percent',
    format: QuestDbFormat.TimeSeries,
    sql: `SELECT ts, scraper, field, 100.0 * sum(filled) / sum(items) fill_pct
FROM field_coverage WHERE ${TIME_FILTER} AND ${scraperIn()}
${SAMPLE_BY}`,
  },
};

const R = THRESHOLDS.shortRun;

/**
 * Each run finished in the window against the median items of its scraper's previous runs (the
 * same numbering and join as the Runs table). One instance per run: labels scraper and run_id.
 */
const SHORT_RUN_SQL = `WITH ${numberedRuns('$__toTime', 100 + R.baselineRuns)},
compared AS (
  SELECT r.scraper scraper, r.run_id run_id, r.items items, count(p.run_id) baseline_runs,
    approx_percentile(p.items::double, 0.5, 5) median_items
  FROM ${PRIOR_RUNS_JOIN}
  WHERE r.in_range AND r.rn <= 100
)
SELECT scraper, run_id, items / median_items items_ratio
FROM compared
WHERE baseline_runs >= ${R.minBaselineRuns} AND median_items > 0`;

export const shortRun: AlertRuleDefinition = {
  uid: 'scrapewatch-run-short',
  title: 'Run far below its usual items',
  group: 'data-quality',
  severity: 'warning',
  summary:
    'Run {{ $labels.run_id }} of {{ $labels.scraper }} extracted {{ humanizePercentage $values.B.Value }} of its usual items',
  description:
    `Run {{ $labels.run_id }} of {{ $labels.scraper }}, finished in the last ${R.windowSeconds / 60} minutes, ` +
    `extracted {{ printf "%.2f" $values.B.Value }} times the median items of the scraper's previous ` +
    `${R.baselineRuns} runs (threshold ${R.maxRatio}; at least ${R.minBaselineRuns} earlier runs).`,
  runbook:
    'Open the Scrapers dashboard, Runs table: compare the run with the ones before (pages, errors, worst field). ' +
    'Fewer pages points at pagination or the listing that seeds the run; as many pages with fewer items at the ' +
    'extraction (check the worst field on the Scraping dashboard); more errors at blocking or the site. Re-run ' +
    'the scraper once fixed; the alert resolves when the run leaves the window.',
  runbookAnchor: 'run-far-below-its-usual-items',
  queries: [
    {
      refId: 'A',
      relativeSeconds: R.windowSeconds,
      valueColumn: 'items_ratio',
      sql: SHORT_RUN_SQL,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'lt', [R.maxRatio])],
  condition: 'C',
  pendingFor: '0s',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 19,
    title: 'Rule: items per run by scraper',
    unit: 'short',
    format: QuestDbFormat.TimeSeries,
    sql: `SELECT ts, scraper, items FROM scraper_run WHERE ${TIME_FILTER} AND ${scraperIn()} ORDER BY ts`,
  },
};

export const DATA_QUALITY_RULES: readonly AlertRuleDefinition[] = Object.freeze([
  fillRateDrop,
  shortRun,
]);
