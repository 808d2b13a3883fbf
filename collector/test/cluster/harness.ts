import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort, testQuestDB } from '@scrapewatch/questdb';
import { INGEST_TOKEN, STREAM_TOKEN, pollUntil } from '../e2e/harness';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'collector/src/main.ts');

export interface CollectorProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM and wait: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed or acknowledged on the way out. */
  kill(): Promise<void>;
}

/**
 * A real collector process (node runs main.ts with tsx as a loader, so signals hit it directly) in
 * cluster mode against `natsUrl` and the run's QuestDB. Resolves once /readyz answers 200.
 */
export async function startCollectorProcess(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<CollectorProcess> {
  const { httpUrl, pgUrl } = testQuestDB();
  const port = await freePort();
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-cluster-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      SCRAPEWATCH_PORT: String(port),
      SCRAPEWATCH_QUESTDB_HTTP: httpUrl,
      SCRAPEWATCH_QUESTDB_PG: pgUrl,
      SCRAPEWATCH_SPOOL_DIR: spoolDir,
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      SCRAPEWATCH_STREAM_TOKENS: STREAM_TOKEN,
      SCRAPEWATCH_WRITE_LINGER_MS: '2',
      SCRAPEWATCH_LIVE_LINGER_MS: '5',
      SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND: '0',
      SCRAPEWATCH_NATS_URL: natsUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const finish = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    rmSync(spoolDir, { recursive: true, force: true });
  };
  try {
    await pollUntil(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      60_000,
      `collector on ${url} ready`,
    );
  } catch (error) {
    await finish('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    child,
    output: () => output,
    stop: () => finish('SIGTERM'),
    kill: () => finish('SIGKILL'),
  };
}

export interface ReceivedBatch {
  readonly channel: string;
  readonly seq: number;
  readonly eventIds: string[];
}

/** A /v1/stream subscriber that records every batch it receives. */
export async function subscribe(
  wsUrl: string,
  channels: string[],
  resume?: Record<string, number>,
): Promise<{ batches: ReceivedBatch[]; eventIds(): string[]; close(): void }> {
  const ws = new WebSocket(`${wsUrl}/v1/stream`);
  const batches: ReceivedBatch[] = [];
  let subscribed = false;
  ws.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as {
      type: string;
      channel?: string;
      seq?: number;
      metrics?: { eventId: string }[];
    };
    if (message.type === 'subscribed') subscribed = true;
    if (message.type === 'metrics_batch') {
      batches.push({
        channel: message.channel ?? '',
        seq: message.seq ?? -1,
        eventIds: (message.metrics ?? []).map((m) => m.eventId),
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(
    JSON.stringify({
      type: 'subscribe',
      token: STREAM_TOKEN,
      channels,
      ...(resume ? { resume } : {}),
    }),
  );
  await pollUntil(() => Promise.resolve(subscribed), 10_000, 'subscribed');
  return {
    batches,
    eventIds: () => batches.flatMap((b) => b.eventIds),
    close: () => ws.close(),
  };
}
