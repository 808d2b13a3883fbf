import { Client } from 'pg';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  ALERT_RULES,
  QUESTDB_DATASOURCE,
  SCRAPER_VARIABLE_SQL,
  buildDashboards,
  expandQuestDbMacros,
  interpolateVariables,
} from '../../../provisioning/src';
import type { PublisherIn, PublisherOut } from '../ipc';
import { watchCpu } from '../proc-stat';
import { forkWorker } from '../processes';
import { execSql } from '../questdb-env';

/**
 * Storage at production volume: a realistic week preloaded server-side, then a steady ingest at
 * three fill levels of the current hour (QuestDB and collector cores per 10,000 ev/s, and every
 * view's freshness lag), then every provisioned dashboard and alert query, timed on that week.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The realistic week: 7 days of 5M events a day over the three tables. */
const WEEK_DAYS = 7;
const EVENTS_PER_DAY = 5_000_000;
const SHARES = { page_navigation: 0.5, page_scrape: 0.49, scheduler_run: 0.01 } as const;
export const VOLUME_SCRAPERS = Array.from({ length: 5 }, (_, i) => `bench-vol-${i}`);
const DOMAINS = 40;
/** Requests of this many events, as many scrapers would send them. */
const REQUEST_EVENTS = 100;
const FILL_LEVELS = [0, 0.25, 0.75] as const;
/** A server-side bulk insert of millions of rows may take minutes on a busy machine. */
const BULK_TIMEOUT_MS = 1_800_000;

export interface VolumeSpec {
  readonly httpUrl: string;
  readonly pgUrl: string;
  readonly questdbPid: number | undefined;
  /** Steady load through the collector; without one, ILP rows straight to QuestDB's /write. */
  readonly collector: { readonly url: string; readonly pid: number | undefined } | undefined;
  readonly scale: number;
  readonly rate: number;
  readonly seconds: number;
  readonly queryRuns: number;
  readonly log: (message: string) => void;
}

export interface ViewLag {
  readonly view: string;
  /** Freshness lag: how old the newest data guaranteed in the view may be, tiers below included. */
  readonly maxLagMs: number;
  readonly p50LagMs: number;
}

export interface VolumePhase {
  readonly currentHourFill: number;
  readonly currentHourRows: number;
  readonly target: 'collector' | 'questdb-direct';
  readonly requestedEventsPerSecond: number;
  readonly acceptedEventsPerSecond: number;
  readonly failedRequests: number;
  readonly questdbCores: number;
  readonly collectorCores: number | undefined;
  readonly questdbCoresPer10k: number;
  readonly collectorCoresPer10k: number | undefined;
  readonly machineBusy: number;
  readonly viewLags: readonly ViewLag[];
  readonly publisherMaxLagMs: number;
}

export interface QueryTiming {
  readonly source: string;
  readonly range: string;
  readonly scraper: 'All' | 'one';
  readonly runs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly rows: number;
  readonly error?: string;
}

