import type { CollectorProcess } from './collector-process';
import { channelNames, type BenchOptions } from './options';
import { awaitRowCounts } from './questdb-env';
import {
  isUnavailable,
  type DashboardResults,
  type DashboardSide,
  type FanoutResults,
  type IngestResults,
  type SlowResults,
  type Unavailable,
} from './results';
import {
  runFanout,
  subscriberCores,
  type FanoutResult,
  type FanoutSpec,
  type FanoutTarget,
} from './scenarios/fanout';
import { DEFAULT_CLASSIFY_SPEC, runClassify, type ClassifyResult } from './scenarios/classify';
import { DEFAULT_ENCODE_SPEC, runEncode, type EncodeResult } from './scenarios/encode';
import { DEFAULT_COVERAGE_SPEC, runCoverage, type CoverageResult } from './scenarios/coverage';
import { pairedRatios } from './ingest-figures';
import { runIngest, type IngestRun, type IngestVariant } from './scenarios/ingest';
import { runMemory, type MemoryResult } from './scenarios/memory';
import { runVolume, type VolumeResult } from './scenarios/volume';
import { startWsBaseline } from './scenarios/ws-baseline';
import { ensureCentrifugo, startCentrifugo, type CentrifugoServer } from './scenarios/centrifugo';

/** Which runs happen in which order, and how their figures are summarised. */

