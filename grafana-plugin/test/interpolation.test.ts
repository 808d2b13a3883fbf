import { resolveScrapers } from '../src/live/scrapers';
import { createDataSource, installGrafanaServices, TestTemplateSrv } from './support/grafana';

describe('template variables', () => {
  const templateSrv = new TestTemplateSrv();
  beforeAll(() => installGrafanaServices(templateSrv));

  const csv = (text: string) => templateSrv.replace(text, {}, 'csv');
  const scraper = (current: string | string[], allValue?: string) => {
    templateSrv.variables = [
      {
        name: 'scraper',
        current,
        options: ['zillow', 'robinhood', 'amazon'],
        ...(allValue !== undefined ? { allValue } : {}),
      },
    ];
  };

  it('a single value', () => {
    scraper('robinhood');
    expect(resolveScrapers(['$scraper'], csv)).toEqual({ all: false, names: ['robinhood'] });
    expect(resolveScrapers(['${scraper}'], csv)).toEqual({ all: false, names: ['robinhood'] });
  });

  it('multiple values, mixed with literal names, unique and sorted', () => {
    scraper(['zillow', 'amazon']);
    expect(resolveScrapers(['$scraper', 'ebay', 'amazon'], csv)).toEqual({
      all: false,
      names: ['amazon', 'ebay', 'zillow'],
    });
  });

  it('All without a custom all value: every option', () => {
    scraper('$__all');
    expect(resolveScrapers(['$scraper'], csv)).toEqual({
      all: false,
      names: ['amazon', 'robinhood', 'zillow'],
    });
  });

  it('All with a custom all value of * or .*: every scraper (the wildcard channel)', () => {
    scraper(['$__all'], '*');
    expect(resolveScrapers(['$scraper'], csv)).toEqual({ all: true });
    scraper('$__all', '.*');
    expect(resolveScrapers(['$scraper'], csv)).toEqual({ all: true });
  });

  it('no scrapers, or an empty variable: every scraper', () => {
    scraper([]);
    expect(resolveScrapers([], csv)).toEqual({ all: true });
    expect(resolveScrapers(['$scraper'], csv)).toEqual({ all: true });
  });

  it('the data source resolves a target through getTemplateSrv, honouring scoped variables (repeat panels)', () => {
    scraper(['zillow', 'amazon']);
    const ds = createDataSource({ collectorUrl: 'http://127.0.0.1:1' });
    const target = {
      refId: 'A',
      scrapers: ['$scraper'],
      kind: 'page_scrape' as const,
      fields: ['items' as const],
      mode: 'aggregate' as const,
      aggregate: 'p95' as const,
      groupBy: 'none' as const,
    };
    const resolved = ds.resolveQuery(target);
    expect(resolved).toMatchObject({
      selection: { all: false, names: ['amazon', 'zillow'] },
      kind: 'page_scrape',
      fields: ['items'],
      mode: 'aggregate',
      aggregate: 'p95',
      windowMs: 60_000,
      groupBy: 'none',
    });
    const repeated = ds.resolveQuery(target, {
      scraper: { text: 'robinhood', value: 'robinhood' },
    });
    expect(repeated.selection).toEqual({ all: false, names: ['robinhood'] });
    expect(ds.interpolateVariablesInQueries([target], {})[0]?.scrapers).toEqual([
      'amazon',
      'zillow',
    ]);
  });

  it('falls back to the shared defaults for a sparse or unknown target', () => {
    const ds = createDataSource({ collectorUrl: 'http://127.0.0.1:1' });
    const resolved = ds.resolveQuery({ refId: 'B' } as never);
    expect(resolved).toMatchObject({
      selection: { all: true },
      kind: 'page_navigation',
      fields: ['duration'],
      mode: 'raw',
      groupBy: 'scraper',
    });
  });
});
