import { execSql } from '@scrapewatch/testkit';
import { refreshTiers } from '@scrapewatch/testkit/collector';
import { literal, micros, waitForCount } from './questdb';

/**
 * A known dataset with scrapers unique to one test file, relative to `nowMs`:
 * - healthy: 20 navigations in the last 10 minutes, all successful, 100..290 ms, status 200;
 *   20 successful scrapes of 10 items each in two runs; a punctual scheduler job; and 2 days ago
 *   a baseline of 10 successful 100 ms navigations and 3 runs of 10 scrapes x 10 items;
 * - broken: 20 navigations (every other one failing with http_5xx / 500), 20 000 ms each; 20
 *   successful scrapes of which 15 extracted nothing and 5 extracted 2 items, in one run; a
 *   scheduler job with a failed, a missed and a 10-minute-late run; the same 2-day-old baseline;
 * - silent: 12 successful navigations 40 minutes ago, nothing since;
 * - one scheduler run not tied to any scraper;
 * - field coverage (fields price and title, 10 items per scrape): 2 days ago a baseline of 20
 *   scrapes per domain with both fields always filled; in the last 4 minutes 10 scrapes per domain:
 *   healthy on `<healthy>.example` still 100 %; broken on `<broken>.example` with price never
 *   filled (title still 100 %) and on `<broken>.shop` with both still 100 %;
 * - scraper runs, every 2 hours before that 10 runs of 100 items, 10 pages, 0 errors, 60 s each;
 *   healthy then finished a run of 95 items 10 minutes ago; broken one of 100 items 30 minutes ago
 *   and a short one (`runs.short`: 30 items, 4 pages, 3 errors, 20 s, worst field price at 0 %)
 *   10 minutes ago.
 */
export interface Seed {
  readonly nowMs: number;
  readonly healthy: string;
  readonly broken: string;
  readonly silent: string;
  readonly scrapers: readonly string[];
  readonly jobs: { readonly healthy: string; readonly broken: string; readonly unowned: string };
  readonly scheduler: string;
  /** The domain where the broken scraper's price field went empty, and its other domain. */
  readonly coverage: { readonly brokenDomain: string; readonly otherDomain: string };
  /** Run ids: the broken scraper's short run and its normal one before it, healthy's latest. */
  readonly runs: {
    readonly short: string;
    readonly brokenNormal: string;
    readonly healthy: string;
  };
}

export type Row = Record<string, string | number | boolean | null>;

const MIN = 60_000;

