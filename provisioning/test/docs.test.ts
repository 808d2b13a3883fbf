import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ALERT_RULES } from '../src/alerting/rules';
import { buildDashboards } from '../src/dashboards';
import { panelsOf } from './support/dashboards';

const DOCS = path.resolve(__dirname, '..', '..', 'docs');
// Prettier wraps prose: compare with whitespace collapsed.
const grafanaDoc = readFileSync(path.join(DOCS, 'grafana.md'), 'utf8').replace(/\s+/g, ' ');
const alertsDoc = readFileSync(path.join(DOCS, 'alerts.md'), 'utf8');

/** GitHub's heading anchor. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

describe('docs follow the provisioning', () => {
  it('docs/grafana.md describes every dashboard and panel', () => {
    for (const d of buildDashboards()) {
      expect(grafanaDoc).toContain(`\`${d.uid}\``);
      for (const p of panelsOf(d))
        expect({ panel: p.title, documented: grafanaDoc.includes(`**${p.title}**`) }).toEqual({
          panel: p.title,
          documented: true,
        });
    }
  });

  it('docs/alerts.md has a runbook section per rule, at the anchor the rule links to', () => {
    for (const rule of ALERT_RULES) {
      expect(alertsDoc).toContain(`\n## ${rule.title}\n`);
      expect(slug(rule.title)).toBe(rule.runbookAnchor);
    }
  });
});
