import { FieldType, type DataFrame } from '@grafana/data';
import { channelOf, HISTORY_MAX_LIMIT, type AcceptedEvent } from '@scrapewatch/protocol/core';
import { buildRawFrame, withNotices, type ResolvedQuery } from '../src/live/frames';
import { SortedBuffer } from '../src/live/sorted-buffer';
import { historyLimit } from '../src/live/target-stream';
import { evaluationGrid, TargetSeries } from '../src/live/target-series';
import { aggregateEvents, eventScraper, eventValue, percentile } from '../src/live/values';
import { navigation, schedulerRun, scrape } from './support/events';

const T0 = 1_700_000_000_000;

function query(patch: Partial<ResolvedQuery> = {}): ResolvedQuery {
  return {
    refId: 'A',
    selection: { all: true },
    kind: 'page_navigation',
    fields: ['duration'],
    mode: 'raw',
    aggregate: 'count',
    windowMs: 10_000,
    groupBy: 'scraper',
    ...patch,
  };
}

function series(patch: Partial<ResolvedQuery> = {}, capacity = 100): TargetSeries {
  return new TargetSeries(query(patch), { capacity, maxEvents: 10_000, maxRememberedIds: 10_000 });
}

function column(frame: DataFrame | undefined, name: string): unknown[] {
  const field = frame?.fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`no field ${name} in ${frame?.name}`);
  return [...field.values];
}

describe('event values', () => {
  it('reads duration, items, retries and success per kind', () => {
    const nav = navigation('a', T0, { navigationDurationMs: 250, retryCount: 2, success: false });
    const scr = scrape('a', T0, { scrapeDurationMs: 75, itemsExtracted: 0 });
    const run = schedulerRun('nightly', T0, { durationMs: 5_000, status: 'failed' });
    expect([
      eventValue(nav, 'duration'),
      eventValue(nav, 'retries'),
      eventValue(nav, 'items'),
      eventValue(nav, 'success'),
    ]).toEqual([250, 2, null, 0]);
    expect([
      eventValue(scr, 'duration'),
      eventValue(scr, 'items'),
      eventValue(scr, 'retries'),
      eventValue(scr, 'success'),
    ]).toEqual([75, 0, null, 1]);
    expect([eventValue(run, 'duration'), eventValue(run, 'success')]).toEqual([5_000, 0]);
  });

  it('names the scraper exactly as the protocol channelOf does', () => {
    const events = [
      navigation('robinhood', T0),
      scrape('zillow', T0),
      schedulerRun('nightly', T0),
      schedulerRun('nightly', T0, { scraperSource: 'zillow' }),
    ];
    for (const event of events) expect(eventScraper(event)).toBe(channelOf(event));
  });

  it('computes every aggregate over a window', () => {
    const events = [10, 20, 30, 40].map((d, i) =>
      navigation('a', T0 + i, { navigationDurationMs: d, success: i !== 0 }),
    );
    expect(aggregateEvents(events, 'count', 'duration', 10_000)).toBe(4);
    expect(aggregateEvents(events, 'rate', 'duration', 10_000)).toBeCloseTo(0.4);
    expect(aggregateEvents(events, 'success_pct', 'duration', 10_000)).toBe(75);
    expect(aggregateEvents(events, 'avg', 'duration', 10_000)).toBe(25);
    expect(aggregateEvents(events, 'p95', 'duration', 10_000)).toBe(40);
    expect(aggregateEvents([], 'success_pct', 'duration', 10_000)).toBeNull();
    expect(aggregateEvents([], 'avg', 'duration', 10_000)).toBeNull();
    expect(aggregateEvents([], 'count', 'duration', 10_000)).toBe(0);
  });

  it('sums a field and counts distinct scrapers over a window', () => {
    const scrapes = [
      scrape('a', T0, { itemsExtracted: 12 }),
      scrape('b', T0 + 1, { itemsExtracted: 0 }),
      scrape('a', T0 + 2, { itemsExtracted: 30 }),
    ];
    expect(aggregateEvents(scrapes, 'sum', 'items', 60_000)).toBe(42);
    expect(aggregateEvents(scrapes, 'distinct_scrapers', 'items', 60_000)).toBe(2);
    // Navigations carry no items: nothing to add up.
    expect(aggregateEvents([navigation('a', T0)], 'sum', 'items', 60_000)).toBe(0);
    expect(aggregateEvents([], 'sum', 'items', 60_000)).toBe(0);
    expect(aggregateEvents([], 'distinct_scrapers', 'items', 60_000)).toBe(0);
  });

  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
  });
});

