import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** A failure of the local nats-server harness, with a message that says what to do about it. */
export class NatsHarnessError extends Error {
  constructor(
    readonly code: 'NATS_SERVER_MISSING' | 'NATS_SERVER_TOO_OLD' | 'START_TIMEOUT' | 'EXITED_EARLY',
    message: string,
  ) {
    super(message);
    this.name = 'NatsHarnessError';
  }
}

export interface NatsOptions {
  /** JetStream store (jetstream/), config and log. Kept across restarts on the same root. */
  readonly root: string;
  readonly host?: string;
  /** Client port; 0 or undefined: a free port. Pass the previous port to restart in place. */
  readonly port?: number;
  /** Monitoring port (/healthz, /jsz); 0 or undefined: a free port. */
  readonly monitorPort?: number;
  readonly startTimeoutMs?: number;
  /** Where the server's output goes; by default `<root>/nats-server.log`. */
  readonly output?: 'file' | 'inherit';
}

export interface NatsServer {
  readonly root: string;
  readonly host: string;
  readonly port: number;
  readonly monitorPort: number;
  /** e.g. nats://127.0.0.1:4222 */
  readonly url: string;
  readonly pid: number | undefined;
  readonly exited: Promise<number | null>;
  /** SIGTERM (JetStream flushes its store), then SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: simulates a crash. */
  kill(): Promise<void>;
}

/** The oldest nats-server whose JetStream API the collector relies on. */
export const MIN_NATS_SERVER = [2, 9] as const;

/**
 * The nats-server binary: NATS_SERVER_BIN, else `nats-server` on the PATH. Throws
 * NATS_SERVER_MISSING, or NATS_SERVER_TOO_OLD for a server older than 2.9.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  const bin = env['NATS_SERVER_BIN'] ?? 'nats-server';
  let out: string;
  try {
    out = execFileSync(bin, ['--version'], { env, stdio: 'pipe', encoding: 'utf8' });
  } catch {
    // Debian installs it as /usr/sbin/nats-server, which a non-root user's PATH may lack.
    throw new NatsHarnessError(
      'NATS_SERVER_MISSING',
      `${bin} was not found. Install it (Debian/Ubuntu: apt-get install nats-server, 2.9 or newer; ` +
        'it lands in /usr/sbin) or set NATS_SERVER_BIN to its path.',
    );
  }
  const match = /v(\d+)\.(\d+)\.\d+/.exec(out);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  if (major < MIN_NATS_SERVER[0] || (major === MIN_NATS_SERVER[0] && minor < MIN_NATS_SERVER[1])) {
    throw new NatsHarnessError(
      'NATS_SERVER_TOO_OLD',
      `${bin} is ${out.trim() || 'of an unknown version'}; the tests need nats-server 2.9 or newer.`,
    );
  }
  return bin;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** Resolves true once the server answers /healthz with JetStream enabled. */
export async function isNatsUp(monitorUrl: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`${monitorUrl}/healthz?js-enabled-only=true`, {
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

/** Starts nats-server with JetStream (file store under `root`) and resolves once it is healthy. */
export async function startNats(options: NatsOptions): Promise<NatsServer> {
  const bin = findNatsServer();
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const monitorPort = options.monitorPort || (await freePort(host));
  const root = path.resolve(options.root);
  mkdirSync(root, { recursive: true });
  const confPath = path.join(root, 'nats-server.conf');
  // JSON is valid NATS configuration syntax, and quoting paths this way is always safe.
  writeFileSync(
    confPath,
    [
      `listen: ${JSON.stringify(`${host}:${port}`)}`,
      `http: ${JSON.stringify(`${host}:${monitorPort}`)}`,
      `server_name: ${JSON.stringify(`scrapewatch-${port}`)}`,
      `jetstream: { store_dir: ${JSON.stringify(path.join(root, 'jetstream'))} }`,
      '',
    ].join('\n'),
  );
  const inherit = options.output === 'inherit';
  const child = spawn(bin, ['-c', confPath], {
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  if (!inherit) {
    const log = createWriteStream(path.join(root, 'nats-server.log'), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = waitExit(child);
  const server: NatsServer = {
    root,
    host,
    port,
    monitorPort,
    url: `nats://${host}:${port}`,
    pid: child.pid,
    exited,
    async stop(graceMs = 10_000) {
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

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let early = false;
  void exited.then(() => {
    early = true;
  });
  const monitorUrl = `http://${host}:${monitorPort}`;
  while (!(await isNatsUp(monitorUrl))) {
    if (early) {
      throw new NatsHarnessError(
        'EXITED_EARLY',
        `nats-server exited during start-up (code ${child.exitCode}); see ${path.join(root, 'nats-server.log')}`,
      );
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new NatsHarnessError(
        'START_TIMEOUT',
        `nats-server did not become healthy on ${monitorUrl} within ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}