export function insert(table: string, rows: readonly Row[]): string {
  const columns = Object.keys(rows[0]!);
  const values = rows
    .map(
      (r) =>
        `(${columns.map((c) => (c === 'ts' || c.endsWith('_at') ? tsValue(r[c]) : literal(r[c] ?? null))).join(', ')})`,
    )
    .join(',\n');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`;
}

function tsValue(v: Row[string] | undefined): string {
  return typeof v === 'number' ? micros(v) : 'null';
}

/** Rows a seed inserted into one raw table, and the measure its tiers sum them to. */
export interface Landed {
  readonly table: string;
  readonly where: string;
  readonly n: number;
  /** The tier column that counts the raw rows; omitted for a table without tiers. */
  readonly tierSum?: string;
}

/**
 * Waits until every raw table holds its rows, brings the 1-minute tiers up to date (they refresh
 * on a one-minute timer), then waits until every tier of those tables counts the same rows.
 */
export async function waitForLanded(
  httpUrl: string,
  pgUrl: string,
  landed: readonly Landed[],
): Promise<void> {
  for (const { table, where, n } of landed) {
    await waitForCount(pgUrl, table, `SELECT count() n FROM ${table} WHERE ${where}`, n);
  }
  await refreshTiers(httpUrl);
  for (const unit of ['1m', '1h', '1d']) {
    for (const { table, where, n, tierSum } of landed) {
      if (tierSum === undefined) continue;
      const tier = `${table}_${unit}`;
      await waitForCount(pgUrl, tier, `SELECT sum(${tierSum}) n FROM ${tier} WHERE ${where}`, n);
    }
  }
}

/**
 * `nowMs`: the dataset's "now", never later than the clock. Tests take it from the kit's
 * `alignedNow` and query relative to it (not to the clock), so every run sees the same buckets.
 */
export async function seed(
  httpUrl: string,
  pgUrl: string,
  tag: string,
  nowMs: number,
): Promise<Seed> {
  const s: Seed = {
    nowMs,
    healthy: `pv-${tag}-healthy`,
    broken: `pv-${tag}-broken`,
    silent: `pv-${tag}-silent`,
    scrapers: [`pv-${tag}-broken`, `pv-${tag}-healthy`, `pv-${tag}-silent`],
    jobs: { healthy: `pv-${tag}-hjob`, broken: `pv-${tag}-bjob`, unowned: `pv-${tag}-njob` },
    scheduler: `pv-${tag}-cron`,
    coverage: { brokenDomain: `pv-${tag}-broken.example`, otherDomain: `pv-${tag}-broken.shop` },
    runs: {
      short: `pv-${tag}-broken-short`,
      brokenNormal: `pv-${tag}-broken-normal`,
      healthy: `pv-${tag}-healthy-last`,
    },
  };
  let id = 0;
  const eventId = (): string => `pv-${tag}-${(id += 1)}`;
  const baselineMs = nowMs - 2 * 24 * 60 * MIN;

  const nav = (scraper: string, ts: number, durationMs: number, success: boolean): Row => ({
    ts,
    event_id: eventId(),
    scraper,
    domain: `${scraper}.example`,
    url: `https://${scraper}.example/p/${id}`,
    duration_ms: durationMs,
    retry_count: success ? 0 : 1,
    success,
    status_code: success ? 200 : 500,
    bytes: 1000,
    error: success ? null : 'HTTP 500',
    error_class: success ? null : 'http_5xx',
    run_id: null,
  });
  const scrape = (scraper: string, ts: number, items: number, runId: string): Row => ({
    ts,
    event_id: eventId(),
    scraper,
    domain: `${scraper}.example`,
    url: `https://${scraper}.example/p/${id}`,
    duration_ms: 50,
    items_extracted: items,
    success: true,
    error: null,
    error_class: null,
    run_id: runId,
  });

  const navigations: Row[] = [];
  const scrapes: Row[] = [];
  for (let i = 0; i < 20; i += 1) {
    navigations.push(nav(s.healthy, nowMs - 10 * MIN + i * 25_000, 100 + i * 10, true));
    navigations.push(nav(s.broken, nowMs - 10 * MIN + i * 25_000, 20_000, i % 2 === 0));
    // Healthy scrapes end 25 s before now: the last two fall within the last minute.
    scrapes.push(
      scrape(s.healthy, nowMs - (20 - i) * 25_000, 10, `${s.healthy}-run-${i < 10 ? 1 : 2}`),
    );
    scrapes.push(
      scrape(s.broken, nowMs - 9 * MIN + i * 20_000, i < 15 ? 0 : 2, `${s.broken}-run-1`),
    );
  }
  for (let i = 0; i < 12; i += 1)
    navigations.push(nav(s.silent, nowMs - 40 * MIN + i * 10_000, 150, true));
  for (const scraper of [s.healthy, s.broken]) {
    for (let i = 0; i < 10; i += 1)
      navigations.push(nav(scraper, baselineMs + i * 10_000, 100, true));
    for (let i = 0; i < 30; i += 1) {
      scrapes.push(
        scrape(scraper, baselineMs + i * 10_000, 10, `${scraper}-base-${Math.floor(i / 10)}`),
      );
    }
  }

  const run = (
    job: string,
    scraper: string | null,
    ts: number,
    status: string,
    latenessMs: number | null,
  ): Row => ({
    ts,
    event_id: eventId(),
    scheduler_name: s.scheduler,
    job_name: job,
    scraper,
    status,
    success: status === 'success',
    duration_ms: status === 'missed' ? null : 30_000,
    scrapers_run: status === 'missed' ? 0 : 1,
    scheduled_at: ts - 60_000,
    started_at: latenessMs === null ? null : ts - 60_000 + latenessMs,
    lateness_ms: latenessMs,
    error: status === 'failed' ? 'job crashed' : null,
    error_class: status === 'failed' ? 'job_error' : null,
    run_id: null,
  });
  const runs: Row[] = [
    run(s.jobs.healthy, s.healthy, nowMs - 6 * MIN, 'success', 1_000),
    run(s.jobs.broken, s.broken, nowMs - 5 * MIN, 'failed', 2_000),
    run(s.jobs.broken, s.broken, nowMs - 4 * MIN, 'missed', null),
    run(s.jobs.broken, s.broken, nowMs - 3 * MIN, 'success', 600_000),
    run(s.jobs.unowned, null, nowMs - 2 * MIN, 'success', 500),
  ];

  const coverage: Row[] = [];
  const covered = (scraper: string, domain: string, ts: number, price: number): void => {
    const event = eventId();
    for (const [field, filled] of [
      ['price', price],
      ['title', 10],
    ] as const) {
      coverage.push({ ts, event_id: event, scraper, domain, field, filled, items: 10 });
    }
  };
  const domains: [string, string, number][] = [
    [s.healthy, `${s.healthy}.example`, 10],
    [s.broken, s.coverage.brokenDomain, 0],
    [s.broken, s.coverage.otherDomain, 10],
  ];
  for (const [scraper, domain, price] of domains) {
    for (let i = 0; i < 20; i += 1) covered(scraper, domain, baselineMs + i * 10_000, 10);
    for (let i = 0; i < 10; i += 1) covered(scraper, domain, nowMs - 4 * MIN + i * 20_000, price);
  }

  const scraperRun = (
    scraper: string,
    runId: string,
    endMs: number,
    o: {
      items?: number;
      pages?: number;
      errors?: number;
      durationMs?: number;
      worst?: number;
    } = {},
  ): Row => ({
    ts: endMs,
    event_id: eventId(),
    scraper,
    outcome: 'success',
    worst_field: 'price',
    run_id: runId,
    started_at: endMs - (o.durationMs ?? 60_000),
    duration_ms: o.durationMs ?? 60_000,
    pages: o.pages ?? 10,
    items: o.items ?? 100,
    errors: o.errors ?? 0,
    worst_fill_pct: o.worst ?? 100,
  });
  const scraperRuns: Row[] = [];
  for (const scraper of [s.healthy, s.broken]) {
    for (let i = 1; i <= 10; i += 1) {
      scraperRuns.push(
        scraperRun(scraper, `${scraper}-old-${i}`, nowMs - 60 * MIN - i * 120 * MIN),
      );
    }
  }
  scraperRuns.push(scraperRun(s.healthy, s.runs.healthy, nowMs - 10 * MIN, { items: 95 }));
  scraperRuns.push(scraperRun(s.broken, s.runs.brokenNormal, nowMs - 30 * MIN));
  scraperRuns.push(
    scraperRun(s.broken, s.runs.short, nowMs - 10 * MIN, {
      items: 30,
      pages: 4,
      errors: 3,
      durationMs: 20_000,
      worst: 0,
    }),
  );

  await execSql(httpUrl, insert('scraper_run', scraperRuns));
  await execSql(httpUrl, insert('page_navigation', navigations));
  await execSql(httpUrl, insert('field_coverage', coverage));
  await execSql(httpUrl, insert('page_scrape', scrapes));
  await execSql(httpUrl, insert('scheduler_run', runs));

  const byScraper = `scraper IN (${s.scrapers.map((x) => `'${x}'`).join(',')})`;
  await waitForLanded(httpUrl, pgUrl, [
    { table: 'page_navigation', where: byScraper, n: navigations.length, tierSum: 'events' },
    { table: 'page_scrape', where: byScraper, n: scrapes.length, tierSum: 'events' },
    {
      table: 'scheduler_run',
      where: `scheduler_name = '${s.scheduler}'`,
      n: runs.length,
      tierSum: 'runs',
    },
    { table: 'scraper_run', where: byScraper, n: scraperRuns.length },
    { table: 'field_coverage', where: byScraper, n: coverage.length, tierSum: 'scrapes' },
  ]);
  return s;
}
