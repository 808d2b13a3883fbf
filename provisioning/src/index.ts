export { buildDashboards } from './dashboards';
export { SECTIONS, DASHBOARD_TAG, section } from './dashboards/sections';
export { SCRAPER_VARIABLE_SQL } from './dashboards/shared';
export { ALERT_RULES, RUNBOOK_DOC } from './alerting/rules';
export type { AlertRuleDefinition, RuleQuery, RulePanel } from './alerting/rules';
export { THRESHOLDS } from './alerting/thresholds';
export type {
  ExpressionModel,
  ReduceModel,
  MathModel,
  ThresholdModel,
} from './alerting/expressions';
export {
  alertRulesFile,
  notificationsFile,
  ALERT_FOLDER,
  CONTACT_POINT,
  WEBHOOK_URL_ENV,
} from './alerting/provisioning';
export {
  renderProvisioning,
  DASHBOARD_JSON_DIR,
  ALERT_RULES_FILE,
  NOTIFICATIONS_FILE,
} from './render';
export {
  LIVE_DATASOURCE,
  QUESTDB_DATASOURCE,
  QUESTDB_PLUGIN_ID,
  PROVISIONED_DATASOURCE_UIDS,
  EXPRESSION_DATASOURCE_UID,
} from './grafana/datasources';
export { QuestDbFormat } from './grafana/queries';
export type { QuestDbQuery, LiveQuery } from './grafana/queries';
export {
  expandQuestDbMacros,
  interpolateVariables,
  sampleByInterval,
} from './grafana/interpolation';
export type { MultiVariable, TimeRange } from './grafana/interpolation';
