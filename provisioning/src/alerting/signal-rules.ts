import { QuestDbFormat } from '../grafana/queries';
import { BLOCK_RATE_PANEL_SQL, blockRateRuleSql } from '../sql/blocks';
import { COST_PER_1000_ITEMS_SQL, costRatioRuleSql } from '../sql/cost';
import { ERRORS_BY_TEMPLATE_SQL, newFingerprintsSql } from '../sql/errors';
import { math, reduce, threshold } from './expressions';
import type { AlertRuleDefinition } from './rules';
import { THRESHOLDS } from './thresholds';

// Rules on the signals the SDK and the collector derive: soft blocks, error fingerprints, cost.
// Annotation templates use Grafana's documented template data only ($labels, $values, printf).

const T = THRESHOLDS;

export const blockRate: AlertRuleDefinition = {
  uid: 'scrapewatch-domain-block-rate-high',
  title: 'Domain block rate high',
  group: 'scrapers',
  severity: 'warning',
  summary:
    '{{ $labels.domain }} blocks {{ printf "%.0f" $values.B.Value }}% of the navigations of {{ $labels.scraper }}',
  description:
    `Over the last ${T.blockRate.windowSeconds / 60} minutes {{ printf "%.1f" $values.B.Value }}% of the ` +
    `navigations of {{ $labels.scraper }} to {{ $labels.domain }} were blocked (rate limited, forbidden, challenge, ` +
    `captcha, login wall or empty page; threshold ${T.blockRate.minPct}%, at least ${T.blockRate.minNavigations} ` +
    `navigations).`,
  runbook:
    'Open the Navigation dashboard, "Block rate by domain and reason": rate_limited means slow down (honour ' +
    'Retry-After, fewer concurrent pages); forbidden, challenge and captcha mean the site recognises the scraper ' +
    '(rotate proxies or sessions, check the browser fingerprint and headers); login_wall means the session expired; ' +
    'empty means the site serves a stripped page to suspected bots.',
  runbookAnchor: 'domain-block-rate-high',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.blockRate.windowSeconds,
      valueColumn: 'blocked_pct',
      sql: blockRateRuleSql(T.blockRate.minNavigations),
    },
  ],
  expressions: [reduce('B', 'A', 'last'), math('C', `$B >= ${T.blockRate.minPct}`)],
  condition: 'C',
  pendingFor: '0s',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 20,
    title: 'Rule: block rate by domain',
    unit: 'percent',
    thresholdLine: T.blockRate.minPct,
    format: QuestDbFormat.TimeSeries,
    sql: BLOCK_RATE_PANEL_SQL,
  },
};

export const newFingerprint: AlertRuleDefinition = {
  uid: 'scrapewatch-new-error-fingerprint',
  title: 'New kind of error',
  group: 'scrapers',
  severity: 'warning',
  summary:
    'New error for {{ $labels.scraper }} ({{ printf "%.0f" $values.B.Value }} times): {{ $labels.template }}',
  description:
    `An error never seen in the previous 7 days appeared {{ printf "%.0f" $values.B.Value }} times for ` +
    `{{ $labels.scraper }} in the last ${T.newFingerprint.newMinutes} minutes (threshold ` +
    `${T.newFingerprint.minOccurrences}). Fingerprint {{ $labels.fingerprint }}. Sample: {{ $labels.sample_error }} ` +
    `at {{ $labels.sample_url }}`,
  runbook:
    'Open the Alerts dashboard, Errors table: the template shows what varies, the sample what happened. A new ' +
    'error right after a deploy points at the scraper; one shared by several scrapers of the same domain at the ' +
    'site (a layout change, a new protection). Fix or classify it; the alert resolves once the error is no longer ' +
    'new (15 minutes).',
  runbookAnchor: 'new-kind-of-error',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.newFingerprint.knownSeconds,
      valueColumn: 'occurrences',
      sql: newFingerprintsSql(T.newFingerprint.newMinutes, T.newFingerprint.sampleChars),
    },
  ],
  expressions: [
    reduce('B', 'A', 'last'),
    threshold('C', 'B', 'gt', [T.newFingerprint.minOccurrences - 1]),
  ],
  condition: 'C',
  pendingFor: '0s',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 21,
    title: 'Rule: errors by template',
    unit: 'short',
    format: QuestDbFormat.TimeSeries,
    sql: ERRORS_BY_TEMPLATE_SQL,
  },
};

export const costBaseline: AlertRuleDefinition = {
  uid: 'scrapewatch-cost-per-item-high',
  title: 'Cost per 1,000 items above baseline',
  group: 'scrapers',
  severity: 'warning',
  summary:
    'Cost per 1,000 items of {{ $labels.scraper }} is {{ printf "%.2f" $values.B.Value }} times its 7-day baseline',
  description:
    `Over the last ${T.costBaseline.windowSeconds / 60} minutes one thousand items of {{ $labels.scraper }} cost ` +
    `{{ printf "%.2f" $values.B.Value }} times their average over the 7 days before, at today's prices (threshold ` +
    `${T.costBaseline.minRatio}).`,
  runbook:
    'Open the Scrapers dashboard, "Cost by scraper and domain": rising requests per item mean more retries or ' +
    'fewer items per page (blocks, a pagination change); rising bytes per item mean heavier pages (images, ' +
    'scripts not blocked) or the same bytes for fewer items. Check the block rate and the retries first.',
  runbookAnchor: 'cost-per-1000-items-above-baseline',
  queries: [
    {
      refId: 'A',
      relativeSeconds: T.costBaseline.windowSeconds,
      valueColumn: 'cost_ratio',
      sql: costRatioRuleSql(T.costBaseline.minItems, T.costBaseline.minBaselineItems),
    },
  ],
  expressions: [reduce('B', 'A', 'last'), math('C', `$B >= ${T.costBaseline.minRatio}`)],
  condition: 'C',
  pendingFor: '10m',
  noDataState: 'OK',
  execErrState: 'Error',
  panel: {
    id: 22,
    title: 'Rule: cost per 1,000 items by scraper',
    unit: 'short',
    format: QuestDbFormat.TimeSeries,
    sql: COST_PER_1000_ITEMS_SQL,
  },
};
