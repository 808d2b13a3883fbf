// `npm run bench`: starts a QuestDB and a collector process of its own, drives load from separate
// processes, and prints the figures next to their baselines (raw ILP client, bare ws broadcast),
// with the targets met or missed. Writes every figure to bench/results.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startCollectorProcess,
  type CollectorProcess,
  type CollectorStart,
} from './collector-process';
import { parseBenchOptions, USAGE, type BenchOptions } from './options';
import { runClusterBench } from './cluster';
import { hotFunctions, profileFiles } from './profile-summary';
import { applySchema, startBenchQuestDB, type BenchQuestDB } from './questdb-env';
import { dashboardTable, evaluateTargets, figuresTable, targetsTable } from './report';
import { volumeQueryListing } from './volume-report';
import type { BenchResults, MachineInfo } from './results';
import {
  runCoverageSuite,
  runClassifySuite,
  runDashboardSuite,
  runEncodeSuite,
  runFanoutSuite,
  startPeer,
  type Peer,
  runIngestSuite,
  runMemorySuite,
  runSlowSuite,
  runVolumeSuite,
} from './suite';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Scenarios that run in this process, before (and without) QuestDB and the collector. */
const IN_PROCESS: ReadonlySet<string> = new Set(['encode', 'coverage', 'classify']);

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function machineInfo(): MachineInfo {
  const limit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    openFilesLimit: limit.stdout.trim() || 'unknown',
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

function collectorEnv(options: BenchOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.tickMs !== undefined) env['SCRAPEWATCH_LIVE_TICK_MS'] = String(options.tickMs);
  if (options.writeLingerMs !== undefined)
    env['SCRAPEWATCH_WRITE_LINGER_MS'] = String(options.writeLingerMs);
  if (options.writeMinIntervalMs !== undefined)
    env['SCRAPEWATCH_WRITE_MIN_INTERVAL_MS'] = String(options.writeMinIntervalMs);
  const needed = Math.max(options.subscribers, ...options.memorySubscribers) + 1_000;
  if (needed > 20_000) env['SCRAPEWATCH_MAX_SUBSCRIBERS'] = String(needed);
  return env;
}

function checkFileLimit(options: BenchOptions, machine: MachineInfo, notes: string[]): void {
  const limit = Number(machine.openFilesLimit);
  const collectorNeeds = Math.max(options.subscribers, ...options.memorySubscribers) + 500;
  if (
    Number.isFinite(limit) &&
    (limit < collectorNeeds || limit < options.clientsPerProcess + 100)
  ) {
    const note =
      `ulimit -n is ${limit}: the collector needs about ${collectorNeeds} descriptors and each subscriber process ` +
      `${options.clientsPerProcess + 100}; raise it (ulimit -n 65536) or lower the sizes, or connections will fail.`;
    notes.push(note);
    log(`warning: ${note}`);
  }
}

function serialisableOptions(options: BenchOptions): Record<string, unknown> {
  return { ...options, only: [...options.only], dashboardSides: [...options.dashboardSides] };
}