export interface VolumeResult {
  readonly preload: {
    readonly rows: number;
    readonly seconds: number;
    readonly settleSeconds: number;
  };
  readonly fullHourRows: number;
  readonly phases: readonly VolumePhase[];
  readonly queries: readonly QueryTiming[];
  readonly notes: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function insertPageRows(
  table: 'page_navigation' | 'page_scrape',
  tag: string,
  fromMs: number,
  toMs: number,
  rows: number,
): string {
  const stepUs = Math.max(1, Math.floor(((toMs - fromMs) * 1000) / rows));
  const common = `timestamp_sequence(${fromMs * 1000}, ${stepUs}) ts,
    '${tag}-' || x event_id,
    'bench-vol-' || (x % ${VOLUME_SCRAPERS.length}) scraper,
    'shop-' || (x % ${DOMAINS}) || '.example.com' domain,
    'https://shop-' || (x % ${DOMAINS}) || '.example.com/p/' || x url,
    100.0 + (x * 7919) % 2900 duration_ms,
    x % 20 != 0 success,
    CASE WHEN x % 20 = 0 THEN 'upstream returned 503' END error,
    CASE WHEN x % 20 = 0 THEN 'http_5xx' END error_class,
    timestamp_sequence(${fromMs * 1000}, ${stepUs}) received_at`;
  if (table === 'page_navigation')
    return `INSERT INTO page_navigation (ts, event_id, scraper, domain, url, duration_ms, success, error, error_class, received_at, retry_count, status_code, bytes)
  SELECT ${common}, (x % 3)::int retry_count, CASE WHEN x % 20 = 0 THEN 503 ELSE 200 END status_code, 10000 + x % 50000 bytes
  FROM long_sequence(${rows})`;
  return `INSERT INTO page_scrape (ts, event_id, scraper, domain, url, duration_ms, success, error, error_class, received_at, items_extracted)
  SELECT ${common}, CASE WHEN x % 13 = 0 THEN 0 ELSE x % 40 END items_extracted
  FROM long_sequence(${rows})`;
}

function insertSchedulerRuns(tag: string, fromMs: number, toMs: number, rows: number): string {
  const stepUs = Math.max(1, Math.floor(((toMs - fromMs) * 1000) / rows));
  return `INSERT INTO scheduler_run (ts, event_id, scheduler_name, job_name, scraper, status, success, duration_ms, scrapers_run, scheduled_at, started_at, lateness_ms, received_at)
  SELECT timestamp_sequence(${fromMs * 1000}, ${stepUs}) ts,
    '${tag}-' || x event_id,
    'cron' scheduler_name,
    'job-' || (x % 10) job_name,
    'bench-vol-' || (x % ${VOLUME_SCRAPERS.length}) scraper,
    CASE WHEN x % 50 = 0 THEN 'failed' WHEN x % 97 = 0 THEN 'missed' ELSE 'success' END status,
    x % 50 != 0 AND x % 97 != 0 success,
    1000.0 + (x * 31) % 60000 duration_ms,
    (x % 5)::int scrapers_run,
    timestamp_sequence(${fromMs * 1000 - 5_000_000}, ${stepUs}) scheduled_at,
    timestamp_sequence(${fromMs * 1000 - 4_000_000}, ${stepUs}) started_at,
    1000.0 + x % 3000 lateness_ms,
    timestamp_sequence(${fromMs * 1000}, ${stepUs}) received_at
  FROM long_sequence(${rows})`;
}

interface ViewState {
  readonly name: string;
  readonly base: string;
  readonly pending: boolean;
  readonly lastRefreshStartMs: number | undefined;
  readonly status: string;
}

async function viewStates(httpUrl: string): Promise<ViewState[]> {
  const rows = await execSql(
    httpUrl,
    'SELECT view_name, base_table_name, refresh_base_table_txn, base_table_txn, last_refresh_start_timestamp, view_status FROM materialized_views()',
  );
  return rows.map(([name, base, refreshed, txn, start, status]) => ({
    name: String(name),
    base: String(base),
    pending: Number(refreshed) < Number(txn),
    lastRefreshStartMs: typeof start === 'string' ? Date.parse(start) : undefined,
    status: String(status),
  }));
}

/** Waits until every committed transaction is applied and every view has caught up with it. */
async function settle(httpUrl: string, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const [pendingWal] = await execSql(
      httpUrl,
      'SELECT count() FROM wal_tables() WHERE writerTxn < sequencerTxn',
    );
    if (Number(pendingWal?.[0]) === 0) {
      // A timer view only refreshes on its tick: ask for it now.
      const states = await viewStates(httpUrl);
      if (states.every((state) => !state.pending)) return true;
      for (const state of states)
        if (state.pending && !states.some((other) => other.name === state.base))
          await execSql(httpUrl, `REFRESH MATERIALIZED VIEW ${state.name} INCREMENTAL`).catch(
            () => undefined,
          );
    }
    if (Date.now() > until) return false;
    await sleep(500);
  }
}

