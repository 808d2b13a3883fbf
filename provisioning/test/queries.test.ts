import { randomBytes } from 'node:crypto';
import { testQuestDB } from '@scrapewatch/questdb';
import { alignedNow, SECOND_MS } from '@scrapewatch/testkit';
import { buildDashboards } from '../src/dashboards';
import { SCRAPER_VARIABLE_SQL } from '../src/dashboards/shared';
import { ALERT_RULES } from '../src/alerting/rules';
import { QuestDbFormat } from '../src/grafana/queries';
import { panelByTitle, panelsOf, sqlOf } from './support/dashboards';
import {
  type MultiVariable,
  expandQuestDbMacros,
  interpolateVariables,
} from '../src/grafana/interpolation';
import { type ResultTable, applySchema, query } from './support/questdb';
import { type Seed, seed } from './support/seed';

const { httpUrl, pgUrl } = testQuestDB();
const dashboards = buildDashboards();
const byUid = (uid: string) => {
  const d = dashboards.find((x) => x.uid === uid);
  if (!d) throw new Error(uid);
  return d;
};

let data: Seed;

const HOUR = 3_600_000;

beforeAll(async () => {
  await applySchema(httpUrl);
  // 30 s into a minute: the seed's spans fall into the same one-minute buckets on every run
  // (with the clock's own phase, the 475 s of the broken scraper's navigations cover 8 buckets
  // instead of 9 when the run starts in the first 5 s of a minute).
  const nowMs = alignedNow('minute', { offsetMs: 30 * SECOND_MS });
  data = await seed(httpUrl, pgUrl, randomBytes(4).toString('hex'), nowMs);
}, 300_000);

const DAY = 24 * HOUR;

function scraperVar(current: readonly string[] | 'All'): Record<string, MultiVariable> {
  return { scraper: { options: data.scrapers, current } };
}