async function main(): Promise<void> {
  if (process.argv.includes('--cluster')) {
    await runClusterBench(process.argv.slice(2), REPO_ROOT);
    return;
  }
  const options = parseBenchOptions(process.argv.slice(2), REPO_ROOT);
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const machine = machineInfo();
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine,
    options: serialisableOptions(options),
    collector: { available: false },
    targets: [],
    notes: [],
  };
  if (machine.cpus <= 4 || (machine.loadAverageAtStart[0] ?? 0) > machine.cpus / 2) {
    results.notes.push(
      `Measured on ${machine.cpus} cores with load average ${machine.loadAverageAtStart.join(', ')} at the start; ` +
        'QuestDB, the collector and every load generator share them, so the figures are noisy and low.',
    );
  }
  checkFileLimit(options, machine, results.notes);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-bench-'));
  mkdirSync(path.join(workDir, 'spool'), { recursive: true });
  log(
    `work dir ${workDir}; ${machine.cpus} cores, load ${machine.loadAverageAtStart.join(' ')}, ulimit -n ${machine.openFilesLimit}`,
  );

  let questdb: BenchQuestDB | undefined;
  let collector: CollectorProcess | undefined;
  let stopPeer: (() => Promise<void>) | undefined;
  let cleaningUp: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaningUp ??= (async () => {
      if (stopPeer) {
        log('stopping Centrifugo');
        await stopPeer();
      }
      if (collector) {
        log('stopping the collector');
        await collector.stop();
      }
      if (questdb) {
        log('stopping QuestDB');
        await questdb.close(options.keep);
      }
      if (!options.keep && !options.profile) rmSync(workDir, { recursive: true, force: true });
    })());
  const onSignal = (): void => {
    log('interrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // In-process and CPU-bound: first, before QuestDB and the collector take the cores.
    if (options.only.has('encode')) results.encode = runEncodeSuite(options, log);
    if (options.only.has('coverage')) results.coverage = runCoverageSuite(log);
    if (options.only.has('classify')) results.classify = await runClassifySuite(log);
    if ([...options.only].every((scenario) => IN_PROCESS.has(scenario))) {
      results.collector = {
        available: false,
        reason: `not started (only ${[...options.only].join(', ')} ran)`,
      };
      return;
    }
    log(`starting QuestDB (heap ${options.questdbHeap})`);
    questdb = await startBenchQuestDB(options.questdbHeap, options.questdbDefaultWorkers);
    log(`QuestDB at ${questdb.server.httpUrl}`);
    log(
      options.noCollector
        ? 'not starting the collector (--no-collector)'
        : 'starting the collector (collector/src/main.ts)',
    );
    const started: CollectorStart = options.noCollector
      ? { available: false, reason: 'not started (--no-collector)' }
      : await startCollectorProcess({
          repoRoot: REPO_ROOT,
          questdbHttpUrl: questdb.server.httpUrl,
          questdbPgUrl: questdb.server.pgUrl,
          workDir,
          readyTimeoutMs: options.collectorReadyTimeoutSeconds * 1000,
          profile: options.profile,
          extraEnv: collectorEnv(options),
        });
    let collectorMissing = '';
    if (started.available) {
      collector = started.collector;
      results.collector = {
        available: true,
        logPath: collector.logPath,
        profileDir: collector.profileDir,
      };
      log(`collector ready at ${collector.url} (pid ${collector.pid})`);
    } else {
      collectorMissing = `collector unavailable: ${started.reason}`;
      results.collector = { available: false, reason: started.reason };
      log(`COLLECTOR UNAVAILABLE: ${started.reason}`);
      log('the baselines still run; every collector figure is reported as unavailable');
    }
    await applySchema(questdb.server.httpUrl, options.volumeSchemaOne ? 1 : Infinity);
    const runTag = Date.now().toString(36);

    if (options.only.has('memory'))
      results.memory = await runMemorySuite(options, collector, collectorMissing, log);
    if (options.only.has('ingest')) {
      results.ingest = await runIngestSuite(
        options,
        { httpUrl: questdb.server.httpUrl, pid: questdb.server.pid },
        collector,
        collectorMissing,
        runTag,
        log,
      );
    }
    let peer: Peer = { server: () => undefined, missing: 'not needed' };
    if (options.only.has('fanout') || options.only.has('dashboard')) {
      const started = await startPeer(
        options,
        path.join(REPO_ROOT, 'bench', '.cache'),
        workDir,
        log,
      );
      peer = started.peer;
      stopPeer = started.stop;
    }
    if (options.only.has('fanout'))
      results.fanout = await runFanoutSuite(
        options,
        collector,
        collectorMissing,
        questdb.server.pid,
        peer,
        log,
      );
    if (options.only.has('dashboard'))
      results.dashboard = await runDashboardSuite(
        options,
        collector,
        collectorMissing,
        questdb.server.pid,
        peer,
        log,
      );
    if (options.only.has('volume'))
      results.volume = await runVolumeSuite(
        options,
        { httpUrl: questdb.server.httpUrl, pgUrl: questdb.server.pgUrl, pid: questdb.server.pid },
        collector,
        log,
      );
    if (options.only.has('slow'))
      results.slow = await runSlowSuite(
        options,
        collector,
        collectorMissing,
        questdb.server.pid,
        log,
      );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    results.finishedAt = new Date().toISOString();
    machine.loadAverageAtEnd = os.loadavg().map((value) => Math.round(value * 100) / 100);
    results.targets = evaluateTargets(results);
    report(results);
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${path.relative(REPO_ROOT, options.out)}`);
  }
}

function report(results: BenchResults): void {
  const out: string[] = [
    '',
    'Scrapewatch benchmarks',
    '',
    figuresTable(results),
    '',
    ...(results.dashboard ? [dashboardTable(results), ''] : []),
    targetsTable(results.targets),
  ];
  if (!results.collector.available) {
    out.push('', `COLLECTOR UNAVAILABLE: ${results.collector.reason ?? ''}`);
  }
  const profileDir = results.collector.profileDir;
  if (profileDir) {
    for (const file of profileFiles(profileDir)) {
      out.push(
        '',
        `collector CPU profile: ${file} (open in Chrome DevTools > Performance)`,
        'hottest functions (self time, share of busy samples):',
      );
      for (const hot of hotFunctions(file))
        out.push(
          `  ${(hot.selfShare * 100).toFixed(1).padStart(5)}%  ${hot.name}  ${hot.location}`,
        );
    }
  }
  out.push(...volumeQueryListing(results.volume));
  for (const note of results.notes) out.push('', `note: ${note}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
