import { QuestDbFormat } from '../grafana/queries';
import { SAMPLE_BY, TIME_FILTER, scraperIn } from '../sql/filters';
import { math, reduce } from './expressions';
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

export const DATA_QUALITY_RULES: readonly AlertRuleDefinition[] = Object.freeze([fillRateDrop]);
