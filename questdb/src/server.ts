import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QuestDBHarnessError } from './errors';
import { ensureJar, findJava } from './jar';
import { freePort } from './ports';

export interface QuestDBOptions {
  /** Data root (db/, conf/, log). Created when missing; kept across restarts on the same root. */
  readonly root: string;
  readonly host?: string;
  /** 0 or undefined: a free port. */
  readonly httpPort?: number;
  readonly pgPort?: number;
  readonly ilpPort?: number;
  /** JVM heap ceiling, e.g. "512m". */
  readonly heap?: string;
  readonly startTimeoutMs?: number;
  /** Where the server's stdout/stderr go; by default `<root>/questdb.log`. "inherit" for the console. */
  readonly output?: 'file' | 'inherit';
  /**
   * Trade peak speed for start-up time: the JVM compiles with C1 only. Right for short test runs;
   * wrong for benchmarks and development servers, which leave it off.
   */
  readonly fastStart?: boolean;
  /** server.conf keys appended after the base configuration (later keys win). */
  readonly conf?: Readonly<Record<string, string | number | boolean>>;
}

export interface QuestDBServer {
  readonly root: string;
  readonly host: string;
  readonly httpPort: number;
  readonly pgPort: number;
  readonly ilpPort: number;
  /** e.g. http://127.0.0.1:9000: REST (/exec) and ILP over HTTP. */
  readonly httpUrl: string;
  /** e.g. postgresql://admin:quest@127.0.0.1:8812/qdb */
  readonly pgUrl: string;
  readonly pid: number | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: simulates a crash. */
  kill(): Promise<void>;
}

const BASE_CONF = path.resolve(__dirname, '..', 'conf', 'server.conf');

function writeConf(
  root: string,
  host: string,
  ports: { http: number; pg: number; ilp: number },
  extra: Readonly<Record<string, string | number | boolean>>,
): void {
  const confDir = path.join(root, 'conf');
  mkdirSync(confDir, { recursive: true });
  const base = readFileSync(BASE_CONF, 'utf8');
  const lines = [
    '# Added by @scrapewatch/questdb',
    `http.bind.to=${host}:${ports.http}`,
    `pg.net.bind.to=${host}:${ports.pg}`,
    `line.tcp.net.bind.to=${host}:${ports.ilp}`,
    ...Object.entries(extra).map(([key, value]) => `${key}=${String(value)}`),
  ];
  writeFileSync(path.join(confDir, 'server.conf'), `${base}\n${lines.join('\n')}\n`);
}

/** Resolves true once `SELECT 1` answers over HTTP. */
export async function isQuestDBUp(httpUrl: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/exec?query=${encodeURIComponent('SELECT 1')}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts QuestDB from the pinned jar and resolves once it answers `SELECT 1`. */
export async function startQuestDB(options: QuestDBOptions): Promise<QuestDBServer> {
  const java = findJava();
  const jar = ensureJar();
  const host = options.host ?? '127.0.0.1';
  const httpPort = options.httpPort || (await freePort(host));
  const pgPort = options.pgPort || (await freePort(host));
  const ilpPort = options.ilpPort || (await freePort(host));
  const root = path.resolve(options.root);
  writeConf(root, host, { http: httpPort, pg: pgPort, ilp: ilpPort }, options.conf ?? {});

  const heap = options.heap ?? '512m';
  const args = [
    `-Xms64m`,
    `-Xmx${heap}`,
    '-XX:+UseParallelGC',
    ...(options.fastStart ? ['-XX:TieredStopAtLevel=1'] : []),
    '-cp',
    jar,
    'io.questdb.ServerMain',
    '-d',
    root,
  ];
  const inherit = options.output === 'inherit';
  const child = spawn(java.javaBin, args, {
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  if (!inherit) {
    const log = createWriteStream(path.join(root, 'questdb.log'), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = waitExit(child);
  const httpUrl = `http://${host}:${httpPort}`;
  const server: QuestDBServer = {
    root,
    host,
    httpPort,
    pgPort,
    ilpPort,
    httpUrl,
    pgUrl: `postgresql://admin:quest@${host}:${pgPort}/qdb`,
    pid: child.pid,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let early = false;
  void exited.then(() => {
    early = true;
  });
  while (!(await isQuestDBUp(httpUrl, 1_000))) {
    if (early) {
      throw new QuestDBHarnessError(
        'EXITED_EARLY',
        `QuestDB exited during start-up (code ${child.exitCode}); see ${path.join(root, 'questdb.log')}`,
      );
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new QuestDBHarnessError(
        'START_TIMEOUT',
        `QuestDB did not answer on ${httpUrl} within ${options.startTimeoutMs ?? 60_000} ms; see ${path.join(root, 'questdb.log')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}
