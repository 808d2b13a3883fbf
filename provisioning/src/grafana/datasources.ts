import { LIVE_DATASOURCE_UID, LIVE_PLUGIN_ID, QUESTDB_DATASOURCE_UID } from '@scrapewatch/protocol';

/** The plugin id of the official QuestDB data source (backend, alerting-capable). */
export const QUESTDB_PLUGIN_ID = 'questdb-questdb-datasource';

/** Grafana's server-side expressions pseudo data source, used by alert rules. */
export const EXPRESSION_DATASOURCE_UID = '__expr__';

export const LIVE_DATASOURCE = Object.freeze({ type: LIVE_PLUGIN_ID, uid: LIVE_DATASOURCE_UID });
export const QUESTDB_DATASOURCE = Object.freeze({
  type: QUESTDB_PLUGIN_ID,
  uid: QUESTDB_DATASOURCE_UID,
});
/** Grafana's built-in data source: the dashboard's own annotations and alert state changes. */
export const GRAFANA_DATASOURCE = Object.freeze({ type: 'grafana', uid: '-- Grafana --' });

/** Every data source uid the provisioning defines; panels and rules may only name these. */
export const PROVISIONED_DATASOURCE_UIDS: readonly string[] = Object.freeze([
  LIVE_DATASOURCE_UID,
  QUESTDB_DATASOURCE_UID,
]);
