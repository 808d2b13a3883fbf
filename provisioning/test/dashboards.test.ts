import { LIVE_AGGREGATES, LIVE_FIELDS, EVENT_KINDS } from '@scrapewatch/protocol';
import { buildDashboards } from '../src/dashboards';
import { SECTIONS } from '../src/dashboards/sections';
import { ALERT_RULES } from '../src/alerting/rules';
import { PROVISIONED_DATASOURCE_UIDS } from '../src/grafana/datasources';
import { panelsOf } from './support/dashboards';

const dashboards = buildDashboards();
const GRAFANA_BUILTIN = '-- Grafana --';

describe('the six section dashboards', () => {
  it('are the six sections, in tab order, with unique uids', () => {
    expect(dashboards.map((d) => d.uid)).toEqual(SECTIONS.map((s) => s.uid));
    expect(dashboards.map((d) => d.title)).toEqual(SECTIONS.map((s) => s.title));
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s links to each of the six like tabs',
    (_uid, d) => {
      const targets = (d.links ?? []).map((l) => {
        expect(l.type).toBe('link');
        expect(l.includeVars && l.keepTime).toBe(true);
        const match = /^\/d\/([\w-]+)$/.exec(l.url ?? '');
        expect(match).not.toBeNull();
        return match?.[1];
      });
      expect(targets).toEqual(SECTIONS.map((s) => s.uid));
    },
  );

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s has the scraper variable (multi, All)',
    (_uid, d) => {
      const variable = (d.templating?.list ?? []).find((v) => v.name === 'scraper');
      expect(variable).toMatchObject({
        type: 'query',
        multi: true,
        includeAll: true,
        datasource: { uid: 'questdb' },
      });
      // Without a custom all value, All expands to every option (quoted by the panels' format).
      expect(variable?.allValue).toBeUndefined();
    },
  );

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s: panel ids are unique and every panel names a provisioned data source',
    (_uid, d) => {
      const panels = panelsOf(d);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        if (panel.type === 'alertlist') continue; // reads Grafana's own alert state
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(PROVISIONED_DATASOURCE_UIDS).toContain(target.datasource?.uid);
        }
      }
      for (const annotation of d.annotations?.list ?? []) {
        expect([GRAFANA_BUILTIN, ...PROVISIONED_DATASOURCE_UIDS]).toContain(
          annotation.datasource?.uid,
        );
      }
    },
  );

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s: every panel honours $scraper',
    (_uid, d) => {
      for (const panel of panelsOf(d)) {
        if (panel.type === 'alertlist') {
          expect(
            (panel.options as { alertInstanceLabelFilter: string }).alertInstanceLabelFilter,
          ).toContain('${scraper:regex}');
          continue;
        }
        for (const target of panel.targets ?? []) {
          if (target.datasource?.uid === 'questdb') {
            const sql = target.rawSql ?? '';
            // Every read of a table or view is filtered by the selection.
            const reads =
              sql.match(
                /\bFROM\s+(page_navigation|page_scrape|scheduler_run|field_coverage|scraper_run)\w*/g,
              ) ?? [];
            const filters = sql.match(/scraper IN \(\$\{scraper:singlequote\}\)/g) ?? [];
            expect({
              panel: panel.title,
              filters: filters.length >= reads.length && reads.length > 0,
            }).toEqual({
              panel: panel.title,
              filters: true,
            });
            // History panels bucket by the plugin's interval macro, never Grafana's $__interval.
            expect(sql).not.toMatch(/\$__interval/);
            if (/SAMPLE BY/.test(sql)) expect(sql).toMatch(/SAMPLE BY \$__sampleByInterval/);
          } else {
            expect(target.scrapers).toEqual(['$scraper']);
          }
        }
      }
    },
  );

  it('live targets follow the shared live query model', () => {
    for (const d of dashboards) {
      for (const panel of panelsOf(d)) {
        for (const t of panel.targets ?? []) {
          if (t.datasource?.uid !== 'scrapewatch-live') continue;
          expect(t.datasource.type).toBe('scrapewatch-live-datasource');
          expect(EVENT_KINDS).toContain(t['kind']);
          for (const f of t['fields'] as string[]) expect(LIVE_FIELDS).toContain(f);
          expect(['raw', 'aggregate']).toContain(t['mode']);
          if (t['mode'] === 'aggregate') expect(LIVE_AGGREGATES).toContain(t['aggregate']);
          expect(['scraper', 'none']).toContain(t['groupBy']);
        }
      }
    }
  });

  it('Overview has a card per scraper (repeat) and live stat cards', () => {
    const overview = dashboards[0]!;
    const repeated = panelsOf(overview).find((p) => p.repeat === 'scraper');
    expect(repeated?.type).toBe('stat');
    const liveStats = panelsOf(overview).filter(
      (p) => p.type === 'stat' && p.targets?.every((t) => t.datasource?.uid === 'scrapewatch-live'),
    );
    expect(liveStats.length).toBeGreaterThanOrEqual(4);
  });

  it('every alert rule panel exists on the Alerts dashboard', () => {
    const alerts = dashboards.find((d) => d.uid === 'scrapewatch-alerts')!;
    for (const rule of ALERT_RULES) {
      const panel = panelsOf(alerts).find((p) => p.id === rule.panel.id);
      expect(panel?.title).toBe(rule.panel.title);
    }
  });
});
