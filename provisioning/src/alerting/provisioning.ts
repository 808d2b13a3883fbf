import { QUESTDB_DATASOURCE, QUESTDB_PLUGIN_ID } from '../grafana/datasources';
import { QuestDbFormat } from '../grafana/queries';
import { section } from '../dashboards/sections';
import { ALERT_RULES, type AlertRuleDefinition, RUNBOOK_DOC } from './rules';

/** Folder (and its uid) that holds the provisioned rules. */
export const ALERT_FOLDER = 'Scrapewatch';
export const CONTACT_POINT = 'Scrapewatch webhook';
/** Grafana expands `$VAR` in contact point settings from its environment at start-up. */
export const WEBHOOK_URL_ENV = 'SCRAPEWATCH_ALERT_WEBHOOK_URL';
export const GROUP_BY: readonly string[] = Object.freeze([
  'grafana_folder',
  'alertname',
  'scraper',
]);
export const EVALUATION_INTERVAL = '1m';
/** Label on every Scrapewatch rule; the Alerts dashboard's alert list filters on it. */
export const PRODUCT_LABEL = 'scrapewatch';

const GROUP_NAMES: Record<AlertRuleDefinition['group'], string> = {
  scrapers: 'Scrapewatch scrapers',
  scheduler: 'Scrapewatch scheduler',
  'data-quality': 'Scrapewatch data quality',
};

function ruleData(rule: AlertRuleDefinition): unknown[] {
  const queries = rule.queries.map((q) => ({
    refId: q.refId,
    relativeTimeRange: { from: q.relativeSeconds, to: 0 },
    datasourceUid: QUESTDB_DATASOURCE.uid,
    model: {
      refId: q.refId,
      datasource: { type: QUESTDB_PLUGIN_ID, uid: QUESTDB_DATASOURCE.uid },
      queryType: 'sql',
      rawSql: q.sql,
      format: QuestDbFormat.Table,
      intervalMs: 60_000,
      maxDataPoints: 43_200,
    },
  }));
  const expressions = rule.expressions.map((e) => ({
    refId: e.refId,
    relativeTimeRange: { from: 0, to: 0 },
    datasourceUid: e.datasource.uid,
    model: e,
  }));
  return [...queries, ...expressions];
}

/** One provisioned rule, in Grafana's file-provisioning shape. */
export function provisionedRule(rule: AlertRuleDefinition): Record<string, unknown> {
  return {
    uid: rule.uid,
    title: rule.title,
    condition: rule.condition,
    data: ruleData(rule),
    noDataState: rule.noDataState,
    execErrState: rule.execErrState,
    for: rule.pendingFor,
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook: rule.runbook,
      runbook_url: `${RUNBOOK_DOC}#${rule.runbookAnchor}`,
      __dashboardUid__: section('alerts').uid,
      __panelId__: String(rule.panel.id),
    },
    // The `scraper` label of every alert instance comes from the query's `scraper` column.
    labels: { severity: rule.severity, product: PRODUCT_LABEL },
    isPaused: false,
  };
}

export function alertRulesFile(): Record<string, unknown> {
  const groups = (Object.keys(GROUP_NAMES) as AlertRuleDefinition['group'][]).map((group) => ({
    orgId: 1,
    name: GROUP_NAMES[group],
    folder: ALERT_FOLDER,
    interval: EVALUATION_INTERVAL,
    rules: ALERT_RULES.filter((r) => r.group === group).map(provisionedRule),
  }));
  return { apiVersion: 1, groups };
}

export function notificationsFile(): Record<string, unknown> {
  return {
    apiVersion: 1,
    contactPoints: [
      {
        orgId: 1,
        name: CONTACT_POINT,
        receivers: [
          {
            uid: 'scrapewatch-webhook',
            type: 'webhook',
            disableResolveMessage: false,
            settings: { url: `$${WEBHOOK_URL_ENV}`, httpMethod: 'POST' },
          },
        ],
      },
    ],
    policies: [
      {
        orgId: 1,
        receiver: CONTACT_POINT,
        group_by: [...GROUP_BY],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
      },
    ],
  };
}