/** Per view: how old its data may be now, adding the lag of the view it is built on. */
function lagsNow(states: readonly ViewState[], nowMs: number): Map<string, number> {
  const own = new Map(
    states.map((s) => [
      s.name,
      s.pending && s.lastRefreshStartMs !== undefined
        ? Math.max(0, nowMs - s.lastRefreshStartMs)
        : 0,
    ]),
  );
  const byName = new Map(states.map((s) => [s.name, s]));
  const chained = new Map<string, number>();
  const resolve = (name: string, depth = 0): number => {
    const state = byName.get(name);
    if (!state || depth > 5) return 0;
    return (own.get(name) ?? 0) + (byName.has(state.base) ? resolve(state.base, depth + 1) : 0);
  };
  for (const state of states) chained.set(state.name, resolve(state.name));
  return chained;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function countCurrentHour(httpUrl: string, fromMs: number): Promise<number> {
  const [row] = await execSql(
    httpUrl,
    `SELECT count() FROM page_navigation WHERE ts >= cast(${fromMs * 1000} as timestamp)`,
  );
  return Number(row?.[0] ?? 0);
}

async function runPhase(
  spec: VolumeSpec,
  fill: number,
  fullHourRows: number,
  notes: string[],
): Promise<VolumePhase> {
  const { httpUrl, log } = spec;
  const hour = hourStart(Date.now());
  const have = await countCurrentHour(httpUrl, hour);
  const want = Math.round(fill * fullHourRows);
  if (want > have) {
    log(`  filling the current hour to ${Math.round(fill * 100)}%: ${want - have} rows`);
    await execSql(
      httpUrl,
      insertPageRows(
        'page_navigation',
        `fill${Math.round(fill * 100)}-${Date.now()}`,
        hour,
        Math.max(hour + 1000, Date.now() - 1000),
        want - have,
      ),
      BULK_TIMEOUT_MS,
    );
  }
  if (!(await settle(httpUrl, 300_000)))
    notes.push(`views had not caught up before the ${fill * 100}% phase`);
  const currentHourRows = await countCurrentHour(httpUrl, hour);
  const target = spec.collector ? 'collector' : 'questdb-direct';
  log(
    `  steady ${spec.rate} ev/s for ${spec.seconds} s in requests of ${REQUEST_EVENTS} to the ${target}; current hour holds ${currentHourRows} navigation rows`,
  );
  const publisher = forkWorker<PublisherIn, PublisherOut>('publisher', ['volume']);
  const lagSamples = new Map<string, number[]>();
  try {
    const stopCpu = watchCpu({ questdb: spec.questdbPid, collector: spec.collector?.pid });
    publisher.send({
      type: 'run',
      url: spec.collector ? `${spec.collector.url}/v1/metrics` : `${httpUrl}/write`,
      channels: VOLUME_SCRAPERS,
      eventsPerSecond: spec.rate,
      batchSize: REQUEST_EVENTS,
      durationMs: spec.seconds * 1000,
      windowFromMs: 0,
      windowToMs: 0,
      maxInFlight: 64,
      format: spec.collector ? 'scrapewatch' : 'ilp',
    });
    const done = publisher.next('done', spec.seconds * 1000 + 60_000);
    let finished = false;
    const finishedFlag = done.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    while (!finished) {
      await Promise.race([finishedFlag, sleep(2_000)]);
      if (finished) break;
      try {
        const lags = lagsNow(await viewStates(httpUrl), Date.now());
        for (const [view, lag] of lags) {
          const samples = lagSamples.get(view) ?? [];
          samples.push(lag);
          lagSamples.set(view, samples);
        }
      } catch {
        // One sample missed: QuestDB was too busy to answer in time.
      }
    }
    const cpu = stopCpu();
    const result = await done;
    const accepted = (result.acceptedEvents * 1000) / (spec.seconds * 1000);
    const per10k = (cores: number | undefined): number | undefined =>
      cores === undefined || accepted <= 0 ? undefined : (cores * 10_000) / accepted;
    const questdbCores = cpu.coresByProcess['questdb'] ?? Number.NaN;
    const collectorCores = cpu.coresByProcess['collector'];
    if (hourStart(Date.now()) !== hour)
      notes.push(
        `the hour changed during the ${fill * 100}% phase: its current hour was partly a new, empty one`,
      );
    return {
      currentHourFill: fill,
      currentHourRows,
      target,
      requestedEventsPerSecond: spec.rate,
      acceptedEventsPerSecond: accepted,
      failedRequests: result.failedRequests,
      questdbCores,
      collectorCores,
      questdbCoresPer10k: per10k(questdbCores) ?? Number.NaN,
      collectorCoresPer10k: per10k(collectorCores),
      machineBusy: cpu.machineBusy,
      viewLags: [...lagSamples]
        .map(([view, samples]) => {
          const sorted = [...samples].sort((a, b) => a - b);
          return {
            view,
            maxLagMs: sorted[sorted.length - 1] ?? 0,
            p50LagMs: percentile(sorted, 0.5),
          };
        })
        .sort((a, b) => a.view.localeCompare(b.view)),
      publisherMaxLagMs: result.maxLagMs,
    };
  } finally {
    await publisher.stop();
  }
}

// ---- the provisioned queries ----

interface ProvisionedQuery {
  /** "Dashboard / panel" or "alert rule uid / refId". */
  readonly source: string;
  readonly sql: string;
  /** The range the panel or rule reads by default. */
  readonly defaultRangeMs: number;
  readonly defaultLabel: string;
}

type AnyPanel = Panel & { targets?: Array<{ rawSql?: string; datasource?: { uid?: string } }> };

function panelsOf(dashboard: Dashboard): AnyPanel[] {
  const out: AnyPanel[] = [];
  for (const panel of dashboard.panels ?? []) {
    if ((panel as RowPanel).type === 'row')
      out.push(...(((panel as RowPanel).panels ?? []) as AnyPanel[]));
    else out.push(panel as AnyPanel);
  }
  return out;
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/** `now-6h` (a dashboard's `time.from`) or `6h` (a panel's `timeFrom`) in milliseconds. */
function relativeMs(text: string | undefined, fallbackMs: number): number {
  const match = /^(?:now-)?(\d+)([smhdw])$/.exec(text ?? '');
  if (!match) return fallbackMs;
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'h'] ?? HOUR_MS);
}

