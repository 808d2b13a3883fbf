// `npm run bench -- --cluster`: ingest and fan-out through one collector in single-process mode,
// one collector in cluster mode and two collectors in cluster mode (one nats-server with
// JetStream, one QuestDB, all on this machine), side by side in the same run, as ratios; plus the
// JetStream publish-ack latency from the collectors' own /metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startNats } from '@scrapewatch/nats';
import { startCollectorProcess, type CollectorProcess } from './collector-process';
import { startBenchQuestDB } from './questdb-env';

export const CLUSTER_USAGE = `npm run bench -- --cluster [--duration S] [--batch N] [--concurrency N]
  --duration     seconds of load per configuration (default 10)
  --batch        events per POST (default 200)
  --concurrency  requests in flight across the collectors (default 16)`;

interface Figures {
  readonly label: string;
  readonly collectors: number;
  readonly ackedEventsPerSecond: number;
  readonly deliveredEventsPerSecond: number;
  readonly requestP50Ms: number;
  readonly requestP99Ms: number;
  /** Mean JetStream publish-ack time per request, from the collectors' histograms (cluster only). */
  readonly publishAckMeanMs: number | undefined;
}

function log(message: string): void {
  process.stderr.write(`[bench cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number >= 1`);
  return value;
}

/** Counts the events a wildcard subscriber receives (wire version 2, as the Grafana plugin reads). */
async function countingSubscriber(url: string): Promise<{ received(): number; close(): void }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream`);
  let received = 0;
  let subscribed = false;
  ws.on('message', (data: WebSocket.RawData) => {
    const text = data.toString();
    if (!subscribed && text.includes('"subscribed"')) subscribed = true;
    if (text.startsWith('{"type":"metrics_frame"')) {
      const message = JSON.parse(text) as { batches: { metrics: unknown[] }[] };
      for (const batch of message.batches) received += batch.metrics.length;
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'subscribe', channels: ['*'], version: 2 }));
  const deadline = Date.now() + 10_000;
  while (!subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!subscribed) throw new Error(`no subscribed answer from ${url}`);
  return { received: () => received, close: () => ws.close() };
}

async function publishAckTotals(urls: readonly string[]): Promise<{ sum: number; count: number }> {
  let sum = 0;
  let count = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith('scrapewatch_nats_publish_ack_seconds_sum{outcome="acked"}')) {
        sum += Number(line.split(' ').pop());
      } else if (line.startsWith('scrapewatch_nats_publish_ack_seconds_count{outcome="acked"}')) {
        count += Number(line.split(' ').pop());
      }
    }
  }
  return { sum, count };
}

async function drive(
  label: string,
  collectors: readonly CollectorProcess[],
  options: { durationMs: number; batch: number; concurrency: number },
  cluster: boolean,
): Promise<Figures> {
  const subscribers = await Promise.all(collectors.map((c) => countingSubscriber(c.url)));
  const urls = collectors.map((c) => c.url);
  const before = cluster ? await publishAckTotals(urls) : undefined;
  const scraper = `bench-cluster-${label.replace(/\W+/g, '-')}-${process.pid}`;
  let sequence = 0;
  let acked = 0;
  const latencies: number[] = [];
  const until = Date.now() + options.durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const target = collectors[next++ % collectors.length] as CollectorProcess;
      const now = Date.now();
      const events = Array.from({ length: options.batch }, () => ({
        type: 'page_navigation',
        scraperSource: scraper,
        url: 'https://example.com/p',
        navigationDurationMs: 100,
        retryCount: 0,
        success: true,
        error: null,
        recordedAt: now,
        eventId: `${scraper}-${sequence++}`,
      }));
      const started = performance.now();
      const res = await fetch(`${target.url}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      await res.arrayBuffer();
      if (res.status === 202) {
        acked += events.length;
        latencies.push(performance.now() - started);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = (performance.now() - started) / 1000;
  // What was acknowledged reaches every subscriber; give the hubs a moment to flush.
  const expected = acked * subscribers.length;
  const drainDeadline = Date.now() + 10_000;
  while (
    subscribers.reduce((sum, s) => sum + s.received(), 0) < expected &&
    Date.now() < drainDeadline
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const deliveredSeconds = (performance.now() - started) / 1000;
  const delivered = subscribers.reduce((sum, s) => sum + s.received(), 0);
  for (const s of subscribers) s.close();
  const after = before ? await publishAckTotals(urls) : undefined;
  const acks = before && after ? after.count - before.count : 0;
  latencies.sort((a, b) => a - b);
  return {
    label,
    collectors: collectors.length,
    ackedEventsPerSecond: acked / seconds,
    deliveredEventsPerSecond: delivered / deliveredSeconds,
    requestP50Ms: quantile(latencies, 0.5),
    requestP99Ms: quantile(latencies, 0.99),
    publishAckMeanMs:
      before && after && acks > 0 ? ((after.sum - before.sum) / acks) * 1000 : undefined,
  };
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

export async function runClusterBench(argv: readonly string[], repoRoot: string): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--cluster'),
    options: {
      duration: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${CLUSTER_USAGE}\n`);
    return;
  }
  const options = {
    durationMs: positiveInt(values.duration, 10, 'duration') * 1000,
    batch: positiveInt(values.batch, 200, 'batch'),
    concurrency: positiveInt(values.concurrency, 16, 'concurrency'),
  };
  const work = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-bench-cluster-'));
  log('starting QuestDB and nats-server');
  const db = await startBenchQuestDB('1g');
  const nats = await startNats({ root: path.join(work, 'nats') });
  const started: CollectorProcess[] = [];
  const start = async (name: string, env: Record<string, string>): Promise<CollectorProcess> => {
    const result = await startCollectorProcess({
      repoRoot,
      questdbHttpUrl: db.server.httpUrl,
      questdbPgUrl: db.server.pgUrl,
      workDir: mkdtempSync(path.join(work, `${name}-`)),
      readyTimeoutMs: 60_000,
      profile: false,
      extraEnv: env,
    });
    if (!result.available) throw new Error(`${name}: ${result.reason}`);
    started.push(result.collector);
    return result.collector;
  };
  const figures: Figures[] = [];
  try {
    const clusterEnv = { SCRAPEWATCH_NATS_URL: nats.url };
    log('single-process mode, one collector');
    const single = await start('single', {});
    figures.push(await drive('single process, 1 collector', [single], options, false));
    await single.stop();
    log('cluster mode, one collector');
    const a = await start('cluster-a', clusterEnv);
    figures.push(await drive('cluster, 1 collector', [a], options, true));
    log('cluster mode, two collectors');
    const b = await start('cluster-b', clusterEnv);
    figures.push(await drive('cluster, 2 collectors', [a, b], options, true));
  } finally {
    await Promise.all(started.map((c) => c.stop()));
    await nats.stop();
    await db.close(false);
    rmSync(work, { recursive: true, force: true });
  }

  const [single, one, two] = figures as [Figures, Figures, Figures];
  const rows = figures.map(
    (f) =>
      `| ${f.label.padEnd(27)} | ${fmt(f.ackedEventsPerSecond).padStart(10)} | ${fmt(
        f.deliveredEventsPerSecond,
      ).padStart(12)} | ${fmt(f.requestP50Ms, 1).padStart(8)} | ${fmt(f.requestP99Ms, 1).padStart(
        8,
      )} | ${fmt(f.publishAckMeanMs, 2).padStart(11)} |`,
  );
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
  process.stdout.write(
    [
      `cluster benchmark: ${options.concurrency} requests in flight, ${options.batch} events each, ${
        options.durationMs / 1000
      } s per configuration, one wildcard subscriber per collector; ${os.cpus().length} cores shared by everything`,
      '',
      '| configuration               | acked ev/s | delivered ev/s | p50 ms | p99 ms | pub-ack ms |',
      '| --------------------------- | ---------- | -------------- | ------ | ------ | ---------- |',
      ...rows,
      '',
      `ingest:  cluster 1 collector / single process = ${ratio(one.ackedEventsPerSecond, single.ackedEventsPerSecond)}x; cluster 2 collectors / cluster 1 = ${ratio(two.ackedEventsPerSecond, one.ackedEventsPerSecond)}x`,
      `fan-out: cluster 1 collector / single process = ${ratio(one.deliveredEventsPerSecond, single.deliveredEventsPerSecond)}x; cluster 2 collectors / cluster 1 = ${ratio(two.deliveredEventsPerSecond, one.deliveredEventsPerSecond)}x`,
      `request p50: cluster 1 collector / single process = ${ratio(one.requestP50Ms, single.requestP50Ms)}x; JetStream publish-ack mean ${fmt(one.publishAckMeanMs, 2)} ms (1 collector), ${fmt(two.publishAckMeanMs, 2)} ms (2 collectors) = ${ratio(one.publishAckMeanMs ?? 0, one.requestP50Ms)} of the request p50`,
      '',
    ].join('\n'),
  );
}