describe('SortedBuffer', () => {
  it('keeps time order and drops the oldest past capacity', () => {
    const buffer = new SortedBuffer<number>(3, (n) => n);
    for (const n of [5, 1, 4, 2, 3]) buffer.insert(n);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    buffer.upsert(4);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    expect(buffer.between(3, 5)).toEqual([4, 5]);
    buffer.dropBefore(5);
    expect(buffer.toArray()).toEqual([5]);
  });
});

describe('raw frames', () => {
  it('builds one time-ordered frame per scraper, labelled, de-duplicated by eventId', () => {
    const s = series({ fields: ['duration', 'retries'] });
    const late = navigation('a', T0 + 2_000, { navigationDurationMs: 300 });
    const early = navigation('a', T0, { navigationDurationMs: 100, retryCount: 1 });
    const other = navigation('b', T0 + 1_000, { navigationDurationMs: 200 });
    expect(s.add([late, other])).toBe(2);
    expect(s.add([early, late, scrape('a', T0)])).toBe(1);
    const frames = s.frames();
    expect(frames.map((f) => f.name)).toEqual(['a', 'b']);
    expect(column(frames[0], 'time')).toEqual([T0, T0 + 2_000]);
    expect(column(frames[0], 'duration')).toEqual([100, 300]);
    expect(column(frames[0], 'retries')).toEqual([1, 0]);
    const duration = frames[0]?.fields.find((f) => f.name === 'duration');
    expect(duration?.labels).toEqual({ scraper: 'a' });
    expect(duration?.config.unit).toBe('ms');
    expect(duration?.config.displayNameFromDS).toBe('a duration');
    expect(frames[0]?.fields[0]?.type).toBe(FieldType.time);
  });

  it('combines every scraper into one frame with a scraper column when groupBy is none', () => {
    const s = series({ groupBy: 'none', kind: 'page_scrape', fields: ['items'] });
    s.add([scrape('b', T0 + 1, { itemsExtracted: 3 }), scrape('a', T0, { itemsExtracted: 5 })]);
    const [frame, ...rest] = s.frames();
    expect(rest).toHaveLength(0);
    expect(column(frame, 'items')).toEqual([5, 3]);
    expect(column(frame, 'scraper')).toEqual(['a', 'b']);
    expect(frame?.fields.find((f) => f.name === 'items')?.labels).toBeUndefined();
  });

  it('keeps only the selected scrapers and kind', () => {
    const s = series({ selection: { all: false, names: ['a'] } });
    expect(s.add([navigation('a', T0), navigation('b', T0), scrape('a', T0)])).toBe(1);
    expect(s.frames().map((f) => f.name)).toEqual(['a']);
  });

  it('is bounded by capacity (maxDataPoints), newest rows kept', () => {
    const s = series({}, 3);
    s.add(Array.from({ length: 10 }, (_, i) => navigation('a', T0 + i)));
    expect(column(s.frames()[0], 'time')).toEqual([T0 + 7, T0 + 8, T0 + 9]);
  });

  it('scheduler runs without a scraper are grouped under their scheduler', () => {
    const s = series({ kind: 'scheduler_run', fields: ['duration', 'success'] });
    s.add([schedulerRun('nightly', T0, { status: 'missed', startedAt: null, durationMs: 0 })]);
    const frame = s.frames()[0];
    expect(frame?.name).toBe('nightly');
    expect(column(frame, 'success')).toEqual([0]);
  });
});

