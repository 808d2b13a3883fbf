import type { DataFrame } from '@grafana/data';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import type { ResolvedQuery } from '../src/live/frames';
import { TargetSeries } from '../src/live/target-series';
import { eventValue, fillPct } from '../src/live/values';
import { scrape } from './support/events';

const T0 = 1_700_000_000_000;

function series(patch: Partial<ResolvedQuery> = {}): TargetSeries {
  const query: ResolvedQuery = {
    refId: 'A',
    selection: { all: true },
    kind: 'page_scrape',
    fields: ['items'],
    mode: 'aggregate',
    aggregate: 'fill_pct',
    windowMs: 10_000,
    groupBy: 'scraper',
    ...patch,
  };
  return new TargetSeries(query, { capacity: 100, maxEvents: 10_000, maxRememberedIds: 10_000 });
}

function values(frame: DataFrame | undefined): unknown[] {
  const field = frame?.fields.find((f) => f.name === 'fill_pct');
  if (!field) throw new Error(`no fill_pct in ${frame?.name}`);
  return [...field.values];
}

describe('live fill rate per field', () => {
  it('sums filled over items of the events that report the field', () => {
    const events: AcceptedEvent[] = [
      scrape('a', T0, { itemsExtracted: 10, fields: { price: 10, title: 5 } }),
      scrape('a', T0 + 1, { itemsExtracted: 30, fields: { price: 0 } }),
      scrape('a', T0 + 2, { itemsExtracted: 50 }),
    ];
    expect(fillPct(events, 'price')).toBe(25);
    expect(fillPct(events, 'title')).toBe(50);
    expect(fillPct(events, 'rating')).toBeNull();
  });

  it('gives one series per scraper and field, labelled, over the rolling window', () => {
    const s = series();
    s.add([
      scrape('shop', T0, { itemsExtracted: 10, fields: { price: 10, title: 10 } }),
      scrape('shop', T0 + 5_000, { itemsExtracted: 10, fields: { price: 0, title: 10 } }),
      scrape('news', T0 + 5_000, { itemsExtracted: 4, fields: { title: 1 } }),
      scrape('news', T0 + 6_000, { itemsExtracted: 4 }),
    ]);
    // At T0+12s the first shop scrape has left the 10 s window.
    s.evaluate([T0 + 5_000, T0 + 12_000]);
    const frames = s.frames();
    const byName = Object.fromEntries(frames.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['news title', 'shop price', 'shop title']);
    expect(values(byName['shop price'])).toEqual([50, 0]);
    expect(values(byName['shop title'])).toEqual([100, 100]);
    expect(values(byName['news title'])).toEqual([25, 25]);
    const field = byName['shop price']?.fields[1];
    expect(field?.labels).toEqual({ scraper: 'shop', field: 'price' });
    expect(field?.config.unit).toBe('percent');
    expect(field?.config.displayNameFromDS).toBe('shop price');
  });

  it('combines scrapers per field with groupBy none, and reads scraper_run coverage', () => {
    const s = series({ groupBy: 'none', kind: 'scraper_run' });
    const run = (
      scraper: string,
      items: number,
      fields: Record<string, number>,
    ): AcceptedEvent => ({
      type: 'scraper_run',
      scraperSource: scraper,
      runId: `${scraper}-${items}`,
      startedAt: T0 - 60_000,
      recordedAt: T0,
      outcome: 'success',
      pages: 3,
      items,
      errors: 0,
      fields,
      error: null,
      eventId: `${scraper}-run-${items}`,
    });
    s.add([run('a', 100, { price: 90 }), run('b', 100, { price: 10 })]);
    s.evaluate([T0]);
    const [frame] = s.frames();
    expect(frame?.name).toBe('price');
    expect(values(frame)).toEqual([50]);
    expect(frame?.fields[1]?.labels).toEqual({ field: 'price' });
    expect(eventValue(run('a', 7, {}), 'items')).toBe(7);
    expect(eventValue(run('a', 7, {}), 'duration')).toBe(60_000);
  });
});
