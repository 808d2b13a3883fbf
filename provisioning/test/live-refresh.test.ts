import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { LIVE_DATASOURCE_UID } from '@scrapewatch/protocol';
import { LIVE_REFRESH_EXEMPTIONS } from '../src/dashboards/live-refresh';
import { panelsOf, type AnyPanel } from './support/dashboards';

const JSON_DIR = path.resolve(__dirname, '../dashboards/json');

/** The dashboards exactly as Grafana provisions them: the JSON files on disk. */
const provisioned: Dashboard[] = readdirSync(JSON_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(JSON_DIR, f), 'utf8')) as Dashboard);

const isLive = (panel: AnyPanel): boolean =>
  (panel.targets ?? []).some((t) => t.datasource?.uid === LIVE_DATASOURCE_UID);

/** Grafana auto-refreshes a dashboard whose `refresh` is a non-empty interval. */
const autoRefreshes = (d: Dashboard): boolean =>
  typeof d.refresh === 'string' && d.refresh.trim() !== '';

describe('live panels and dashboard auto-refresh', () => {
  it('reads all six provisioned dashboards, and live panels exist on them', () => {
    expect(provisioned).toHaveLength(6);
    expect(provisioned.flatMap((d) => panelsOf(d).filter(isLive)).length).toBeGreaterThan(10);
  });

  it.each(provisioned.map((d) => [d.uid, d] as const))(
    '%s: no auto-refresh restarts a live panel unless the panel is exempt and says why',
    (uid, d) => {
      const live = panelsOf(d).filter(isLive);
      if (!autoRefreshes(d)) return;
      for (const panel of live) {
        const exemption = LIVE_REFRESH_EXEMPTIONS.find(
          (e) => e.dashboardUid === uid && e.panelId === panel.id,
        );
        expect({ panel: panel.title, exempt: exemption !== undefined }).toEqual({
          panel: panel.title,
          exempt: true,
        });
        expect(panel.description).toContain(exemption?.reason);
      }
    },
  );

  it('a dashboard whose panels all stream does not refresh and follows now instead', () => {
    const allLive = provisioned.filter((d) => {
      const panels = panelsOf(d).filter((p) => (p.targets ?? []).length > 0);
      return panels.length > 0 && panels.every(isLive);
    });
    expect(allLive.map((d) => d.uid)).toContain('scrapewatch-overview');
    for (const d of allLive) {
      expect(autoRefreshes(d)).toBe(false);
      expect(d.liveNow).toBe(true);
    }
  });

  it('every exemption names a live panel of a refreshing dashboard (no stale entries)', () => {
    for (const e of LIVE_REFRESH_EXEMPTIONS) {
      const d = provisioned.find((x) => x.uid === e.dashboardUid);
      expect(d && autoRefreshes(d)).toBe(true);
      const panel = d && panelsOf(d).find((p) => p.id === e.panelId);
      expect(panel && isLive(panel)).toBe(true);
    }
  });
});