export type Log = (message: string) => void;

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function unavailable(reason: string): Unavailable {
  return { unavailable: reason };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ILP row encoding, the collector's encoder against the client's buffer, in this process. */
export function runEncodeSuite(options: BenchOptions, log: Log): EncodeResult | Unavailable {
  const spec = { ...DEFAULT_ENCODE_SPEC, batchSize: options.batchSize };
  log(
    `encode: ${spec.rows.toLocaleString('en-US')} rows in batches of ${spec.batchSize}, ` +
      `collector encoder vs @questdb/nodejs-client buffer, ${spec.rounds} rounds`,
  );
  try {
    const result = runEncode(spec);
    log(
      `  collector ${Math.round(result.collectorRowsPerSecond).toLocaleString('en-US')} rows/s, ` +
        `client ${Math.round(result.clientRowsPerSecond).toLocaleString('en-US')} rows/s, ` +
        `ratio ${result.ratio.toFixed(2)}x; ${Math.round(result.bytesPerRow)} bytes/row, ` +
        `${result.identicalBytes ? 'identical bytes' : 'BYTES DIFFER'}`,
    );
    return result;
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}

/** The SDK's field coverage of one scrape's items, against a loop reading every value once. */
export function runCoverageSuite(log: Log): CoverageResult | Unavailable {
  const spec = DEFAULT_COVERAGE_SPEC;
  log(
    `coverage: SDK field coverage of ${spec.items.toLocaleString('en-US')} items x ${spec.fields} fields, ` +
      `named and discovered fields vs a read-every-value loop, ${spec.rounds} rounds`,
  );
  try {
    const result = runCoverage(spec);
    log(
      `  named ${result.namedMsPerCall.toFixed(3)} ms/call (${result.namedRatio.toFixed(2)}x the floor), ` +
        `discovered ${result.discoveredMsPerCall.toFixed(3)} ms/call (${result.discoveredRatio.toFixed(2)}x), ` +
        `floor ${result.floorMsPerCall.toFixed(3)} ms/call (CPU time)`,
    );
    return result;
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}

/** Soft-block classification in the SDK's navigation wrapper, against status-only classification. */
export async function runClassifySuite(log: Log): Promise<ClassifyResult | Unavailable> {
  const spec = DEFAULT_CLASSIFY_SPEC;
  log(
    `classify: trackNavigation over an in-memory page, built-in block rules vs status only, ` +
      `${spec.rounds} rounds`,
  );
  try {
    const result = await runClassify(spec);
    log(
      `  ${result.withRulesMicros.toFixed(1)} µs vs ${result.baselineMicros.toFixed(1)} µs per navigation: ` +
        `+${result.addedMicros.toFixed(1)} µs (${result.ratio.toFixed(2)}x); classifier alone ` +
        `${result.classifierMicros.toFixed(1)} µs per call; ${(result.blockedShare * 100).toFixed(0)}% of the mix blocked`,
    );
    return result;
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}

/**
 * Raw ILP baseline, collector POST and SDK, the same row count each, interleaved per round (the
 * order flips every round so neither side always runs on a warmer machine).
 */
export async function runIngestSuite(
  options: BenchOptions,
  questdb: { readonly httpUrl: string; readonly pid: number | undefined },
  collector: CollectorProcess | undefined,
  collectorMissing: string,
  runTag: string,
  log: Log,
): Promise<IngestResults> {
  const questdbHttpUrl = questdb.httpUrl;
  const variants: IngestVariant[] = [
    { mode: 'limit', label: "QuestDB's limit (pre-encoded ILP to /write)", url: questdbHttpUrl },
    { mode: 'ilp', label: 'raw ILP client', url: questdbHttpUrl },
  ];
  if (collector) {
    const metricsUrl = `${collector.url}/metrics`;
    variants.push({
      mode: 'http',
      label: 'collector POST /v1/metrics',
      url: collector.url,
      metricsUrl,
    });
    variants.push({
      mode: 'sdk',
      label: 'collector via @scrapewatch/sdk',
      url: collector.url,
      metricsUrl,
    });
  }
  const spec = {
    rows: options.rows,
    batchSize: options.batchSize,
    senders: options.senders,
    concurrency: options.concurrency,
    maxDurationMs: options.ingestMaxSeconds * 1000,
    watchPids: { collector: collector?.pid, questdb: questdb.pid },
    runTag,
  };
  const runs: IngestRun[] = [];
  const failures: Record<string, string> = {};
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const variant of order) {
      log(`ingest round ${round}: ${variant.label}, ${options.rows.toLocaleString('en-US')} rows`);
      try {
        const run = await runIngest(variant, spec, round);
        runs.push(run);
        log(
          `  ${Math.round(run.eventsPerSecond).toLocaleString('en-US')} events/s (${run.acceptedRows} accepted, ` +
            `${run.failedRows} failed, ${run.notSentRows} not sent by the time cap, ${Math.round(run.wallMs)} ms); ` +
            `CPU: collector ${(run.cpu.coresByProcess['collector'] ?? 0).toFixed(2)} cores, ` +
            `QuestDB ${(run.cpu.coresByProcess['questdb'] ?? Number.NaN).toFixed(2)} cores, machine ${(run.cpu.machineBusy * 100).toFixed(0)}% busy`,
        );
        if (run.writer) {
          log(
            `  writer: ${run.writer.requests} ILP requests, ${Math.round(run.writer.rowsPerRequest)} rows each, ` +
              `${run.writer.meanRequestMs.toFixed(1)} ms each, a request in flight ${(run.writer.busyShare * 100).toFixed(0)}% of the run`,
          );
        }
        if (run.errors.length > 0) log(`  errors: ${run.errors.join(' | ')}`);
      } catch (error) {
        failures[variant.mode] = errorText(error);
        log(`  failed: ${errorText(error)}`);
      }
    }
  }
  const rate = (mode: IngestRun['mode']): number | undefined =>
    median(runs.filter((run) => run.mode === mode).map((run) => run.eventsPerSecond));
  const collectorRate = (mode: 'http' | 'sdk'): number | Unavailable =>
    rate(mode) ?? unavailable(collector ? (failures[mode] ?? 'no run') : collectorMissing);
  // Ratios pair the two runs of one round, then the median over rounds (see pairedRatios).
  const pairedRatio = (mode: IngestRun['mode'], baseline: IngestRun['mode']): number | undefined =>
    median(pairedRatios(runs, mode, baseline));
  const results: IngestResults = {
    runs,
    rawEventsPerSecond: rate('ilp'),
    limitEventsPerSecond: rate('limit'),
    collectorToRaw: pairedRatio('http', 'ilp'),
    collectorToLimit: pairedRatio('http', 'limit'),
    sdkToRaw: pairedRatio('sdk', 'ilp'),
    collectorEventsPerSecond: collectorRate('http'),
    sdkEventsPerSecond: collectorRate('sdk'),
  };
  const expected: Record<string, number> = {};
  for (const run of runs) expected[run.scraper] = run.acceptedRows;
  log('ingest: checking that every accepted row is stored (WAL apply is asynchronous)');
  try {
    results.stored = await awaitRowCounts(questdbHttpUrl, expected, 120_000);
  } catch (error) {
    log(`  could not count stored rows: ${errorText(error)}`);
  }
  return results;
}

function fanoutSpec(options: BenchOptions, pauseEvery: number): FanoutSpec {
  const eventChannels = channelNames(options.channels);
  return {
    subscribers: options.subscribers,
    eventsPerSecond: options.eventsPerSecond,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    eventChannels,
    subscriptionChannels: options.wildcard ? ['*'] : eventChannels,
    batchSize: options.fanoutBatchSize,
    pauseEvery,
    clientsPerProcess: options.clientsPerProcess,
    connectConcurrency: options.connectConcurrency,
  };
}

export function collectorTarget(collector: CollectorProcess, questdbPid?: number): FanoutTarget {
  return {
    name: 'collector',
    streamUrl: `${collector.url.replace(/^http/, 'ws')}/v1/stream`,
    publishUrl: `${collector.url}/v1/metrics`,
    memory: () => collector.memory(),
    pid: collector.pid,
    alsoWatch: { questdb: questdbPid },
  };
}

function describe(result: FanoutResult): string {
  const l = result.latency;
  return (
    `p50 ${l.p50Ms.toFixed(2)} ms, p95 ${l.p95Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms; ` +
    `${Math.round(result.deliveriesPerSecond).toLocaleString('en-US')} deliveries/s, ` +
    `${Math.round(result.framesPerSecond).toLocaleString('en-US')} frames/s, ` +
    `${(result.bytesPerSecond / 1024 / 1024).toFixed(1)} MB/s; ` +
    `${(result.completeness * 100).toFixed(2)}% of ${result.expectedDeliveries.toLocaleString('en-US')} deliveries; ` +
    `${result.connected.subscribed} subscribed (${result.connected.failed} failed); ` +
    `posted ${Math.round(result.publisher.achievedEventsPerSecond)} ev/s, max lag ${Math.round(result.publisher.maxLagMs)} ms; ` +
    `CPU cores: ${result.target} ${(result.cpu.coresByProcess[result.target] ?? Number.NaN).toFixed(2)}, ` +
    `subscribers ${subscriberCores(result.cpu).toFixed(2)}, publisher ${(result.cpu.coresByProcess['publisher'] ?? Number.NaN).toFixed(2)}, ` +
    (result.cpu.coresByProcess['questdb'] === undefined
      ? ''
      : `QuestDB ${result.cpu.coresByProcess['questdb'].toFixed(2)}, `) +
    `machine ${(result.cpu.machineBusy * 100).toFixed(0)}% busy`
  );
}

async function attempt(
  label: string,
  log: Log,
  run: () => Promise<FanoutResult>,
): Promise<FanoutResult | Unavailable> {
  log(label);
  try {
    const result = await run();
    log(`  ${describe(result)}`);
    if (result.publisher.errors.length > 0)
      log(`  publisher errors: ${result.publisher.errors.join(' | ')}`);
    if (result.connected.errors.length > 0)
      log(`  connect errors: ${result.connected.errors.join(' | ')}`);
    return result;
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}

/** The bare ws broadcast baseline, then the collector, same subscribers, rate and payloads. */
export async function runFanoutSuite(
  options: BenchOptions,
  collector: CollectorProcess | undefined,
  collectorMissing: string,
  questdbPid: number | undefined,
  peer: Peer,
  log: Log,
): Promise<FanoutResults> {
  const spec = fanoutSpec(options, 0);
  const sizes = `${options.subscribers} subscribers, ${options.eventsPerSecond} events/s`;
  const baselineRuns: Array<FanoutResult | Unavailable> = [];
  const collectorRuns: Array<FanoutResult | Unavailable> = [];
  const runBaseline = async (round: number): Promise<void> => {
    baselineRuns.push(
      await attempt(`fan-out round ${round}: bare ws baseline, ${sizes}`, log, async () => {
        const server = await startWsBaseline();
        try {
          return await runFanout(server.target, spec);
        } finally {
          await server.stop();
        }
      }),
    );
  };
  const runCollector = async (round: number): Promise<void> => {
    collectorRuns.push(
      collector
        ? await attempt(`fan-out round ${round}: collector, ${sizes}`, log, () =>
            runFanout(collectorTarget(collector, questdbPid), spec),
          )
        : unavailable(collectorMissing),
    );
  };
  const rawRuns: Array<FanoutResult | Unavailable> = [];
  const officialRuns: Array<FanoutResult | Unavailable> = [];
  const runPeer = async (round: number): Promise<void> => {
    const server = peer.server();
    if (server === undefined) return;
    rawRuns.push(
      await attempt(`fan-out round ${round}: Centrifugo, raw ws subscribers, ${sizes}`, log, () =>
        runFanout(server.raw, spec),
      ),
    );
    officialRuns.push(
      await attempt(`fan-out round ${round}: Centrifugo, official client, ${sizes}`, log, () =>
        runFanout(server.official, spec),
      ),
    );
  };
  // Interleaved, the order flipping every round, so neither side always runs on a warmer machine.
  for (let round = 1; round <= options.fanoutRounds; round++) {
    if (round % 2 === 1) {
      await runBaseline(round);
      await runCollector(round);
      await runPeer(round);
    } else {
      await runPeer(round);
      await runCollector(round);
      await runBaseline(round);
    }
  }
  const peerMissing = unavailable(peer.missing ?? 'not run');
  return {
    baseline: medianByP99(baselineRuns),
    collector: medianByP99(collectorRuns),
    centrifugoRaw: rawRuns.length > 0 ? medianByP99(rawRuns) : peerMissing,
    centrifugoOfficial: officialRuns.length > 0 ? medianByP99(officialRuns) : peerMissing,
    rounds: { baseline: baselineRuns, collector: collectorRuns },
  };
}

/** The Centrifugo server the fan-out suites share, started on first use; `missing` says why not. */
export interface Peer {
  server(): CentrifugoServer | undefined;
  readonly missing: string | undefined;
}

/** Builds (if needed) and starts Centrifugo, or says why it cannot. */
export async function startPeer(
  options: BenchOptions,
  cacheDir: string,
  workDir: string,
  log: Log,
): Promise<{ peer: Peer; stop: () => Promise<void> }> {
  const none = (missing: string) => ({
    peer: { server: () => undefined, missing },
    stop: async () => undefined,
  });
  if (!options.centrifugo) return none('skipped (--no-centrifugo)');
  const binary = ensureCentrifugo(cacheDir, log);
  if (!binary.available) {
    log(`Centrifugo baseline skipped: ${binary.reason}`);
    return none(binary.reason);
  }
  try {
    const server = await startCentrifugo(binary.path, workDir);
    log(`Centrifugo started (${binary.path}, pid ${server.raw.pid ?? '?'})`);
    return { peer: { server: () => server, missing: undefined }, stop: () => server.stop() };
  } catch (error) {
    log(`Centrifugo could not start: ${errorText(error)}`);
    return none(`could not start: ${errorText(error)}`);
  }
}

/** p99 bound of the dashboard search. */
export const DASHBOARD_P99_BOUND_MS = 100;

function passes(run: FanoutResult | Unavailable, rate: number): boolean {
  if (isUnavailable(run)) return false;
  return (
    run.latency.p99Ms <= DASHBOARD_P99_BOUND_MS &&
    run.completeness >= 0.999 &&
    run.publisher.achievedEventsPerSecond >= rate * 0.95 &&
    run.publisher.maxLagMs <= 1_000
  );
}

/**
 * `dashboard`: every subscriber on "*" (a Grafana viewer of the Overview dashboard), at each
 * dashboard rate, the collector beside the bare ws baseline and Centrifugo (raw and official
 * subscribers), interleaved per round; then, per side, a short search over `searchRates` for the
 * highest rate it sustains with p99 <= 100 ms, every delivery made and the publisher on schedule.
 */
export async function runDashboardSuite(
  options: BenchOptions,
  collector: CollectorProcess | undefined,
  collectorMissing: string,
  questdbPid: number | undefined,
  peer: Peer,
  log: Log,
): Promise<DashboardResults> {
  const server = peer.server();
  const all: Array<
    | { label: string; start: () => Promise<{ target: FanoutTarget; stop: () => Promise<void> }> }
    | { label: string; missing: string }
  > = [
    collector
      ? {
          label: 'collector',
          start: async () => ({
            target: collectorTarget(collector, questdbPid),
            stop: async () => undefined,
          }),
        }
      : { label: 'collector', missing: collectorMissing },
    {
      label: 'bare ws',
      start: async () => {
        const ws = await startWsBaseline();
        return { target: ws.target, stop: ws.stop };
      },
    },
    server
      ? {
          label: 'Centrifugo, raw ws subscribers',
          start: async () => ({ target: server.raw, stop: async () => undefined }),
        }
      : { label: 'Centrifugo, raw ws subscribers', missing: peer.missing ?? 'not run' },
    server
      ? {
          label: 'Centrifugo, official client',
          start: async () => ({ target: server.official, stop: async () => undefined }),
        }
      : { label: 'Centrifugo, official client', missing: peer.missing ?? 'not run' },
  ];
  const keys = ['collector', 'ws', 'centrifugo-raw', 'centrifugo-official'] as const;
  const targets = all.filter((_, i) => {
    const key = keys[i];
    return key !== undefined && options.dashboardSides.has(key);
  });
  const spec = (rate: number, seconds: number): FanoutSpec => ({
    ...fanoutSpec(options, 0),
    subscribers: options.dashboardSubscribers,
    eventsPerSecond: rate,
    durationSeconds: seconds,
    subscriptionChannels: ['*'],
  });
  const sides: DashboardSide[] = targets.map((t) => ({
    label: t.label,
    byRate: {},
    rounds: {},
    tried: [],
  }));
  const runOne = async (
    index: number,
    rate: number,
    seconds: number,
    what: string,
  ): Promise<FanoutResult | Unavailable> => {
    const entry = targets[index];
    if (entry === undefined) return unavailable('no such side');
    if ('missing' in entry) return unavailable(entry.missing);
    return attempt(
      `dashboard ${what}: ${entry.label}, ${options.dashboardSubscribers} subscribers on "*", ${rate.toLocaleString('en-US')} ev/s`,
      log,
      async () => {
        const started = await entry.start();
        try {
          return await runFanout(started.target, spec(rate, seconds));
        } finally {
          await started.stop();
        }
      },
    );
  };
  const record = (side: DashboardSide, rate: number, run: FanoutResult | Unavailable): void => {
    side.tried.push({
      rate,
      p99Ms: isUnavailable(run) ? Number.NaN : run.latency.p99Ms,
      completeness: isUnavailable(run) ? Number.NaN : run.completeness,
      ok: passes(run, rate),
    });
  };

  for (const rate of options.dashboardRates) {
    for (let round = 1; round <= options.fanoutRounds; round++) {
      // The order rotates every round so no side always runs first (or on a warmer machine).
      for (let k = 0; k < targets.length; k++) {
        const index = (k + round - 1) % targets.length;
        const side = sides[index];
        if (side === undefined) continue;
        const run = await runOne(index, rate, options.durationSeconds, `round ${round}`);
        (side.rounds[String(rate)] ??= []).push(run);
      }
    }
    for (const side of sides) {
      const median = medianByP99(side.rounds[String(rate)] ?? []);
      side.byRate[String(rate)] = median;
      record(side, rate, median);
    }
  }

  const ladder = [...new Set([...options.searchRates, ...options.dashboardRates])].sort(
    (a, b) => a - b,
  );
  for (const [index, side] of sides.entries()) {
    const entry = targets[index];
    if (entry === undefined || 'missing' in entry) continue;
    for (let probe = 0; probe < options.searchProbes; probe++) {
      const passed = side.tried.filter((t) => t.ok).map((t) => t.rate);
      const failed = side.tried.filter((t) => !t.ok).map((t) => t.rate);
      const high = passed.length > 0 ? Math.max(...passed) : undefined;
      const low = failed.filter((r) => high === undefined || r > high);
      const lowest = low.length > 0 ? Math.min(...low) : undefined;
      const between = ladder.filter(
        (r) => (high === undefined || r > high) && (lowest === undefined || r < lowest),
      );
      if (between.length === 0) break;
      const rate =
        lowest === undefined
          ? between[0]
          : high === undefined
            ? between[between.length - 1]
            : between[Math.floor((between.length - 1) / 2)];
      if (rate === undefined) break;
      const run = await runOne(index, rate, options.searchSeconds, 'search');
      record(side, rate, run);
      if (!isUnavailable(run) && passes(run, rate)) {
        (side.rounds[`search ${rate}`] ??= []).push(run);
      }
    }
    const best = side.tried.filter((t) => t.ok).sort((a, b) => b.rate - a.rate)[0];
    if (best !== undefined) {
      const run = side.byRate[String(best.rate)] ?? side.rounds[`search ${best.rate}`]?.[0];
      side.highest = {
        rate: best.rate,
        deliveriesPerSecond:
          run !== undefined && !isUnavailable(run)
            ? run.deliveriesPerSecond
            : best.rate * options.dashboardSubscribers,
        p99Ms: best.p99Ms,
      };
    }
    log(
      `dashboard search: ${side.label}: ` +
        (side.highest
          ? `highest ${side.highest.rate.toLocaleString('en-US')} ev/s (${Math.round(side.highest.deliveriesPerSecond).toLocaleString('en-US')} deliveries/s, p99 ${side.highest.p99Ms.toFixed(1)} ms)`
          : 'no rate tried met the bound') +
        `; tried ${side.tried.map((t) => `${t.rate}${t.ok ? '✓' : '✗'}`).join(' ')}`,
    );
  }
  return {
    subscribers: options.dashboardSubscribers,
    p99BoundMs: DASHBOARD_P99_BOUND_MS,
    sides,
    centrifugo: server ? { available: true } : { available: false, reason: peer.missing ?? '' },
  };
}

/** The run whose p99 is the median of the rounds (the lower middle for an even count). */
function medianByP99(runs: ReadonlyArray<FanoutResult | Unavailable>): FanoutResult | Unavailable {
  const measured = runs.filter((run): run is FanoutResult => !isUnavailable(run));
  if (measured.length === 0) return runs[0] ?? unavailable('no run');
  const sorted = [...measured].sort((a, b) => a.latency.p99Ms - b.latency.p99Ms);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? measured[0] ?? unavailable('no run');
}

/**
 * The collector with a share of subscribers not reading, against a reference run without them
 * taken right before it in each round: back to back, so the collector's replay rings (which fill
 * over the first runs and grow its RSS) are in the same state for both.
 */
export async function runSlowSuite(
  options: BenchOptions,
  collector: CollectorProcess | undefined,
  collectorMissing: string,
  questdbPid: number | undefined,
  log: Log,
): Promise<SlowResults> {
  if (!collector)
    return { without: unavailable(collectorMissing), with: unavailable(collectorMissing) };
  const pauseEvery =
    options.slowFraction > 0 ? Math.max(1, Math.round(1 / options.slowFraction)) : 0;
  const withoutRuns: Array<FanoutResult | Unavailable> = [];
  const withRuns: Array<FanoutResult | Unavailable> = [];
  for (let round = 1; round <= options.fanoutRounds; round++) {
    withoutRuns.push(
      await attempt(`slow consumers round ${round}: reference, none paused`, log, () =>
        runFanout(collectorTarget(collector, questdbPid), fanoutSpec(options, 0)),
      ),
    );
    withRuns.push(
      await attempt(
        `slow consumers round ${round}: 1 in ${pauseEvery} of ${options.subscribers} subscribers paused`,
        log,
        () => runFanout(collectorTarget(collector, questdbPid), fanoutSpec(options, pauseEvery)),
      ),
    );
  }
  return { without: medianByP99(withoutRuns), with: medianByP99(withRuns) };
}

export async function runMemorySuite(
  options: BenchOptions,
  collector: CollectorProcess | undefined,
  collectorMissing: string,
  log: Log,
): Promise<MemoryResult | Unavailable> {
  if (!collector) return unavailable(collectorMissing);
  log(`memory: idle subscribers at ${options.memorySubscribers.join(', ')}`);
  try {
    const result = await runMemory({
      streamUrl: collectorTarget(collector).streamUrl,
      levels: options.memorySubscribers,
      channels: channelNames(options.channels),
      clientsPerProcess: options.clientsPerProcess,
      connectConcurrency: options.connectConcurrency,
      holdSeconds: 5,
      memory: () => collector.memory(),
    });
    for (const level of result.levels) {
      log(
        `  ${level.subscribers}: RSS ${(level.rssBytesPerSubscriber / 1024).toFixed(1)} KB/subscriber, ` +
          `heap ${level.heapBytesPerSubscriber === undefined ? 'n/a' : (level.heapBytesPerSubscriber / 1024).toFixed(1)} KB/subscriber ` +
          `(${level.subscribed} subscribed, ${level.failed} failed, connected in ${Math.round(level.connectMs)} ms)`,
      );
      if (level.connectErrors.length > 0)
        log(`  connect errors: ${level.connectErrors.join(' | ')}`);
    }
    log(`  held: ${result.held} of ${result.heldOf} open after the hold`);
    return result;
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}

/**
 * Storage at volume: a realistic week, a steady load at three fill levels of the current hour,
 * then the provisioned queries. Without a collector the steady load goes straight to QuestDB.
 */
export async function runVolumeSuite(
  options: BenchOptions,
  questdb: { readonly httpUrl: string; readonly pgUrl: string; readonly pid: number | undefined },
  collector: CollectorProcess | undefined,
  log: Log,
): Promise<VolumeResult | Unavailable> {
  try {
    return await runVolume({
      httpUrl: questdb.httpUrl,
      pgUrl: questdb.pgUrl,
      questdbPid: questdb.pid,
      collector: collector ? { url: collector.url, pid: collector.pid } : undefined,
      scale: options.volumeScale,
      rate: options.volumeRate,
      seconds: options.volumeSeconds,
      queryRuns: options.volumeQueryRuns,
      log,
    });
  } catch (error) {
    log(`  failed: ${errorText(error)}`);
    return unavailable(`failed: ${errorText(error)}`);
  }
}
