import { QuestDbFormat } from '../grafana/queries';
import { SAMPLE_BY, TIME_FILTER, scraperIn, schedulerScraperIn } from '../sql/filters';
import { DATA_QUALITY_RULES } from './data-quality-rules';
import {
  HISTOGRAM_SUMS,
  histogramQuantile,
  tieredPercentileSeries,
  tieredSeries,
  tieredUnionSeries,
} from '../sql/tiers';
import { type ExpressionModel, math, reduce, threshold } from './expressions';
import { blockRate, costBaseline, newFingerprint } from './signal-rules';
import { THRESHOLDS } from './thresholds';

export type NoDataState = 'OK' | 'NoData' | 'Alerting' | 'KeepLast';
export type ExecErrState = 'OK' | 'Error' | 'Alerting' | 'KeepLast';

/** A QuestDB query of a rule: format table, string label columns (always `scraper`) and one number. */
export interface RuleQuery {
  readonly refId: string;
  readonly sql: string;
  /** How far back the rule reads, in seconds (`$__timeFilter` covers now - this .. now). */
  readonly relativeSeconds: number;
  /** The single numeric column; the others become labels. */
  readonly valueColumn: string;
}

/** The panel on the Alerts dashboard that shows the rule's measure over time for `$scraper`. */
export interface RulePanel {
  readonly id: number;
  readonly title: string;
  readonly sql: string;
  readonly format: QuestDbFormat;
  readonly unit: string;
  readonly thresholdLine?: number;
}

export interface AlertRuleDefinition {
  readonly uid: string;
  readonly title: string;
  readonly group: 'scrapers' | 'scheduler' | 'data-quality';
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  readonly description: string;
  /** Runbook steps (also in docs/alerts.md under `runbookAnchor`). */
  readonly runbook: string;
  readonly runbookAnchor: string;
  readonly queries: readonly RuleQuery[];
  readonly expressions: readonly ExpressionModel[];
  readonly condition: string;
  readonly pendingFor: string;
  readonly noDataState: NoDataState;
  readonly execErrState: ExecErrState;
  readonly panel: RulePanel;
}

/** Where each rule's runbook lives, relative to the repository root. */
export const RUNBOOK_DOC = 'docs/alerts.md';

const T = THRESHOLDS;

/**
 * Navigation and scrape outcomes together, for the success rate: from the 1-minute tiers, so a
 * rule's window never scans raw rows (the tier is at most a minute behind).
 */
const outcomes = (filter: string): string =>
  `SELECT ts, scraper, events, successes FROM page_navigation_1m WHERE ${filter}
  UNION ALL
  SELECT ts, scraper, events, successes FROM page_scrape_1m WHERE ${filter}`;

const successRate: AlertRuleDefinition = {
  uid: 'scrapewatch-success-rate-low',
  title: 'Scraper success rate low',
  group: 'scrapers',
  severity: 'critical',
  summary: 'Success rate of {{ $labels.scraper }} is {{ printf "%.1f" $values.B.Value }}%',
  description:
    `Navigations and scrapes of {{ $labels.scraper }} succeeded {{ printf "%.1f" $values.B.Value }}% of the time ` +
    `over the last ${T.successRate.windowSeconds / 60} minutes (threshold ${T.successRate.minPct}%, at least ` +
    `${T.successRate.minEvents} events).`,
  runbook:
    'Open the Navigation dashboard for the scraper: check the error classes and status codes panels. ' +
    'http_4xx/403/429 point at blocking or rate limiting (slow the schedule, rotate proxies); http_5xx and timeouts at ' +
    'the target site; parse errors at a changed page layout (fix the selectors and redeploy).',
  runbookAnchor: 'scraper-success-rate-low',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.successRate.windowSeconds,
      valueColumn: 'success_pct',
      sql: `SELECT scraper, success_pct FROM (
  SELECT scraper, sum(events) events, 100.0 * sum(successes) / sum(events) success_pct
  FROM (${outcomes(TIME_FILTER)})
  GROUP BY scraper
) WHERE events >= ${T.successRate.minEvents}`,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'lt', [T.successRate.minPct])],
  condition: 'C',
  pendingFor: '5m',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 11,
    title: 'Rule: success rate by scraper',
    unit: 'percent',
    thresholdLine: T.successRate.minPct,
    format: QuestDbFormat.TimeSeries,
    sql: tieredUnionSeries({
      tables: ['page_navigation', 'page_scrape'],
      columns: ['scraper', 'events', 'successes'],
      groupBy: ['scraper'],
      measures: [{ name: 'success_pct', rollup: '100.0 * sum(successes) / sum(events)' }],
    }),
  },
};

