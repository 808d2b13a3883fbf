import path from 'node:path';
import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'encode',
  'coverage',
  'classify',
  'ingest',
  'fanout',
  'dashboard',
  'memory',
  'slow',
  'volume',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const DASHBOARD_SIDES = [
  'collector',
  'ws',
  'centrifugo-raw',
  'centrifugo-official',
] as const;
export type DashboardSideKey = (typeof DASHBOARD_SIDES)[number];

export interface BenchOptions {
  readonly only: ReadonlySet<Scenario>;
  // ingest
  readonly rows: number;
  readonly batchSize: number;
  readonly senders: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly ingestMaxSeconds: number;
  // fan-out
  readonly subscribers: number;
  readonly eventsPerSecond: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** Scraper channels the events are spread over, round-robin. */
  readonly channels: number;
  /** Every subscriber takes "*" (all channels) instead of one channel each. */
  readonly wildcard: boolean;
  readonly fanoutBatchSize: number;
  readonly slowFraction: number;
  readonly fanoutRounds: number;
  // dashboard: wildcard subscribers at several rates, and the highest rate with p99 within bound
  readonly dashboardSubscribers: number;
  readonly dashboardRates: readonly number[];
  /** Rates tried, on top of dashboardRates, when searching each side's highest sustained rate. */
  readonly searchRates: readonly number[];
  /** Measured seconds of each search run. */
  readonly searchSeconds: number;
  /** Probes per side beyond the dashboard rates. */
  readonly searchProbes: number;
  /** Sides of the dashboard scenario: collector, ws, centrifugo-raw, centrifugo-official. */
  readonly dashboardSides: ReadonlySet<DashboardSideKey>;
  /** Run the Centrifugo peer baseline (fanout and dashboard) when it can be built. */
  readonly centrifugo: boolean;
  // memory
  readonly memorySubscribers: readonly number[];
  // volume
  /** Share of the realistic week (7 days x 5M events/day) and of a full hour at --volume-rate. */
  readonly volumeScale: number;
  readonly volumeRate: number;
  readonly volumeSeconds: number;
  /** Timed runs of each dashboard and alert query. */
  readonly volumeQueryRuns: number;
  /** Apply only schema version 1 (the views before the rollup tiers): the "before" side. */
  readonly volumeSchemaOne: boolean;
  /** QuestDB with its default worker spin settings instead of questdb/conf's (the "before" side). */
  readonly questdbDefaultWorkers: boolean;
  // processes
  readonly clientsPerProcess: number;
  readonly connectConcurrency: number;
  // collector
  readonly profile: boolean;
  /** Baselines only: the collector is not started and its figures say so. */
  readonly noCollector: boolean;
  readonly tickMs: number | undefined;
  /** Collector group commit (SCRAPEWATCH_WRITE_LINGER_MS, SCRAPEWATCH_WRITE_MIN_INTERVAL_MS). */
  readonly writeLingerMs: number | undefined;
  readonly writeMinIntervalMs: number | undefined;
  readonly collectorReadyTimeoutSeconds: number;
  readonly questdbHeap: string;
  readonly keep: boolean;
  readonly out: string;
}

