import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCollector, type CollectorProcess as TestCollector } from '@scrapewatch/testkit';
import { typeScriptLoaderArgs } from './processes';
import { promSample } from './prometheus';

/** The collector as its users run it: `collector/src/main.ts` in a process of its own. */
export interface CollectorProcess {
  readonly url: string;
  readonly pid: number;
  readonly logPath: string;
  /** Where `--cpu-prof` writes its profile when the process exits (profiling runs only). */
  readonly profileDir: string | undefined;
  memory(): Promise<MemorySample>;
  stop(): Promise<void>;
}

export interface MemorySample {
  readonly rssBytes: number;
  /** Undefined when GET /metrics does not expose nodejs_heap_size_used_bytes. */
  readonly heapUsedBytes: number | undefined;
  /** Where the RSS came from: the collector's own metrics, or /proc when it does not export it. */
  readonly rssSource: 'metrics' | 'proc';
}

export type CollectorStart =
  | { readonly available: true; readonly collector: CollectorProcess }
  | { readonly available: false; readonly reason: string };

export interface CollectorProcessOptions {
  readonly repoRoot: string;
  readonly questdbHttpUrl: string;
  readonly questdbPgUrl: string;
  readonly workDir: string;
  readonly readyTimeoutMs: number;
  /** Run under `--cpu-prof`, profile written to `<workDir>/profile`. */
  readonly profile: boolean;
  /** Overrides of the collector's configuration (SCRAPEWATCH_* variables it defines). */
  readonly extraEnv: Readonly<Record<string, string>>;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function procRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/**
 * Spawns the collector with benchmark settings (auth off, rate limit off, own spool) and waits for
 * GET /readyz to answer 200. Resolves `available: false` with the reason (missing entry point,
 * exit, or not ready in time) instead of throwing: the baselines still run without it.
 */
export async function startCollectorProcess(
  options: CollectorProcessOptions,
): Promise<CollectorStart> {
  const entry = path.join(options.repoRoot, 'collector', 'src', 'main.ts');
  if (!existsSync(entry))
    return {
      available: false,
      reason: `${path.relative(options.repoRoot, entry)} does not exist yet`,
    };
  const logPath = path.join(options.workDir, 'collector.log');
  const profileDir = options.profile ? path.join(options.workDir, 'profile') : undefined;
  let started: TestCollector;
  try {
    started = await spawnCollector({
      command: [
        process.execPath,
        ...typeScriptLoaderArgs(),
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        entry,
      ],
      cwd: options.repoRoot,
      logFile: logPath,
      readyTimeoutMs: options.readyTimeoutMs,
      env: {
        SCRAPEWATCH_QUESTDB_HTTP: options.questdbHttpUrl,
        SCRAPEWATCH_QUESTDB_PG: options.questdbPgUrl,
        SCRAPEWATCH_AUTH: 'off',
        SCRAPEWATCH_SPOOL_DIR: path.join(options.workDir, 'spool'),
        // The benchmark measures capacity, not the per-token limit: 0 turns the limit off.
        SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND: '0',
        SCRAPEWATCH_LOG_LEVEL: 'warn',
        ...options.extraEnv,
      },
    });
  } catch (error) {
    // The kit's message ends with the whole output: the first line and the log's tail suffice.
    const message = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `${message.split('\n')[0]}\n${tail(logPath)}` };
  }
  const pid = started.process().pid;
  return {
    available: true,
    collector: {
      url: started.url,
      pid,
      logPath,
      profileDir,
      stop: async () => {
        await started.stop();
      },
      memory: () => memorySample(started.url, pid),
    },
  };
}

async function memorySample(url: string, pid: number): Promise<MemorySample> {
  let text = '';
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (response.ok) text = await response.text();
  } catch {
    // Fall back to /proc for the RSS below.
  }
  const rss = promSample(text, 'process_resident_memory_bytes');
  return {
    rssBytes: rss ?? procRss(pid),
    heapUsedBytes: promSample(text, 'nodejs_heap_size_used_bytes'),
    rssSource: rss === undefined ? 'proc' : 'metrics',
  };
}
