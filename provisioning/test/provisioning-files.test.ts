import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { LIVE_DATASOURCE_UID, LIVE_PLUGIN_ID, QUESTDB_DATASOURCE_UID } from '@scrapewatch/protocol';
import { buildDashboards } from '../src/dashboards';
import { ALERT_RULES } from '../src/alerting/rules';
import {
  EXPRESSION_DATASOURCE_UID,
  PROVISIONED_DATASOURCE_UIDS,
  QUESTDB_PLUGIN_ID,
} from '../src/grafana/datasources';
import { panelsOf } from './support/dashboards';

const ROOT = path.resolve(__dirname, '..');
const load = (relative: string): Record<string, unknown> =>
  parse(readFileSync(path.join(ROOT, relative), 'utf8')) as Record<string, unknown>;

/** Every key of `value` must be in `allowed`; returns the offending keys (with their path). */
function unknownKeys(value: unknown, allowed: readonly string[], where: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [`${where} is not an object`];
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${where}.${k}`);
}

// Fields Grafana's file provisioning accepts (alerting: pkg/services/provisioning/alerting file model).
const ALERT_FILE_KEYS = [
  'apiVersion',
  'groups',
  'deleteRules',
  'contactPoints',
  'deleteContactPoints',
  'policies',
  'resetPolicies',
  'templates',
  'deleteTemplates',
  'muteTimes',
  'deleteMuteTimes',
];
const GROUP_KEYS = ['orgId', 'name', 'folder', 'interval', 'rules'];
const RULE_KEYS = [
  'uid',
  'title',
  'condition',
  'data',
  'for',
  'labels',
  'annotations',
  'noDataState',
  'execErrState',
  'isPaused',
  'notification_settings',
  'record',
  'dashboardUid',
  'panelId',
  'keep_firing_for',
  'missing_series_evals_to_resolve',
];
const DATA_KEYS = ['refId', 'relativeTimeRange', 'datasourceUid', 'model', 'queryType'];
const CONTACT_POINT_KEYS = ['orgId', 'name', 'receivers'];
const RECEIVER_KEYS = ['uid', 'type', 'settings', 'disableResolveMessage'];
const POLICY_KEYS = [
  'orgId',
  'receiver',
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'routes',
  'matchers',
  'object_matchers',
  'continue',
  'mute_time_intervals',
  'active_time_intervals',
];
const NO_DATA_STATES = ['OK', 'NoData', 'Alerting', 'KeepLast'];
const EXEC_ERR_STATES = ['OK', 'Error', 'Alerting', 'KeepLast'];
const DATASOURCE_FILE_KEYS = ['apiVersion', 'datasources', 'deleteDatasources', 'prune'];
const DATASOURCE_KEYS = [
  'name',
  'type',
  'uid',
  'access',
  'orgId',
  'url',
  'user',
  'database',
  'basicAuth',
  'basicAuthUser',
  'withCredentials',
  'isDefault',
  'jsonData',
  'secureJsonData',
  'version',
  'editable',
];
const PROVIDER_FILE_KEYS = ['apiVersion', 'providers'];
const PROVIDER_KEYS = [
  'name',
  'orgId',
  'folder',
  'folderUid',
  'type',
  'disableDeletion',
  'updateIntervalSeconds',
  'allowUiUpdates',
  'options',
];

const alertFiles = readdirSync(path.join(ROOT, 'alerting')).filter((f) => /\.ya?ml$/.test(f));
const alertDocs = alertFiles.map((f) => [f, load(`alerting/${f}`)] as const);
const rules = alertDocs.flatMap(([, doc]) =>
  ((doc['groups'] as Record<string, unknown>[] | undefined) ?? []).flatMap(
    (g) => g['rules'] as Record<string, unknown>[],
  ),
);

describe('alerting provisioning files', () => {
  it.each(alertDocs)('%s uses only fields Grafana accepts', (file, doc) => {
    const problems: string[] = unknownKeys(doc, ALERT_FILE_KEYS, file);
    expect(doc['apiVersion']).toBe(1);
    for (const [gi, group] of ((doc['groups'] as unknown[] | undefined) ?? []).entries()) {
      problems.push(...unknownKeys(group, GROUP_KEYS, `${file}.groups[${gi}]`));
      const g = group as Record<string, unknown>;
      expect(typeof g['name']).toBe('string');
      expect(g['folder']).toBe('Scrapewatch');
      expect(g['interval']).toMatch(/^\d+[smh]$/);
      for (const [ri, rule] of (g['rules'] as unknown[]).entries()) {
        const where = `${file}.groups[${gi}].rules[${ri}]`;
        problems.push(...unknownKeys(rule, RULE_KEYS, where));
        for (const [di, d] of ((rule as Record<string, unknown>)['data'] as unknown[]).entries()) {
          problems.push(...unknownKeys(d, DATA_KEYS, `${where}.data[${di}]`));
        }
      }
    }
    for (const [ci, cp] of ((doc['contactPoints'] as unknown[] | undefined) ?? []).entries()) {
      problems.push(...unknownKeys(cp, CONTACT_POINT_KEYS, `${file}.contactPoints[${ci}]`));
      for (const r of (cp as Record<string, unknown[]>)['receivers'] ?? []) {
        problems.push(...unknownKeys(r, RECEIVER_KEYS, `${file}.contactPoints[${ci}].receivers`));
      }
    }
    for (const [pi, policy] of ((doc['policies'] as unknown[] | undefined) ?? []).entries()) {
      problems.push(...unknownKeys(policy, POLICY_KEYS, `${file}.policies[${pi}]`));
    }
    expect(problems).toEqual([]);
  });

  it('provisions every defined rule once, with unique uids', () => {
    expect(rules.map((r) => r['uid']).sort()).toEqual(ALERT_RULES.map((r) => r.uid).sort());
  });

  it.each(rules.map((r) => [String(r['uid']), r] as const))(
    '%s is complete and consistent',
    (_uid, rule) => {
      const data = rule['data'] as {
        refId: string;
        datasourceUid: string;
        model: Record<string, unknown>;
        relativeTimeRange: { from: number; to: number };
      }[];
      const refIds = data.map((d) => d.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(rule['condition']);
      for (const d of data) {
        expect([...PROVISIONED_DATASOURCE_UIDS, EXPRESSION_DATASOURCE_UID]).toContain(
          d.datasourceUid,
        );
        expect(d.model['refId']).toBe(d.refId);
        if (d.datasourceUid === EXPRESSION_DATASOURCE_UID) {
          expect(['reduce', 'math', 'threshold']).toContain(d.model['type']);
          // Every expression reads refIds defined in the rule.
          const inputs =
            d.model['type'] === 'math'
              ? [...String(d.model['expression']).matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1])
              : [d.model['expression']];
          for (const input of inputs) expect(refIds).toContain(input);
        } else {
          // Alert rules can only query a backend data source: QuestDB, in SQL, as a table.
          expect(d.datasourceUid).toBe(QUESTDB_DATASOURCE_UID);
          expect(d.model).toMatchObject({
            queryType: 'sql',
            format: 1,
            datasource: { type: QUESTDB_PLUGIN_ID },
          });
          expect(d.relativeTimeRange.from).toBeGreaterThan(0);
          expect(String(d.model['rawSql'])).toMatch(/\$__timeFilter\(ts\)/);
        }
      }
      expect(NO_DATA_STATES).toContain(rule['noDataState']);
      expect(EXEC_ERR_STATES).toContain(rule['execErrState']);
      const labels = rule['labels'] as Record<string, string>;
      expect(['critical', 'warning']).toContain(labels['severity']);
      // Grafana expands $VAR in labels from its environment: a label must not contain `$`.
      for (const v of Object.values(labels)) expect(v).not.toContain('$');
      const annotations = rule['annotations'] as Record<string, string>;
      for (const key of ['summary', 'description', 'runbook', 'runbook_url'])
        expect(annotations[key]).toBeTruthy();
      const dashboard = buildDashboards().find((d) => d.uid === annotations['__dashboardUid__']);
      expect(dashboard).toBeDefined();
      expect(panelsOf(dashboard!).map((p) => String(p.id))).toContain(annotations['__panelId__']);
    },
  );

  it('notifications go to the webhook from the environment, grouped by scraper and alert name', () => {
    const doc = alertDocs.find(([f]) => f === 'notifications.yaml')![1];
    const [cp] = doc['contactPoints'] as {
      name: string;
      receivers: { type: string; settings: { url: string } }[];
    }[];
    expect(cp?.receivers[0]?.type).toBe('webhook');
    expect(cp?.receivers[0]?.settings.url).toBe('$SCRAPEWATCH_ALERT_WEBHOOK_URL');
    const [policy] = doc['policies'] as { receiver: string; group_by: string[] }[];
    expect(policy?.receiver).toBe(cp?.name);
    expect(policy?.group_by).toEqual(expect.arrayContaining(['scraper', 'alertname']));
  });
});

describe('data source and dashboard provider files', () => {
  it('datasources.yaml provisions exactly the two data sources panels and rules name', () => {
    const doc = load('datasources/datasources.yaml');
    const problems = unknownKeys(doc, DATASOURCE_FILE_KEYS, 'datasources.yaml');
    const list = doc['datasources'] as Record<string, unknown>[];
    for (const ds of list)
      problems.push(...unknownKeys(ds, DATASOURCE_KEYS, `datasources.yaml:${String(ds['uid'])}`));
    expect(problems).toEqual([]);
    expect(list.map((d) => d['uid']).sort()).toEqual([...PROVISIONED_DATASOURCE_UIDS].sort());
    const liveDs = list.find((d) => d['uid'] === LIVE_DATASOURCE_UID)!;
    expect(liveDs['type']).toBe(LIVE_PLUGIN_ID);
    // Through Grafana's data source proxy: the token is encrypted, never in jsonData.
    expect(liveDs['access']).toBe('proxy');
    expect(liveDs['url']).toBe('http://collector:8080');
    expect(liveDs['jsonData']).toEqual({ connection: 'proxy' });
    expect(liveDs['secureJsonData']).toEqual({ streamToken: '$SCRAPEWATCH_GRAFANA_STREAM_TOKEN' });
    const questdb = list.find((d) => d['uid'] === QUESTDB_DATASOURCE_UID)!;
    expect(questdb['type']).toBe(QUESTDB_PLUGIN_ID);
    expect(questdb['jsonData']).toMatchObject({ port: 8812, tlsMode: 'disable' });
    expect(questdb['secureJsonData']).toEqual({ password: '$SCRAPEWATCH_QUESTDB_PASSWORD' });
  });

  it('dashboards.yaml is a read-only file provider of the generated JSON', () => {
    const doc = load('dashboards/dashboards.yaml');
    const problems = unknownKeys(doc, PROVIDER_FILE_KEYS, 'dashboards.yaml');
    const [provider] = doc['providers'] as Record<string, unknown>[];
    problems.push(...unknownKeys(provider, PROVIDER_KEYS, 'dashboards.yaml providers[0]'));
    expect(problems).toEqual([]);
    expect(provider).toMatchObject({
      type: 'file',
      allowUiUpdates: false,
      options: { path: '/etc/grafana/provisioning/dashboards/json' },
    });
  });
});
