import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@scrapewatch/questdb';
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

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
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
  const port = await freePort();
  const logPath = path.join(options.workDir, 'collector.log');
  const profileDir = options.profile ? path.join(options.workDir, 'profile') : undefined;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SCRAPEWATCH_')) env[key] = value;
  }
  Object.assign(env, {
    SCRAPEWATCH_HOST: '127.0.0.1',
    SCRAPEWATCH_PORT: String(port),
    SCRAPEWATCH_QUESTDB_HTTP: options.questdbHttpUrl,
    SCRAPEWATCH_QUESTDB_PG: options.questdbPgUrl,
    SCRAPEWATCH_AUTH: 'off',
    SCRAPEWATCH_SPOOL_DIR: path.join(options.workDir, 'spool'),
    // The benchmark measures capacity, not the per-token limit: 0 turns the limit off.
    SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND: '0',
    SCRAPEWATCH_LOG_LEVEL: 'warn',
    ...options.extraEnv,
  });
  const log = openSync(logPath, 'a');
  const args = [
    ...typeScriptLoaderArgs(),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    entry,
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await waitExit(child);
    clearTimeout(timer);
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  let lastAnswer = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return {
        available: false,
        reason: `the collector exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${tail(logPath)}`,
      };
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        return {
          available: true,
          collector: {
            url,
            pid: child.pid ?? 0,
            logPath,
            profileDir,
            stop,
            memory: () => memorySample(url, child.pid ?? 0),
          },
        };
      }
      lastAnswer = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      lastAnswer = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  await stop();
  return {
    available: false,
    reason: `GET /readyz did not answer 200 within ${options.readyTimeoutMs} ms (last: ${lastAnswer})\n${tail(logPath)}`,
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
