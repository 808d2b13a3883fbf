import path from 'node:path';
import { freePort } from './ports';
import { GiveUp, pollUntil } from './poll';
import {
  startProcess,
  withOutput,
  type ExitStatus,
  type RunningProcess,
  type StopOptions,
} from './process';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The collector's entry point, as `npm run collector` and the image run it. */
export const COLLECTOR_MAIN = path.join(REPO_ROOT, 'collector', 'src', 'main.ts');
/** The tsx command-line (what `npm run collector` runs). */
export const TSX_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

/** The collector's "listening" log line, which carries the address it bound. */
const LISTENING = /"url":"(http:\/\/[^"]+)".*"msg":"listening"/;

export interface SpawnCollectorOptions {
  /**
   * The process's environment over what it inherits: the collector's configuration
   * (SCRAPEWATCH_* variables) and anything else it needs. SCRAPEWATCH_HOST defaults to 127.0.0.1;
   * SCRAPEWATCH_PORT is always the `port` option.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The port to bind. Default: a free port chosen here. 0 lets the collector bind any port and
   * reads its address from the "listening" log line (the log level must let it through).
   */
  readonly port?: number;
  /**
   * The command that runs the collector, argv[0] first. Default: this node with tsx's loader on
   * collector/src/main.ts. Wrappers (`unshare …`, `npx tsx …`, an image's CMD) go here.
   */
  readonly command?: readonly string[];
  readonly cwd?: string;
  /**
   * The test runner's variables the process inherits: 'all' but SCRAPEWATCH_* (default), or
   * 'path' (PATH and HOME only: a clean environment, as a container's).
   */
  readonly inherit?: 'all' | 'path';
  /** 'ready': GET /readyz answers 200 (default); 'listening': the HTTP server answers. */
  readonly waitFor?: 'ready' | 'listening';
  /** Default 120 s: a loaded machine compiles and starts slowly. */
  readonly readyTimeoutMs?: number;
  /** Write the output to this file instead of keeping it in memory. */
  readonly logFile?: string;
}

export interface CollectorProcess {
  readonly url: string;
  readonly wsUrl: string;
  /** The port it listens on (the one it bound, with the `port: 0` option). */
  readonly port: number;
  /** The current process (a new one after `restart`). */
  process(): RunningProcess;
  /** The output of every run so far (pino JSON lines), for failure messages. */
  output(): string;
  /** Stops the process group (SIGTERM by default); idempotent, SIGKILL after the grace period. */
  stop(options?: StopOptions): Promise<ExitStatus>;
  /** Stops it if it runs, then starts it again on the same port with the same configuration. */
  restart(): Promise<void>;
}

function inheritedEnv(inherit: 'all' | 'path'): NodeJS.ProcessEnv {
  if (inherit === 'path') {
    const env: NodeJS.ProcessEnv = {};
    if (process.env['PATH'] !== undefined) env['PATH'] = process.env['PATH'];
    if (process.env['HOME'] !== undefined) env['HOME'] = process.env['HOME'];
    return env;
  }
  // The runner's own collector settings must never leak into the one under test.
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SCRAPEWATCH_')),
  );
}

async function answers(url: string, path: string): Promise<number | undefined> {
  const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Starts the real collector in a process of its own, as operators run it, and resolves once it
 * is ready (or listening). If it exits first, or is not ready in time, it is stopped and the
 * rejection carries its output. Tests stop it in afterAll/finally; a process left running is
 * SIGKILLed when the test worker exits.
 */
export async function spawnCollector(
  options: SpawnCollectorOptions = {},
): Promise<CollectorProcess> {
  const port = options.port ?? (await freePort());
  const command = options.command ?? [process.execPath, '--import', 'tsx', COLLECTOR_MAIN];
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(options.inherit ?? 'all'),
    SCRAPEWATCH_HOST: '127.0.0.1',
    ...options.env,
    // The port option decides, over an image's own SCRAPEWATCH_PORT.
    SCRAPEWATCH_PORT: String(port),
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  let previousOutput = '';
  let current: RunningProcess | undefined;
  let url = port === 0 ? '' : `http://127.0.0.1:${port}`;

  async function launch(): Promise<void> {
    const proc = startProcess(command, {
      name: 'the collector',
      cwd: options.cwd ?? REPO_ROOT,
      env,
      ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
    });
    current = proc;
    // One deadline for both waits.
    const deadline = Date.now() + readyTimeoutMs;
    const remaining = (): number => Math.max(0, deadline - Date.now());
    try {
      if (port === 0) {
        url = await pollUntil(
          'the collector\'s "listening" log line',
          () => {
            if (proc.exitStatus() !== undefined) throw new GiveUp('the collector exited');
            return LISTENING.exec(proc.output())?.[1] ?? '';
          },
          (found) => found !== '',
          { timeoutMs: remaining(), intervalMs: 100 },
        );
      }
      const wanted = options.waitFor ?? 'ready';
      await pollUntil(
        wanted === 'ready' ? `GET ${url}/readyz to answer 200` : `${url} to answer`,
        async () => {
          if (proc.exitStatus() !== undefined) throw new GiveUp('the collector exited');
          return answers(url, wanted === 'ready' ? '/readyz' : '/healthz');
        },
        (status) => (wanted === 'ready' ? status === 200 : status !== undefined),
        { timeoutMs: remaining(), intervalMs: 200 },
      );
    } catch (error) {
      const exit = proc.exitStatus();
      await proc.stop({ signal: 'SIGKILL' });
      const why =
        exit === undefined
          ? error instanceof Error
            ? error.message
            : String(error)
          : `the collector exited (code ${exit.code}, signal ${exit.signal}) before it was ready`;
      throw new Error(withOutput(why, proc));
    }
  }

  const stop = async (stopOptions?: StopOptions): Promise<ExitStatus> => {
    if (current === undefined) return { code: null, signal: null };
    return current.stop(stopOptions);
  };

  await launch();
  return {
    get url() {
      return url;
    },
    get wsUrl() {
      return url.replace(/^http/, 'ws');
    },
    get port() {
      return Number(new URL(url).port);
    },
    process: () => {
      if (current === undefined) throw new Error('the collector never started');
      return current;
    },
    output: () => previousOutput + (current?.output() ?? ''),
    stop,
    async restart() {
      await stop();
      previousOutput += current?.output() ?? '';
      await launch();
    },
  };
}
