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
      SCRAPEWATCH_LIVE_TICK_MS: '5',
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

export interface Gap {
  readonly channel: string;
  readonly afterSeq: number;
  readonly toSeq: number;
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

export interface Subscriber {
  readonly batches: ReceivedBatch[];
  readonly gaps: Gap[];
  /** The answer to the subscribe. */
  readonly subscribed: Promise<{ seqs: Record<string, number>; version: number }>;
  eventIds(): string[];
  /** The last seq received per channel, as a client keeps it to resume. */
  lastSeq(channel: string): number;
  /** Messages of each type received. */
  readonly types: Map<string, number>;
  close(): void;
}

interface BatchMessage {
  type: 'metrics_batch';
  channel: string;
  seq: number;
  metrics: { eventId: string }[];
}

/** A /v1/stream subscriber (wire version 2 unless told) that records every batch and gap. */
export async function subscribe(
  wsUrl: string,
  channels: string[],
  options: { resume?: Record<string, number>; version?: 1 | 2 } = {},
): Promise<Subscriber> {
  const ws = new WebSocket(`${wsUrl}/v1/stream`);
  const batches: ReceivedBatch[] = [];
  const gaps: Subscriber['gaps'] = [];
  const types = new Map<string, number>();
  let answer: ((value: { seqs: Record<string, number>; version: number }) => void) | undefined;
  const subscribed = new Promise<{ seqs: Record<string, number>; version: number }>(
    (resolve) => (answer = resolve),
  );
  const take = (batch: BatchMessage) =>
    batches.push({
      channel: batch.channel,
      seq: batch.seq,
      eventIds: batch.metrics.map((m) => m.eventId),
    });
  ws.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as
      | BatchMessage
      | { type: 'metrics_frame'; batches: BatchMessage[] }
      | { type: 'subscribed'; seqs: Record<string, number>; version: number }
      | ({ type: 'gap' } & Gap)
      | { type: 'heartbeat' | 'error' };
    types.set(message.type, (types.get(message.type) ?? 0) + 1);
    if (message.type === 'subscribed') answer?.({ seqs: message.seqs, version: message.version });
    else if (message.type === 'metrics_batch') take(message);
    else if (message.type === 'metrics_frame') message.batches.forEach(take);
    else if (message.type === 'gap') {
      const { channel, afterSeq, toSeq, fromMs, toMs } = message;
      gaps.push({ channel, afterSeq, toSeq, fromMs, toMs });
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
      version: options.version ?? 2,
      ...(options.resume ? { resume: options.resume } : {}),
    }),
  );
  let done = false;
  void subscribed.then(() => (done = true));
  await pollUntil(() => Promise.resolve(done), 10_000, 'subscribed');
  return {
    batches,
    gaps,
    subscribed,
    types,
    eventIds: () => batches.flatMap((b) => b.eventIds),
    lastSeq: (channel) => batches.filter((b) => b.channel === channel).at(-1)?.seq ?? 0,
    close: () => ws.close(),
  };
}