export const USAGE = `npm run bench -- [flags]
  --only encode,coverage,classify,ingest,fanout,dashboard,memory,slow,volume   scenarios to run (default: all but volume)
  --rows N              rows per ingest variant (default 100000)
  --batch N             events per ingest request / ILP flush / encode call (default 500)
  --senders N           ingest sender processes (default 2)
  --concurrency N       requests in flight per sender process (default 4)
  --rounds N            ingest rounds, variants interleaved in each (default 1)
  --ingest-max-seconds S  time cap per ingest variant; rows not sent by then are reported (default 60)
  --subscribers N       fan-out subscribers (default 1000)
  --rate N              fan-out events per second posted (default 10000)
  --duration S          fan-out measured seconds (default 10)
  --warmup S            fan-out seconds before measuring (default 2)
  --channels N          scraper channels the events are spread over; subscriber i takes channel i mod N (default 100)
  --wildcard            every subscriber takes "*" instead (each gets every event: --rate times subscribers)
  --fanout-batch N      events per fan-out POST (default 100)
  --fanout-rounds N     fan-out and dashboard rounds, baselines and collector interleaved; the median p99 round is reported (default 1)
  --dashboard-subscribers N   wildcard subscribers of the dashboard scenario (default 100)
  --dashboard-rates A,B,C     events/s of the dashboard scenario (default 1000,5000,10000)
  --search-rates A,B,...      rates the search for the highest p99 <= 100 ms rate may try (default 250,500,1000,2000,3000,5000,7000,10000,14000,20000)
  --search-seconds S    measured seconds per search run (default 5)
  --search-probes N     search runs per side beyond the dashboard rates (default 3; 0: no search)
  --dashboard-sides A,B   sides of the dashboard scenario (default collector,ws,centrifugo-raw,centrifugo-official)
  --no-centrifugo       skip the Centrifugo peer baseline
  --slow-fraction F     share of subscribers that stop reading in the slow scenario (default 0.1)
  --memory-subscribers A,B   idle subscriber counts for the memory scenario (default 1000,10000)
  --clients-per-process N    WebSocket clients per subscriber process (default 2500)
  --volume-scale F      volume: share of a realistic week (7 d x 5M events/day) and of a full current hour (default 1)
  --volume-rate N       volume: steady ingest through the collector, events/s in requests of 100 (default 10000)
  --volume-seconds S    volume: seconds of steady ingest per fill level (default 60)
  --volume-query-runs N volume: runs of each dashboard and alert query, 0 for none (default 5)
  --volume-schema-one   volume: schema version 1 only (views on the raw tables), to compare
  --questdb-default-workers  QuestDB without questdb/conf's worker spin settings, to compare
  --connect-concurrency N    handshakes in flight per subscriber process (default 100)
  --tick-ms N           collector live tick (SCRAPEWATCH_LIVE_TICK_MS; default: the collector's)
  --write-linger-ms N   collector group commit linger (SCRAPEWATCH_WRITE_LINGER_MS; default: the collector's)
  --write-min-interval-ms N  collector group commit spacing (SCRAPEWATCH_WRITE_MIN_INTERVAL_MS; default: the collector's)
  --profile             run the collector under --cpu-prof; the profile path is printed
  --no-collector        baselines only (calibrate a machine); collector figures say "unavailable"
  --collector-ready-timeout S  wait for /readyz (default 90)
  --questdb-heap SIZE   QuestDB JVM heap (default 1g)
  --keep                keep the temporary QuestDB root, spool, logs
  --out FILE            results file (default bench/results.json)
  --help`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function fraction(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!(value >= 0 && value < 1)) throw new Error(`--${name} must be in [0, 1), got "${raw}"`);
  return value;
}

function scale(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const value = Number(raw);
  if (!(value > 0 && value <= 10))
    throw new Error(`--volume-scale must be in (0, 10], got "${raw}"`);
  return value;
}

