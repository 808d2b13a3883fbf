import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EVENT_KINDS,
  EVENT_REGISTRY,
  PageNavigationSchema,
  PageScrapeSchema,
  SchedulerRunSchema,
  ScraperRunSchema,
  liveValueOf,
  wireSchemas,
  type AcceptedEvent,
} from '../src';

// The registry is the one definition of each kind; what is derived from it must agree with it
// and, for today's fields, with what was written by hand before (the version-1 wire schemas).
describe('event registry', () => {
  it('declares every kind once, under its own name', () => {
    expect(Object.keys(EVENT_REGISTRY).sort()).toEqual([...EVENT_KINDS].sort());
    for (const kind of EVENT_KINDS) expect(EVENT_REGISTRY[kind].kind).toBe(kind);
  });

  it('derives exactly the released wire schemas (same keys, same order)', () => {
    const fixture = readFileSync(path.join(__dirname, 'fixtures/wire-schemas.json'), 'utf8');
    const derived = {
      page_navigation: PageNavigationSchema,
      page_scrape: PageScrapeSchema,
      scheduler_run: SchedulerRunSchema,
      scraper_run: ScraperRunSchema,
    };
    // Compared as JSON text, so the order of keys counts too.
    expect(JSON.stringify(derived)).toBe(JSON.stringify(JSON.parse(fixture)));
    expect(JSON.stringify(wireSchemas())).toBe(JSON.stringify(derived));
  });

  it.each(EVENT_KINDS)('%s: every column names a field of the kind or a derivation', (kind) => {
    const spec = EVENT_REGISTRY[kind];
    const fields = new Set(spec.fields.map((f) => f.name));
    const names = new Set<string>();
    for (const column of spec.columns) {
      expect(column.field !== undefined || column.derive !== undefined).toBe(true);
      if (column.field !== undefined) expect(fields).toContain(column.field);
      expect(names).not.toContain(column.name);
      names.add(column.name);
      expect(column.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(column.capacity !== undefined).toBe(column.type === 'SYMBOL');
    }
    expect(spec.columns.filter((c) => c.designated)).toHaveLength(1);
    // Every wire field is stored (the event id included), so history can return the event.
    for (const field of spec.fields)
      expect([
        field.name,
        spec.columns.some((c) => c.field === field.name) || field.storedIn !== undefined,
      ]).toEqual([field.name, true]);
  });

  it('plots the registry live fields and success for every kind', () => {
    const navigation: AcceptedEvent = {
      type: 'page_navigation',
      scraperSource: 'a',
      url: 'https://a.example/',
      navigationDurationMs: 150,
      retryCount: 2,
      success: false,
      recordedAt: 0,
      eventId: 'e',
    };
    const scrape: AcceptedEvent = {
      type: 'page_scrape',
      scraperSource: 'a',
      url: 'https://a.example/',
      scrapeDurationMs: 20,
      itemsExtracted: 7,
      success: true,
      recordedAt: 0,
      eventId: 'e',
    };
    const run: AcceptedEvent = {
      type: 'scheduler_run',
      schedulerName: 's',
      jobName: 'j',
      durationMs: 900,
      status: 'success',
      scheduledAt: 0,
      startedAt: 0,
      recordedAt: 0,
      eventId: 'e',
    };
    expect(
      ['duration', 'items', 'retries', 'success'].map((f) => liveValueOf(navigation, f as never)),
    ).toEqual([150, null, 2, 0]);
    expect(
      ['duration', 'items', 'retries', 'success'].map((f) => liveValueOf(scrape, f as never)),
    ).toEqual([20, 7, null, 1]);
    expect(
      ['duration', 'items', 'retries', 'success'].map((f) => liveValueOf(run, f as never)),
    ).toEqual([900, null, null, 1]);
  });
});