const navigationP95: AlertRuleDefinition = {
  uid: 'scrapewatch-navigation-p95-high',
  title: 'Navigation p95 time high',
  group: 'scrapers',
  severity: 'warning',
  summary: 'p95 navigation time of {{ $labels.scraper }} is {{ printf "%.0f" $values.B.Value }} ms',
  description:
    `The 95th percentile navigation time of {{ $labels.scraper }} over the last ${T.navigationP95.windowSeconds / 60} ` +
    `minutes is {{ printf "%.0f" $values.B.Value }} ms (threshold ${T.navigationP95.maxMs} ms, at least ` +
    `${T.navigationP95.minEvents} navigations).`,
  runbook:
    'Open the Navigation dashboard: the per-domain table shows which domain is slow. A single slow domain is ' +
    'usually the target site or a proxy region; all domains slow points at the scraper host (CPU, browser pool) or ' +
    'its network. Check retries: rising retries inflate durations.',
  runbookAnchor: 'navigation-p95-time-high',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.navigationP95.windowSeconds,
      valueColumn: 'p95_ms',
      // From the 1-minute tier's duration histogram (within one bucket of the exact p95).
      sql: `SELECT scraper, ${histogramQuantile(0.95)} p95_ms FROM (
  SELECT scraper, sum(events) n, max(max_duration_ms) max_ms, ${HISTOGRAM_SUMS}
  FROM page_navigation_1m WHERE ${TIME_FILTER}
  GROUP BY scraper
) WHERE n >= ${T.navigationP95.minEvents}`,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'gt', [T.navigationP95.maxMs])],
  condition: 'C',
  pendingFor: '5m',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 12,
    title: 'Rule: p95 navigation time by scraper',
    unit: 'ms',
    thresholdLine: T.navigationP95.maxMs,
    format: QuestDbFormat.TimeSeries,
    sql: tieredPercentileSeries({
      table: 'page_navigation',
      groupBy: ['scraper'],
      quantiles: [{ name: 'p95_ms', q: 0.95 }],
    }),
  },
};

/** The last event of every scraper seen in the window, from both page tables. */
const lastSeen = (filter: string): string => `SELECT scraper, max(last_ts) last_seen FROM (
  SELECT scraper, ts last_ts FROM page_navigation WHERE ${filter} LATEST ON ts PARTITION BY scraper
  UNION ALL
  SELECT scraper, ts last_ts FROM page_scrape WHERE ${filter} LATEST ON ts PARTITION BY scraper
) GROUP BY scraper`;

const silent: AlertRuleDefinition = {
  uid: 'scrapewatch-scraper-silent',
  title: 'Scraper silent',
  group: 'scrapers',
  severity: 'critical',
  summary: '{{ $labels.scraper }} has sent nothing for {{ printf "%.0f" $values.B.Value }} minutes',
  description:
    `{{ $labels.scraper }} (seen in the last 7 days) has sent no navigation or scrape for more than ` +
    `${T.silent.maxMinutes} minutes. A fresh install with no scraper yet has nothing to miss and stays quiet.`,
  runbook:
    'Check that the scraper process runs and that its scheduler fired (Scheduler dashboard: missed runs). Then check ' +
    'delivery: the SDK logs delivery errors; GET /readyz on the collector; collector logs for 401/403 (token or ' +
    'scope) or 429 (rate limit). A scraper retired on purpose stops alerting 7 days after its last event.',
  runbookAnchor: 'scraper-silent',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.silent.knownSeconds,
      valueColumn: 'silent_minutes',
      // Measured against the evaluation time ($__toTime), the same instant the window ends at.
      sql: `SELECT scraper, datediff('s', last_seen, $__toTime) / 60.0 silent_minutes FROM (
${lastSeen(TIME_FILTER)}
)`,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'gt', [T.silent.maxMinutes])],
  condition: 'C',
  // The query itself measures the silence (more than maxMinutes), so no pending period on top.
  pendingFor: '0s',
  // One row per scraper seen in the last 7 days: when every known scraper stops, each of them
  // still has a row and fires. No rows means no scraper is known (a fresh install, or none for
  // 7 days): nothing went silent, so no alert.
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 13,
    title: 'Rule: minutes since last event',
    unit: 'm',
    thresholdLine: T.silent.maxMinutes,
    format: QuestDbFormat.Table,
    sql: `SELECT scraper, last_seen, datediff('s', last_seen, $__toTime) / 60.0 silent_minutes FROM (
${lastSeen(`ts >= dateadd('d', -7, $__toTime) AND ts <= $__toTime AND ${scraperIn()}`)}
) ORDER BY silent_minutes DESC`,
  },
};

