import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@scrapewatch/questdb';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'collector/src/main.ts');

export interface CollectorProcess {
  readonly url: string;
  readonly port: number;
  /** Output so far (pino JSON lines), for failure messages. */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** Starts the collector again on the same port with the same environment. */
  restart(): Promise<void>;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  log: () => string,
  deadlineMs = 90_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the collector exited (${child.exitCode}): ${log()}`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.text();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`the collector was not ready in time: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The real collector, as `npx tsx collector/src/main.ts` runs it, configured through its
 * environment; resolves once GET /readyz answers 200.
 */
export async function startCollectorProcess(
  env: Record<string, string>,
): Promise<CollectorProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = '';

  async function launch(): Promise<void> {
    const started = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        SCRAPEWATCH_HOST: '127.0.0.1',
        SCRAPEWATCH_PORT: String(port),
        SCRAPEWATCH_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    await waitReady(url, started, () => log);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return { url, port, output: () => log, stop, restart: launch };
}