function provisionedQueries(): ProvisionedQuery[] {
  const queries: ProvisionedQuery[] = [];
  for (const dashboard of buildDashboards()) {
    const dashboardRange = relativeMs(dashboard.time?.from, HOUR_MS);
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (target.datasource?.uid !== QUESTDB_DATASOURCE.uid || !target.rawSql) continue;
        const rangeMs = relativeMs(panel.timeFrom, dashboardRange);
        queries.push({
          source: `${dashboard.title ?? dashboard.uid ?? ''} / ${panel.title ?? ''}`,
          sql: target.rawSql,
          defaultRangeMs: rangeMs,
          defaultLabel: `default (${Math.round(rangeMs / 60_000)} min)`,
        });
      }
    }
  }
  for (const rule of ALERT_RULES) {
    for (const query of rule.queries) {
      queries.push({
        source: `alert ${rule.uid} / ${query.refId}`,
        sql: query.sql,
        defaultRangeMs: query.relativeSeconds * 1000,
        defaultLabel: `default (${Math.round(query.relativeSeconds / 60)} min)`,
      });
    }
  }
  return queries;
}

const NICE_INTERVALS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400,
].map((s) => s * 1000);

/** Grafana's query interval for a range on a panel about 1,000 points wide, rounded as it does. */
function intervalFor(rangeMs: number): number {
  const raw = rangeMs / 1_000;
  return NICE_INTERVALS_MS.find((nice) => nice >= raw) ?? DAY_MS;
}