const zeroItems: AlertRuleDefinition = {
  uid: 'scrapewatch-zero-item-scrapes',
  title: 'Successful scrapes extracting zero items',
  group: 'scrapers',
  severity: 'warning',
  summary:
    '{{ printf "%.0f" $values.B.Value }}% of successful scrapes of {{ $labels.scraper }} extracted nothing',
  description:
    `Over the last ${T.zeroItems.windowSeconds / 60} minutes {{ printf "%.0f" $values.B.Value }}% of the successful ` +
    `scrapes of {{ $labels.scraper }} extracted zero items (threshold ${T.zeroItems.maxPct}%, at least ` +
    `${T.zeroItems.minScrapes} successful scrapes). The page loads but the selectors no longer match.`,
  runbook:
    'Open the Scraping dashboard (zero-item scrapes by scraper), pick a recent URL, and compare the live page with ' +
    'the selectors: a changed layout, a consent wall or a bot-check page that answers 200. Fix the extraction and ' +
    'redeploy.',
  runbookAnchor: 'successful-scrapes-extracting-zero-items',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.zeroItems.windowSeconds,
      valueColumn: 'zero_item_pct',
      // From the 1-minute tier: zero_item_scrapes counts successful scrapes with no item.
      sql: `SELECT scraper, zero_item_pct FROM (
  SELECT scraper, sum(successes) successes, 100.0 * sum(zero_item_scrapes) / sum(successes) zero_item_pct
  FROM page_scrape_1m WHERE ${TIME_FILTER}
  GROUP BY scraper
) WHERE successes >= ${T.zeroItems.minScrapes}`,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'gt', [T.zeroItems.maxPct])],
  condition: 'C',
  pendingFor: '5m',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 14,
    title: 'Rule: zero-item share of successful scrapes',
    unit: 'percent',
    thresholdLine: T.zeroItems.maxPct,
    format: QuestDbFormat.TimeSeries,
    sql: tieredSeries({
      table: 'page_scrape',
      groupBy: ['scraper'],
      measures: [
        { name: 'zero_item_pct', rollup: '100.0 * sum(zero_item_scrapes) / sum(successes)' },
      ],
      where: 'successes > 0',
    }),
  },
};

const itemsBaseline: AlertRuleDefinition = {
  uid: 'scrapewatch-items-below-baseline',
  title: 'Items per scrape far below baseline',
  group: 'scrapers',
  severity: 'warning',
  summary:
    '{{ $labels.scraper }} extracts {{ humanizePercentage $values.B.Value }} of its usual items per scrape',
  description:
    `Items per successful scrape of {{ $labels.scraper }} over the last ${T.itemsBaseline.windowSeconds / 60} minutes ` +
    `are {{ printf "%.2f" $values.B.Value }} times its average over the 7 days before (threshold ` +
    `${T.itemsBaseline.minRatio}).`,
  runbook:
    'Compare items per run on the Scraping dashboard with the baseline column. Partial extraction usually means ' +
    'pagination or lazy-loaded content stopped working, or the site now serves fewer results (filters, geo). ' +
    'Check a recent run by hand.',
  runbookAnchor: 'items-per-scrape-far-below-baseline',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.itemsBaseline.windowSeconds,
      valueColumn: 'items_ratio',
      sql: `WITH cur AS (
  SELECT scraper, count() successes, sum(items_extracted) items
  FROM page_scrape WHERE ${TIME_FILTER} AND success
  GROUP BY scraper
), base AS (
  SELECT scraper, sum(successes) successes, sum(items_extracted) items
  FROM page_scrape_1h WHERE ts >= dateadd('d', -7, $__fromTime) AND ts < dateadd('h', -1, $__fromTime)
  GROUP BY scraper
)
SELECT cur.scraper scraper, (cur.items * 1.0 / cur.successes) / (base.items * 1.0 / base.successes) items_ratio
FROM cur JOIN base ON cur.scraper = base.scraper
WHERE cur.successes >= ${T.itemsBaseline.minScrapes} AND base.successes >= ${T.itemsBaseline.minBaselineScrapes} AND base.items > 0`,
    },
  ],
  expressions: [reduce('B', 'A', 'last'), threshold('C', 'B', 'lt', [T.itemsBaseline.minRatio])],
  condition: 'C',
  pendingFor: '10m',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 15,
    title: 'Rule: items per successful scrape',
    unit: 'short',
    format: QuestDbFormat.TimeSeries,
    sql: `SELECT ts, scraper, sum(items_extracted) * 1.0 / count() items_per_scrape
FROM page_scrape WHERE ${TIME_FILTER} AND success AND ${scraperIn()}
${SAMPLE_BY}`,
  },
};

