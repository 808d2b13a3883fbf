import { stringify } from 'yaml';
import { alertRulesFile, notificationsFile } from './alerting/provisioning';
import { buildDashboards } from './dashboards';
import { SECTIONS } from './dashboards/sections';

/** Paths relative to the provisioning workspace. */
export const DASHBOARD_JSON_DIR = 'dashboards/json';
export const ALERT_RULES_FILE = 'alerting/rules.yaml';
export const NOTIFICATIONS_FILE = 'alerting/notifications.yaml';

const YAML_HEADER =
  '# Generated from provisioning/src by `npm run dashboards`; edit the TypeScript, not this file.\n';

/**
 * No folding and single quotes: exactly what the repository's prettier check keeps, so the
 * generated YAML passes `prettier --check` unchanged.
 */
function yamlFile(document: unknown): string {
  return YAML_HEADER + stringify(document, { lineWidth: 0, singleQuote: true });
}

/** Every generated file: relative path -> exact content. Pure: no file system access. */
export function renderProvisioning(): Map<string, string> {
  const files = new Map<string, string>();
  const dashboards = buildDashboards();
  dashboards.forEach((dashboard, index) => {
    const key = SECTIONS[index]?.key;
    if (!key || dashboard.uid !== SECTIONS[index]?.uid)
      throw new Error(`dashboard ${index} is out of tab order`);
    files.set(`${DASHBOARD_JSON_DIR}/${key}.json`, `${JSON.stringify(dashboard, null, 2)}\n`);
  });
  files.set(ALERT_RULES_FILE, yamlFile(alertRulesFile()));
  files.set(NOTIFICATIONS_FILE, yamlFile(notificationsFile()));
  return files;
}