async function timeQueries(spec: VolumeSpec): Promise<QueryTiming[]> {
  const client = new Client({ connectionString: spec.pgUrl, query_timeout: 60_000 });
  await client.connect();
  const timings: QueryTiming[] = [];
  try {
    const options = (await client.query(SCRAPER_VARIABLE_SQL)).rows.map(
      (row: Record<string, unknown>) => String(row['scraper']),
    );
    const scraperChoices = [
      { label: 'All' as const, current: 'All' as const },
      { label: 'one' as const, current: [VOLUME_SCRAPERS[0] ?? 'bench-vol-0'] },
    ];
    for (const query of provisionedQueries()) {
      const ranges = [
        { label: query.defaultLabel, ms: query.defaultRangeMs },
        { label: '7 days', ms: 7 * DAY_MS },
        { label: '30 days', ms: 30 * DAY_MS },
      ];
      const usesScraper = /\$\{?scraper/.test(query.sql);
      for (const range of ranges) {
        for (const choice of usesScraper ? scraperChoices : scraperChoices.slice(0, 1)) {
          const samples: number[] = [];
          let rows = 0;
          let error: string | undefined;
          for (let run = 0; run < spec.queryRuns; run++) {
            const now = Date.now();
            const sql = expandQuestDbMacros(
              interpolateVariables(query.sql, { scraper: { options, current: choice.current } }),
              { fromMs: now - range.ms, toMs: now, intervalMs: intervalFor(range.ms) },
            );
            const started = performance.now();
            try {
              const answer = await client.query(sql);
              rows = answer.rowCount ?? answer.rows.length;
            } catch (failure) {
              error = failure instanceof Error ? failure.message : String(failure);
              break;
            }
            const elapsed = performance.now() - started;
            samples.push(elapsed);
            // A query this slow is reported from its first runs: five would take minutes.
            if (elapsed > 10_000 && samples.length >= 2) break;
          }
          const sorted = [...samples].sort((a, b) => a - b);
          if (
            samples.length > 0 &&
            (percentile(
              samples.sort((a, b) => a - b),
              0.95,
            ) ?? 0) > 1_000
          )
            spec.log(
              `  slow: ${query.source}, ${range.label}, ${choice.label}: ${Math.round(samples[samples.length - 1] ?? 0)} ms`,
            );
          timings.push({
            source: query.source,
            range: range.label,
            scraper: choice.label,
            runs: samples.length,
            p50Ms: percentile(sorted, 0.5),
            p95Ms: percentile(sorted, 0.95),
            rows,
            ...(error === undefined ? {} : { error: error.slice(0, 300) }),
          });
        }
      }
    }
  } finally {
    await client.end();
  }
  return timings;
}

// ---- the scenario ----

export async function runVolume(spec: VolumeSpec): Promise<VolumeResult> {
  const { httpUrl, log } = spec;
  const notes: string[] = [];
  const firstHour = hourStart(Date.now());
  const weekStart = firstHour - WEEK_DAYS * DAY_MS;
  const perDay = Math.round(EVENTS_PER_DAY * spec.scale);
  log(
    `volume: preloading ${WEEK_DAYS} days x ${perDay.toLocaleString('en-US')} events (server-side), up to the start of the current hour`,
  );
  const preloadStarted = performance.now();
  let preloaded = 0;
  for (let day = 0; day < WEEK_DAYS; day++) {
    const fromMs = weekStart + day * DAY_MS;
    const toMs = fromMs + DAY_MS;
    const nav = Math.round(perDay * SHARES.page_navigation);
    const scrape = Math.round(perDay * SHARES.page_scrape);
    const runs = Math.max(1, Math.round(perDay * SHARES.scheduler_run));
    await execSql(
      httpUrl,
      insertPageRows('page_navigation', `pre${day}`, fromMs, toMs, nav),
      BULK_TIMEOUT_MS,
    );
    await execSql(
      httpUrl,
      insertPageRows('page_scrape', `pre${day}`, fromMs, toMs, scrape),
      BULK_TIMEOUT_MS,
    );
    await execSql(httpUrl, insertSchedulerRuns(`pre${day}`, fromMs, toMs, runs), BULK_TIMEOUT_MS);
    preloaded += nav + scrape + runs;
  }
  const preloadSeconds = (performance.now() - preloadStarted) / 1000;
  log(
    `  ${preloaded.toLocaleString('en-US')} rows sent in ${preloadSeconds.toFixed(1)} s; waiting for WAL apply and views`,
  );
  const settleStarted = performance.now();
  if (!(await settle(httpUrl, 900_000)))
    notes.push('the views had not caught up with the preload after 15 minutes');
  const settleSeconds = (performance.now() - settleStarted) / 1000;
  log(`  settled in ${settleSeconds.toFixed(1)} s`);

  const fullHourRows = Math.round(spec.rate * 3_600 * spec.scale);
  // Warm-up, not reported: the collector's JIT and QuestDB's writers reach their steady state.
  log('volume: warm-up ingest (not reported)');
  await runPhase({ ...spec, seconds: Math.min(10, spec.seconds) }, 0, fullHourRows, []);
  const phases: VolumePhase[] = [];
  for (const fill of FILL_LEVELS) {
    log(
      `volume: current hour ${Math.round(fill * 100)}% full (a full hour: ${fullHourRows.toLocaleString('en-US')} rows)`,
    );
    const phase = await runPhase(spec, fill, fullHourRows, notes);
    phases.push(phase);
    log(
      `  accepted ${Math.round(phase.acceptedEventsPerSecond)} ev/s; QuestDB ${phase.questdbCores.toFixed(2)} cores ` +
        `(${phase.questdbCoresPer10k.toFixed(2)} per 10k ev/s)` +
        (phase.collectorCores === undefined
          ? ''
          : `, collector ${phase.collectorCores.toFixed(2)} cores (${(phase.collectorCoresPer10k ?? Number.NaN).toFixed(2)} per 10k ev/s)`) +
        `; machine ${(phase.machineBusy * 100).toFixed(0)}% busy; view lag max ${phase.viewLags.map((l) => `${l.view} ${(l.maxLagMs / 1000).toFixed(1)} s`).join(', ')}`,
    );
  }
  let queries: QueryTiming[] = [];
  if (spec.queryRuns > 0) {
    log('volume: dashboard and alert queries on the loaded week');
    await settle(httpUrl, 120_000);
    queries = await timeQueries(spec);
  }
  return {
    preload: { rows: preloaded, seconds: preloadSeconds, settleSeconds },
    fullHourRows,
    phases,
    queries,
    notes,
  };
}