const schedulerFailed: AlertRuleDefinition = {
  uid: 'scrapewatch-scheduler-run-failed',
  title: 'Scheduler run failed',
  group: 'scheduler',
  severity: 'critical',
  summary:
    '{{ $values.B.Value }} failed run(s) of {{ $labels.scheduler_name }}/{{ $labels.job_name }}',
  description:
    `Job {{ $labels.job_name }} of scheduler {{ $labels.scheduler_name }} (scraper {{ $labels.scraper }}) failed ` +
    `{{ $values.B.Value }} time(s) in the last ${T.schedulerFailed.windowSeconds / 60} minutes.`,
  runbook:
    'Open the Scheduler dashboard: the state timeline shows whether the job fails every time or intermittently; ' +
    'the recent failures table on the Alerts dashboard carries the error text. Fix the cause, then let the next ' +
    'run resolve the alert.',
  runbookAnchor: 'scheduler-run-failed',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.schedulerFailed.windowSeconds,
      valueColumn: 'failed_runs',
      sql: `SELECT coalesce(scraper, '-') scraper, scheduler_name, job_name, count() failed_runs
FROM scheduler_run WHERE ${TIME_FILTER} AND status = 'failed'
GROUP BY 1, 2, 3`,
    },
  ],
  expressions: [reduce('B', 'A', 'sum'), threshold('C', 'B', 'gt', [0])],
  condition: 'C',
  pendingFor: '0s',
  // No failed run in the window is the healthy case.
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 16,
    title: 'Rule: failed scheduler runs',
    unit: 'short',
    format: QuestDbFormat.TimeSeries,
    sql: `SELECT ts, job_name, count() failed_runs
FROM scheduler_run WHERE ${TIME_FILTER} AND status = 'failed' AND ${schedulerScraperIn()}
${SAMPLE_BY}`,
  },
};

const schedulerMissedOrLate: AlertRuleDefinition = {
  uid: 'scrapewatch-scheduler-run-missed-or-late',
  title: 'Scheduler run missed or late',
  group: 'scheduler',
  severity: 'warning',
  summary: '{{ $labels.scheduler_name }}/{{ $labels.job_name }} missed a run or started late',
  description:
    `In the last ${T.schedulerMissedOrLate.windowSeconds / 60} minutes job {{ $labels.job_name }} of ` +
    `{{ $labels.scheduler_name }} (scraper {{ $labels.scraper }}) missed {{ $values.B.Value }} run(s); its worst ` +
    `start was {{ printf "%.0f" $values.D.Value }} ms late (threshold ${T.schedulerMissedOrLate.maxLatenessMs} ms).`,
  runbook:
    'Missed or late runs mean the scheduler host is overloaded, paused or down, or runs overlap (a run longer ' +
    'than its interval). Check the run durations and lateness panels on the Scheduler dashboard and the ' +
    'scheduler process itself.',
  runbookAnchor: 'scheduler-run-missed-or-late',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.schedulerMissedOrLate.windowSeconds,
      valueColumn: 'missed_runs',
      sql: `SELECT coalesce(scraper, '-') scraper, scheduler_name, job_name,
  sum(CASE WHEN status = 'missed' THEN 1 ELSE 0 END) missed_runs
FROM scheduler_run WHERE ${TIME_FILTER}
GROUP BY 1, 2, 3`,
    },
    {
      refId: 'C',
      relativeSeconds: T.schedulerMissedOrLate.windowSeconds,
      valueColumn: 'max_lateness_ms',
      sql: `SELECT coalesce(scraper, '-') scraper, scheduler_name, job_name, coalesce(max(lateness_ms), 0.0) max_lateness_ms
FROM scheduler_run WHERE ${TIME_FILTER}
GROUP BY 1, 2, 3`,
    },
  ],
  expressions: [
    reduce('B', 'A', 'sum'),
    reduce('D', 'C', 'max'),
    math('E', `$B > 0 || $D > ${T.schedulerMissedOrLate.maxLatenessMs}`),
  ],
  condition: 'E',
  pendingFor: '0s',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 17,
    title: 'Rule: scheduler lateness',
    unit: 'ms',
    thresholdLine: T.schedulerMissedOrLate.maxLatenessMs,
    format: QuestDbFormat.TimeSeries,
    sql: `SELECT ts, job_name, max(lateness_ms) max_lateness_ms
FROM scheduler_run WHERE ${TIME_FILTER} AND ${schedulerScraperIn()}
${SAMPLE_BY}`,
  },
};

export const ALERT_RULES: readonly AlertRuleDefinition[] = Object.freeze([
  successRate,
  navigationP95,
  silent,
  zeroItems,
  itemsBaseline,
  schedulerFailed,
  schedulerMissedOrLate,
  ...DATA_QUALITY_RULES,
  blockRate,
  newFingerprint,
  costBaseline,
]);
