import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { testQuestDB } from '@scrapewatch/questdb';
import { memoryPoll, spawnCollector, until } from '@scrapewatch/testkit';
import { INGEST_TOKEN, STREAM_TOKEN } from '../e2e/harness';

export interface CollectorProcess {
  readonly url: string;
  readonly wsUrl: string;
  output(): string;
  /** SIGTERM and wait: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed or acknowledged on the way out. */
  kill(): Promise<void>;
}

/**
 * A real collector process in cluster mode against `natsUrl` and the run's QuestDB, with its own
 * spool directory. Resolves once /readyz answers 200.
 */
export async function startCollectorProcess(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<CollectorProcess> {
  const { httpUrl, pgUrl } = testQuestDB();
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-cluster-test-'));
  const collector = await spawnCollector({
    env: {
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
  }).catch((error: unknown) => {
    rmSync(spoolDir, { recursive: true, force: true });
    throw error;
  });
  const finish = async (signal: NodeJS.Signals) => {
    await collector.stop({ signal });
    rmSync(spoolDir, { recursive: true, force: true });
  };
  return {
    url: collector.url,
    wsUrl: collector.wsUrl,
    output: () => collector.output(),
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
  await until('subscribed', () => done, memoryPoll(10_000));
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