/** The volume scenario preloads a week of data: it runs only when asked for. */
function scenarios(raw: string | undefined): Set<Scenario> {
  if (raw === undefined) return new Set(SCENARIOS.filter((scenario) => scenario !== 'volume'));
  const chosen = new Set<Scenario>();
  for (const name of raw.split(',').map((part) => part.trim())) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`--only: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
    }
    chosen.add(name as Scenario);
  }
  return chosen;
}

function dashboardSides(raw: string | undefined): Set<DashboardSideKey> {
  if (raw === undefined) return new Set(DASHBOARD_SIDES);
  const chosen = new Set<DashboardSideKey>();
  for (const name of raw.split(',').map((part) => part.trim())) {
    if (!(DASHBOARD_SIDES as readonly string[]).includes(name)) {
      throw new Error(
        `--dashboard-sides: unknown side "${name}" (known: ${DASHBOARD_SIDES.join(', ')})`,
      );
    }
    chosen.add(name as DashboardSideKey);
  }
  return chosen;
}

/** Parses the command line; throws with the flag's name when a value is wrong. Undefined on --help. */
export function parseBenchOptions(
  argv: readonly string[],
  repoRoot: string,
): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      rows: { type: 'string' },
      'volume-scale': { type: 'string' },
      'write-linger-ms': { type: 'string' },
      'write-min-interval-ms': { type: 'string' },
      'volume-rate': { type: 'string' },
      'volume-seconds': { type: 'string' },
      'volume-query-runs': { type: 'string' },
      'volume-schema-one': { type: 'boolean' },
      'questdb-default-workers': { type: 'boolean' },
      batch: { type: 'string' },
      senders: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      'ingest-max-seconds': { type: 'string' },
      subscribers: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      channels: { type: 'string' },
      wildcard: { type: 'boolean' },
      'fanout-batch': { type: 'string' },
      'slow-fraction': { type: 'string' },
      'fanout-rounds': { type: 'string' },
      'memory-subscribers': { type: 'string' },
      'clients-per-process': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'tick-ms': { type: 'string' },
      'dashboard-subscribers': { type: 'string' },
      'dashboard-rates': { type: 'string' },
      'search-rates': { type: 'string' },
      'search-seconds': { type: 'string' },
      'search-probes': { type: 'string' },
      'no-centrifugo': { type: 'boolean' },
      'dashboard-sides': { type: 'string' },
      profile: { type: 'boolean' },
      'no-collector': { type: 'boolean' },
      'collector-ready-timeout': { type: 'string' },
      'questdb-heap': { type: 'string' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const intList = (name: string, raw: string): number[] =>
    raw
      .split(',')
      .map((part) => positiveInt(name, part.trim(), 0))
      .sort((a, b) => a - b);
  const memorySubscribers = intList(
    'memory-subscribers',
    values['memory-subscribers'] ?? '1000,10000',
  );
  return {
    only: scenarios(values.only),
    rows: positiveInt('rows', values.rows, 100_000),
    batchSize: positiveInt('batch', values.batch, 500),
    senders: positiveInt('senders', values.senders, 2),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    rounds: positiveInt('rounds', values.rounds, 1),
    ingestMaxSeconds: positiveInt('ingest-max-seconds', values['ingest-max-seconds'], 60),
    subscribers: positiveInt('subscribers', values.subscribers, 1_000),
    eventsPerSecond: positiveInt('rate', values.rate, 10_000),
    durationSeconds: positiveInt('duration', values.duration, 10),
    warmupSeconds: positiveInt('warmup', values.warmup, 2, 0),
    channels: positiveInt('channels', values.channels, 100),
    wildcard: values.wildcard ?? false,
    fanoutBatchSize: positiveInt('fanout-batch', values['fanout-batch'], 100),
    slowFraction: fraction('slow-fraction', values['slow-fraction'], 0.1),
    fanoutRounds: positiveInt('fanout-rounds', values['fanout-rounds'], 1),
    dashboardSubscribers: positiveInt(
      'dashboard-subscribers',
      values['dashboard-subscribers'],
      100,
    ),
    dashboardRates: intList('dashboard-rates', values['dashboard-rates'] ?? '1000,5000,10000'),
    searchRates: intList(
      'search-rates',
      values['search-rates'] ?? '250,500,1000,2000,3000,5000,7000,10000,14000,20000',
    ),
    searchSeconds: positiveInt('search-seconds', values['search-seconds'], 5),
    searchProbes: positiveInt('search-probes', values['search-probes'], 3, 0),
    centrifugo: !(values['no-centrifugo'] ?? false),
    dashboardSides: dashboardSides(values['dashboard-sides']),
    memorySubscribers,
    volumeScale: scale(values['volume-scale']),
    volumeRate: positiveInt('volume-rate', values['volume-rate'], 10_000),
    volumeSeconds: positiveInt('volume-seconds', values['volume-seconds'], 60),
    volumeQueryRuns: positiveInt('volume-query-runs', values['volume-query-runs'], 5, 0),
    volumeSchemaOne: values['volume-schema-one'] ?? false,
    questdbDefaultWorkers: values['questdb-default-workers'] ?? false,
    clientsPerProcess: positiveInt('clients-per-process', values['clients-per-process'], 2_500),
    connectConcurrency: positiveInt('connect-concurrency', values['connect-concurrency'], 100),
    profile: values.profile ?? false,
    // The collector applies the latest schema at start-up: schema 1 alone is measured without it.
    noCollector: (values['no-collector'] ?? false) || (values['volume-schema-one'] ?? false),
    tickMs:
      values['tick-ms'] === undefined ? undefined : positiveInt('tick-ms', values['tick-ms'], 0, 0),
    writeLingerMs:
      values['write-linger-ms'] === undefined
        ? undefined
        : positiveInt('write-linger-ms', values['write-linger-ms'], 0, 0),
    writeMinIntervalMs:
      values['write-min-interval-ms'] === undefined
        ? undefined
        : positiveInt('write-min-interval-ms', values['write-min-interval-ms'], 0, 0),
    collectorReadyTimeoutSeconds: positiveInt(
      'collector-ready-timeout',
      values['collector-ready-timeout'],
      90,
    ),
    questdbHeap: values['questdb-heap'] ?? '1g',
    keep: values.keep ?? false,
    out: path.resolve(repoRoot, values.out ?? path.join('bench', 'results.json')),
  };
}

/** Names of the scraper channels of a fan-out run. */
export function channelNames(channels: number): string[] {
  return Array.from({ length: channels }, (_, i) => `bench-fanout-${i}`);
}
