import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import type { AcceptedEvent, StreamBatchMessage, StreamServerMessage } from '@scrapewatch/protocol';
import { until, type PollOptions } from '@scrapewatch/testkit';
import { createTokenVerifier, parseTokenList } from '../../src/auth/tokens';
import { createLiveHub, type LiveHub, type LiveHubDeps, type LiveOptions } from '../../src/live';

export const TOKEN_ALL = 'stream-token-all-0123456789';
export const TOKEN_ROBINHOOD = 'stream-token-robinhood-0123456789';
export const ALLOWED_ORIGIN = 'https://grafana.example.com';

/** Small, test-friendly bounds; each test overrides what it exercises. */
export const TEST_OPTIONS: LiveOptions = {
  tickMs: 10,
  batchMaxItems: 100,
  maxFrameBytes: 1024 * 1024,
  replayBatchesPerChannel: 64,
  heartbeatIntervalMs: 60_000,
  maxSubscribers: 100,
  maxChannelsPerSubscriber: 8,
  maxBufferedBytes: 1024 * 1024,
  maxInboundBytes: 4 * 1024,
  maxInvalidMessages: 3,
  authTimeoutMs: 5_000,
  closeGraceMs: 2_000,
};

export interface HubFixture {
  readonly hub: LiveHub;
  readonly registry: Registry;
  /** ws://127.0.0.1:<port>/v1/stream */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A hub behind a real HTTP server on port 0 that routes every upgrade to it. */
export async function startHub(
  overrides: Partial<LiveOptions> = {},
  deps: Partial<Pick<LiveHubDeps, 'authEnabled' | 'allowedOrigins'>> = {},
): Promise<HubFixture> {
  const registry = new Registry();
  const hub = createLiveHub(
    { ...TEST_OPTIONS, ...overrides },
    {
      logger: pino({ level: 'silent' }),
      registry,
      authEnabled: deps.authEnabled ?? true,
      verifyStreamToken: createTokenVerifier(
        parseTokenList(`${TOKEN_ALL},${TOKEN_ROBINHOOD}:robinhood`),
      ),
      allowedOrigins: deps.allowedOrigins ?? [ALLOWED_ORIGIN],
    },
  );
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    hub,
    registry,
    port,
    url: `ws://127.0.0.1:${port}/v1/stream`,
    async close() {
      if (closed) return;
      closed = true;
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sum of a metric's values whose labels include `labels`. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Polling for in-memory state of a live test: often, and no longer than 15 s by default. */
export const LIVE_POLL = { timeoutMs: 15_000, intervalMs: 10 } as const satisfies PollOptions;

/** A real ws client that records every server message and how the socket closed. */
export class StreamClient {
  readonly messages: StreamServerMessage[] = [];
  /** The same messages as received, text. */
  readonly texts: string[] = [];
  close: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.texts.push(text);
      this.messages.push(JSON.parse(text) as StreamServerMessage);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.close = { code, reason: reason.toString() };
        resolve(this.close);
      });
    });
    ws.on('error', () => undefined);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ofType<T extends StreamServerMessage['type']>(
    type: T,
  ): Extract<StreamServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<
      StreamServerMessage,
      { type: T }
    >[];
  }

  /** Batches received alone (version 1) or in frames (version 2), in arrival order. */
  batches(channel?: string): StreamBatchMessage[] {
    return this.messages
      .flatMap((m) =>
        m.type === 'metrics_batch' ? [m] : m.type === 'metrics_frame' ? m.batches : [],
      )
      .filter((b) => channel === undefined || b.channel === channel);
  }

  /** Events received in batches, optionally of one channel, in arrival order. */
  events(channel?: string): AcceptedEvent[] {
    return this.batches(channel).flatMap((b) => b.metrics);
  }

  async waitFor<T extends StreamServerMessage['type']>(
    type: T,
    count = 1,
    timeoutMs?: number,
  ): Promise<Extract<StreamServerMessage, { type: T }>[]> {
    await until(`${count} ${type} message(s)`, () => this.ofType(type).length >= count, {
      ...LIVE_POLL,
      timeoutMs: timeoutMs ?? LIVE_POLL.timeoutMs,
    });
    return this.ofType(type);
  }

  async waitForEvents(count: number, channel?: string): Promise<AcceptedEvent[]> {
    await until(`${count} events`, () => this.events(channel).length >= count, LIVE_POLL);
    return this.events(channel);
  }

  async waitClosed(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    await until('the socket to close', () => this.close !== undefined, {
      ...LIVE_POLL,
      timeoutMs,
    });
    return this.close as { code: number; reason: string };
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export async function connect(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string>; autoPong?: boolean } = {},
): Promise<StreamClient> {
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
  });
  const client = new StreamClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return client;
}

/** Connects and sends a subscribe with the all-scrapers token; resolves on `subscribed`. */
export async function subscribe(
  url: string,
  message: {
    channels: string[];
    kinds?: string[];
    resume?: Record<string, number>;
    token?: string;
    version?: 1 | 2;
  },
): Promise<StreamClient> {
  const client = await connect(url);
  client.send({ type: 'subscribe', token: TOKEN_ALL, ...message });
  await client.waitFor('subscribed');
  return client;
}

let nextId = 0;
const BASE_MS = Date.UTC(2026, 10, 28, 12, 0, 0);

export function navigation(
  scraper: string,
  recordedAt = BASE_MS + nextId,
  url?: string,
): AcceptedEvent {
  nextId += 1;
  return {
    type: 'page_navigation',
    scraperSource: scraper,
    url: url ?? `https://example.com/${scraper}/${nextId}`,
    navigationDurationMs: 120,
    retryCount: 0,
    success: true,
    error: null,
    recordedAt,
    eventId: `nav-${nextId}`,
  };
}

export function scrape(scraper: string, recordedAt = BASE_MS + nextId): AcceptedEvent {
  nextId += 1;
  return {
    type: 'page_scrape',
    scraperSource: scraper,
    url: `https://example.com/${scraper}/${nextId}`,
    scrapeDurationMs: 80,
    itemsExtracted: 3,
    success: true,
    error: null,
    recordedAt,
    eventId: `scrape-${nextId}`,
  };
}

export function schedulerRun(scheduler: string, scraper?: string): AcceptedEvent {
  nextId += 1;
  return {
    type: 'scheduler_run',
    schedulerName: scheduler,
    jobName: 'hourly',
    ...(scraper === undefined ? {} : { scraperSource: scraper }),
    durationMs: 1_000,
    success: true,
    error: null,
    scheduledAt: BASE_MS,
    startedAt: BASE_MS,
    recordedAt: BASE_MS + nextId,
    eventId: `run-${nextId}`,
  };
}