/** A panel query as it reaches QuestDB: variables (frontend), then the plugin's macros. */
async function run(
  sql: string,
  options: {
    current?: readonly string[] | 'All';
    fromMs?: number;
    toMs?: number;
    intervalMs?: number;
  } = {},
): Promise<ResultTable> {
  const toMs = options.toMs ?? data.nowMs + 1_000;
  const fromMs = options.fromMs ?? toMs - HOUR;
  const expanded = expandQuestDbMacros(
    interpolateVariables(sql, scraperVar(options.current ?? 'All')),
    {
      fromMs,
      toMs,
      intervalMs: options.intervalMs ?? 60_000,
    },
  );
  expect(expanded).not.toMatch(/\$\{?\w/);
  return query(pgUrl, expanded);
}

const rowsFor = (t: ResultTable, column: string, value: string) =>
  t.rows.filter((r) => r[column] === value);
const one = (t: ResultTable, column: string, value: string): Record<string, unknown> => {
  const rows = rowsFor(t, column, value);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe('every QuestDB query runs on the real QuestDB', () => {
  const questdbTargets = dashboards.flatMap((d) =>
    panelsOf(d).flatMap((p) =>
      (p.targets ?? [])
        .filter((t) => t.datasource?.uid === 'questdb')
        .map((t) => ({
          name: `${d.uid} / ${p.title} / ${t.refId}`,
          sql: t.rawSql ?? '',
          format: t.format,
        })),
    ),
  );

  it('has QuestDB panels to check', () => {
    expect(questdbTargets.length).toBeGreaterThan(30);
  });

  it.each(questdbTargets.map((t) => [t.name, t] as const))('%s', async (_name, target) => {
    for (const current of ['All', [data.healthy]] as const) {
      for (const rangeMs of [HOUR, 3 * DAY, 60 * DAY]) {
        const table = await run(target.sql, {
          current,
          fromMs: data.nowMs + 1_000 - rangeMs,
          intervalMs: rangeMs >= 60 * DAY ? DAY : rangeMs >= 3 * DAY ? 300_000 : 60_000,
        });
        if (target.format === QuestDbFormat.TimeSeries) {
          // Time first, then the grouping column(s), then values (the plugin's long format).
          expect(table.columns[0]?.time).toBe(true);
        }
      }
    }
  });

  it('the scraper variable lists the seeded scrapers', async () => {
    const table = await query(pgUrl, SCRAPER_VARIABLE_SQL);
    const names = table.rows.map((r) => r['scraper']);
    for (const scraper of data.scrapers) expect(names).toContain(scraper);
  });

  it.each(ALERT_RULES.flatMap((r) => r.queries.map((q) => [`${r.uid} ${q.refId}`, q] as const)))(
    'rule query %s',
    async (_name, q) => {
      const toMs = data.nowMs + 1_000;
      const table = await run(q.sql, { fromMs: toMs - q.relativeSeconds * 1000, toMs });
      expect(table.columns.filter((c) => c.numeric).map((c) => c.name)).toEqual([q.valueColumn]);
      expect(table.columns.map((c) => c.name)).toContain('scraper');
    },
  );
});

describe('key panels return the seeded numbers', () => {
  it('Scrapers: the comparison table against the 7-day baseline', async () => {
    const table = await run(
      sqlOf(panelByTitle(byUid('scrapewatch-scrapers'), 'Scraper comparison')),
    );
    const healthy = one(table, 'scraper', data.healthy);
    expect(healthy['success_pct']).toBeCloseTo(100);
    expect(healthy['success_pct_vs_7d']).toBeCloseTo(0);
    expect(healthy['navigations']).toBe(20);
    expect(healthy['scrapes']).toBe(20);
    expect(healthy['items']).toBe(200);
    expect(healthy['avg_ms']).toBeCloseTo(195);
    expect(healthy['avg_ms_change_pct_vs_7d']).toBeCloseTo(95);
    expect(healthy['items_per_scrape_change_pct_vs_7d']).toBeCloseTo(0);
    expect(healthy['p95_ms'] as number).toBeGreaterThan(270);
    expect(healthy['p95_ms'] as number).toBeLessThan(300);
    const broken = one(table, 'scraper', data.broken);
    expect(broken['success_pct']).toBeCloseTo(50);
    expect(broken['success_pct_vs_7d']).toBeCloseTo(-50);
    expect(broken['items_per_scrape_change_pct_vs_7d']).toBeCloseTo(-95);
    // The silent scraper's navigations of 40 minutes ago are in the range; it scraped nothing.
    const silent = one(table, 'scraper', data.silent);
    expect(silent['navigations']).toBe(12);
    expect(silent['scrapes']).toBeNull();
  });

  it('Scrapers: the success trend reads raw rows, the hourly view and the daily view by range', async () => {
    const sql = sqlOf(
      panelByTitle(byUid('scrapewatch-scrapers'), 'Navigation success rate by scraper'),
    );
    const toMs = data.nowMs + 1_000;
    const short = await run(sql, {
      current: [data.broken],
      fromMs: toMs - HOUR,
      intervalMs: 60_000,
    });
    // One hour: raw rows in one-minute buckets; the baseline of 2 days ago is out of range.
    const pcts = short.rows.map((r) => r['success_pct'] as number);
    expect(pcts.length).toBe(9);
    expect(pcts.every((v) => v >= 0 && v <= 100)).toBe(true);
    expect(pcts.some((v) => v < 100)).toBe(true);
    // 3 days: hourly view; the baseline hour (all successful) and the current hour(s) (75% or 50%).
    const hourly = await run(sql, {
      current: [data.broken],
      fromMs: toMs - 3 * DAY,
      intervalMs: HOUR,
    });
    expect(hourly.rows.some((r) => r['success_pct'] === 100)).toBe(true);
    expect(hourly.rows.some((r) => (r['success_pct'] as number) < 100)).toBe(true);
    // 60 days: daily view, whole days.
    const daily = await run(sql, {
      current: [data.broken],
      fromMs: toMs - 60 * DAY,
      intervalMs: DAY,
    });
    for (const row of daily.rows) expect((row['ts'] as Date).getUTCHours()).toBe(0);
    expect(daily.rows.length).toBeGreaterThan(0);
  });

  it('Navigation: per-domain table', async () => {
    const table = await run(sqlOf(panelByTitle(byUid('scrapewatch-navigation'), 'Per domain')));
    const healthy = one(table, 'domain', `${data.healthy}.example`);
    expect(healthy['navigations']).toBe(20);
    expect(healthy['success_pct']).toBeCloseTo(100);
    expect(healthy['retries']).toBe(0);
    const broken = one(table, 'domain', `${data.broken}.example`);
    expect(broken['success_pct']).toBeCloseTo(50);
    expect(broken['retries']).toBe(10);
    expect(broken['max_ms']).toBe(20_000);
  });

  it('Navigation: error classes only count failures of the selected scrapers', async () => {
    const sql = sqlOf(panelByTitle(byUid('scrapewatch-navigation'), 'Top error classes'));
    const all = await run(sql);
    expect(one(all, 'scraper', data.broken)['failures']).toBe(10);
    const healthyOnly = await run(sql, { current: [data.healthy] });
    expect(healthyOnly.rows).toHaveLength(0);
  });

  it('Scraping: items per run against the baseline', async () => {
    const table = await run(
      sqlOf(panelByTitle(byUid('scrapewatch-scraping'), 'Items per run vs 7-day baseline')),
      {
        fromMs: data.nowMs - HOUR,
      },
    );
    const healthy = one(table, 'scraper', data.healthy);
    expect(healthy['runs']).toBe(2);
    expect(healthy['items_per_run']).toBeCloseTo(100);
    expect(healthy['baseline_items_per_run']).toBeCloseTo(100);
    expect(healthy['pct_of_baseline']).toBeCloseTo(100);
    const broken = one(table, 'scraper', data.broken);
    expect(broken['items_per_run']).toBeCloseTo(10);
    expect(broken['pct_of_baseline']).toBeCloseTo(10);
  });

  it('Scheduler: jobs summary, missed runs, unowned runs always visible', async () => {
    const scheduler = byUid('scrapewatch-scheduler');
    const jobs = await run(sqlOf(panelByTitle(scheduler, 'Jobs')), { current: [data.broken] });
    const broken = one(jobs, 'job_name', data.jobs.broken);
    expect(broken['runs']).toBe(3);
    expect(broken['failed']).toBe(1);
    expect(broken['missed']).toBe(1);
    expect(broken['max_lateness_ms']).toBe(600_000);
    expect(rowsFor(jobs, 'job_name', data.jobs.healthy)).toHaveLength(0);
    expect(rowsFor(jobs, 'job_name', data.jobs.unowned)).toHaveLength(1);
    const missed = await run(sqlOf(panelByTitle(scheduler, 'Missed runs')));
    expect(rowsFor(missed, 'job_name', data.jobs.broken)).toHaveLength(1);
    const states = await run(sqlOf(panelByTitle(scheduler, 'Run state by job')), {
      current: [data.broken],
    });
    expect(rowsFor(states, 'job_name', data.jobs.broken).map((r) => r['state'])).toEqual([2, 3, 0]);
  });

  it('Alerts: recent failures of every kind', async () => {
    const table = await run(sqlOf(panelByTitle(byUid('scrapewatch-alerts'), 'Recent failures')), {
      current: [data.broken],
    });
    const mine = rowsFor(table, 'scraper', data.broken);
    expect(mine.filter((r) => r['kind'] === 'navigation')).toHaveLength(10);
    expect(
      mine
        .filter((r) => r['kind'] === 'scheduler')
        .map((r) => r['error_class'])
        .sort(),
    ).toEqual(['job_error', 'missed']);
  });

  it('Scraping: field fill rate against its 7-day baseline, per field and per domain', async () => {
    const scraping = byUid('scrapewatch-scraping');
    const range = { fromMs: data.nowMs - HOUR };
    const byField = await run(sqlOf(panelByTitle(scraping, 'Field fill rate')), range);
    const mine = byField.rows.filter((r) => data.scrapers.includes(r['scraper'] as string));
    // Sorted by change: the broken price first.
    expect(mine[0]).toEqual(
      expect.objectContaining({ scraper: data.broken, field: 'price', items: 200 }),
    );
    expect(mine[0]?.['fill_pct']).toBeCloseTo(50);
    expect(mine[0]?.['baseline_fill_pct']).toBeCloseTo(100);
    expect(mine[0]?.['change_pts']).toBeCloseTo(-50);
    const healthyPrice = mine.find((r) => r['scraper'] === data.healthy && r['field'] === 'price');
    expect(healthyPrice?.['change_pts']).toBeCloseTo(0);

    const byDomain = await run(sqlOf(panelByTitle(scraping, 'Field fill rate by domain')), {
      ...range,
      current: [data.broken],
    });
    const price = byDomain.rows.filter((r) => r['field'] === 'price');
    expect(Object.fromEntries(price.map((r) => [r['domain'], r['change_pts']]))).toEqual({
      [data.coverage.brokenDomain]: -100,
      [data.coverage.otherDomain]: 0,
    });
    expect(byDomain.rows.every((r) => r['scraper'] === data.broken)).toBe(true);

    const trend = await run(sqlOf(panelByTitle(scraping, 'Field fill rate over time')), {
      ...range,
      current: [data.healthy],
    });
    expect(trend.rows.length).toBeGreaterThan(0);
    expect(trend.rows.every((r) => r['fill_pct'] === 100)).toBe(true);
  });

  it('Scrapers: each run against the median of its last 10', async () => {
    const table = await run(sqlOf(panelByTitle(byUid('scrapewatch-scrapers'), 'Runs')), {
      fromMs: data.nowMs - HOUR,
    });
    const byRun = (id: string) => one(table, 'run_id', id);
    const short = byRun(data.runs.short);
    expect(short).toEqual(
      expect.objectContaining({
        scraper: data.broken,
        outcome: 'success',
        items: 30,
        median_items: 100,
        pages: 4,
        median_pages: 10,
        errors: 3,
        median_errors: 0,
        errors_change: 3,
        duration_ms: 20_000,
        median_duration_ms: 60_000,
        worst_field: 'price',
        worst_fill_pct: 0,
        baseline_runs: 10,
      }),
    );
    expect(short['items_change_pct']).toBeCloseTo(-70);
    expect(short['pages_change_pct']).toBeCloseTo(-60);
    expect(short['duration_change_pct']).toBeCloseTo(-66.67, 1);
    expect(byRun(data.runs.brokenNormal)['items_change_pct']).toBeCloseTo(0);
    expect(byRun(data.runs.healthy)['items_change_pct']).toBeCloseTo(-5);
    // Only runs finished in the range: the older ones are baselines, not rows.
    expect(rowsFor(table, 'scraper', data.broken)).toHaveLength(2);
    const healthyOnly = await run(sqlOf(panelByTitle(byUid('scrapewatch-scrapers'), 'Runs')), {
      fromMs: data.nowMs - HOUR,
      current: [data.healthy],
    });
    expect(healthyOnly.rows.map((r) => r['run_id'])).toEqual([data.runs.healthy]);
  });
});
