import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { until } from './until';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** A real collector process (`npx tsx collector/src/main.ts`), as operators run it. */
export interface CollectorProcess {
  readonly url: string;
  /** Output so far, for failure messages. */
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`);
    return response.status === 200;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`);
    return true;
  } catch {
    return false;
  }
}

export async function startCollector(
  port: number,
  env: Record<string, string>,
): Promise<CollectorProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('npx', ['tsx', 'collector/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SCRAPEWATCH_HOST: '127.0.0.1', SCRAPEWATCH_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx, tsx and the collector's node process are signalled together.
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  // A loaded machine compiles and starts slowly: poll readiness with a generous deadline.
  let isReady = false;
  const deadline = Date.now() + 120_000;
  while (!isReady) {
    if (exited) throw new Error(`collector exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      signalGroup('SIGKILL');
      throw new Error(`collector not ready within 120 s:\n${output}`);
    }
    isReady = await ready(url);
    if (!isReady) await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      signalGroup(signal);
      await until('collector exit', () => exited, 60_000);
      await exit;
      // The collector's own process may outlive npx by a moment: wait until the port is free.
      const deadline = Date.now() + 60_000;
      while (await answers(url)) {
        if (Date.now() > deadline)
          throw new Error(`collector still answering at ${url} after ${signal}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