describe('aggregate frames', () => {
  const events = [
    navigation('a', T0 + 1_000, { navigationDurationMs: 100, success: true }),
    navigation('a', T0 + 2_000, { navigationDurationMs: 300, success: false }),
    navigation('b', T0 + 3_000, { navigationDurationMs: 500, success: true }),
    navigation('a', T0 + 15_000, { navigationDurationMs: 700, success: true }),
  ];

  function evaluated(patch: Partial<ResolvedQuery>, times: number[]): DataFrame[] {
    const s = series({ mode: 'aggregate', windowMs: 10_000, ...patch });
    s.add(events);
    s.evaluate(times);
    return s.frames();
  }

  it('count per scraper over a rolling window', () => {
    const [a, b] = evaluated({ aggregate: 'count' }, [T0 + 5_000, T0 + 16_000]);
    expect(column(a, 'time')).toEqual([T0 + 5_000, T0 + 16_000]);
    expect(column(a, 'count')).toEqual([2, 1]);
    expect(column(b, 'count')).toEqual([1, 0]);
    expect(a?.fields[1]?.labels).toEqual({ scraper: 'a' });
  });

  it('rate in events per second', () => {
    const [a] = evaluated({ aggregate: 'rate' }, [T0 + 5_000]);
    expect(column(a, 'rate')).toEqual([0.2]);
  });

  it('success_pct in percent, null without events', () => {
    const [a, b] = evaluated({ aggregate: 'success_pct' }, [T0 + 5_000, T0 + 14_000]);
    expect(column(a, 'success_pct')).toEqual([50, null]);
    expect(column(b, 'success_pct')).toEqual([100, null]);
    expect(a?.fields[1]?.config.unit).toBe('percent');
  });

  it('avg and p95 per field', () => {
    const [a] = evaluated({ aggregate: 'avg', fields: ['duration', 'retries'] }, [T0 + 5_000]);
    expect(column(a, 'avg duration')).toEqual([200]);
    expect(column(a, 'avg retries')).toEqual([0]);
    const [p] = evaluated({ aggregate: 'p95' }, [T0 + 5_000]);
    expect(column(p, 'p95 duration')).toEqual([300]);
  });

  it('sum per field and distinct scrapers combined over every scraper', () => {
    const [sum] = evaluated({ aggregate: 'sum', groupBy: 'none' }, [T0 + 5_000, T0 + 16_000]);
    expect(column(sum, 'sum duration')).toEqual([900, 700]);
    expect(sum?.fields[1]?.config.unit).toBe('ms');
    const [distinct] = evaluated({ aggregate: 'distinct_scrapers', groupBy: 'none' }, [
      T0 + 5_000,
      T0 + 16_000,
    ]);
    expect(column(distinct, 'distinct_scrapers')).toEqual([2, 1]);
  });

  it('combined over every scraper when groupBy is none', () => {
    const frames = evaluated({ aggregate: 'count', groupBy: 'none' }, [T0 + 5_000]);
    expect(frames).toHaveLength(1);
    expect(column(frames[0], 'count')).toEqual([3]);
    expect(frames[0]?.fields[1]?.labels).toBeUndefined();
  });

  it('re-evaluates points after a gap repair brings older events', () => {
    const s = series({ mode: 'aggregate', aggregate: 'count' });
    s.add([navigation('a', T0 + 1_000)]);
    s.evaluate([T0 + 5_000]);
    s.add([navigation('a', T0 + 2_000)]);
    expect(column(s.frames()[0], 'count')).toEqual([1]);
    s.reevaluate(T0 + 2_000, T0 + 12_000);
    expect(column(s.frames()[0], 'count')).toEqual([2]);
  });

  it('evaluation grid steps over the range and ends at its end', () => {
    expect(evaluationGrid(1_500, 5_200, 1_000)).toEqual([2_000, 3_000, 4_000, 5_000, 5_200]);
  });
});

describe('notices', () => {
  it('attach to the first frame, or to an empty frame without data', () => {
    const notice = { severity: 'warning' as const, text: 'disconnected' };
    const empty = withNotices(query(), [], [notice]);
    expect(empty).toHaveLength(1);
    expect(empty[0]?.meta?.notices).toEqual([notice]);
    const frame = buildRawFrame(query(), 'a', [navigation('a', T0) as AcceptedEvent]);
    const [first] = withNotices(query(), [frame], [notice]);
    expect(first?.meta?.notices).toEqual([notice]);
    expect(first?.length).toBe(1);
  });
});

describe('history limits', () => {
  it('asks only for what raw series keep, and for everything an aggregate needs', () => {
    expect(historyLimit(query({ groupBy: 'none' }), 500)).toBe(500);
    expect(historyLimit(query({ selection: { all: false, names: ['a', 'b'] } }), 500)).toBe(1_000);
    expect(historyLimit(query(), 500)).toBe(HISTORY_MAX_LIMIT);
    expect(historyLimit(query({ mode: 'aggregate', groupBy: 'none' }), 500)).toBe(
      HISTORY_MAX_LIMIT,
    );
  });
});
