import type { HistogramSnapshot } from './histogram';

/** The messages between the harness and its worker processes, one union per worker. */

// ---- ingest senders (workers/ingest-sender.ts) ----

/**
 * http: POST /v1/metrics; ilp: the raw QuestDB client; sdk: createScrapewatch from @scrapewatch/sdk;
 * limit: ILP rows encoded before the clock starts, posted straight to QuestDB's /write.
 */
export type IngestMode = 'http' | 'ilp' | 'sdk' | 'limit';

export interface IngestPrepare {
  readonly type: 'prepare';
  readonly mode: IngestMode;
  /** Collector base URL (http, sdk) or QuestDB HTTP URL (ilp). */
  readonly url: string;
  readonly scraper: string;
  readonly firstSequence: number;
  readonly rows: number;
  readonly batchSize: number;
  /** Requests (or ILP flushes) in flight at once in this process. */
  readonly concurrency: number;
  /** Time cap from "go": batches not started by then are not sent (keeps an overloaded run bounded). */
  readonly maxDurationMs: number;
}

export type IngestIn = IngestPrepare | { readonly type: 'go' };

export interface IngestDone {
  readonly type: 'done';
  /** Rows acknowledged durably: 202 from the collector, a successful flush from QuestDB. */
  readonly acceptedRows: number;
  readonly failedRows: number;
  /** Rows not sent because the time cap passed first. */
  readonly notSentRows: number;
  /** Requests retried after 429/503 (Retry-After honoured). */
  readonly retries: number;
  readonly durationMs: number;
  readonly statusCounts: Record<string, number>;
  readonly errors: readonly string[];
}

export type IngestOut = { readonly type: 'prepared' } | IngestDone;

// ---- stream subscribers (workers/subscriber.ts) ----

/**
 * How a subscriber speaks: `scrapewatch` (the collector's /v1/stream, wire version 2, which the bare
 * ws baseline also accepts), `centrifugo-raw` (Centrifugo's JSON protocol over `ws`, nothing
 * parsed but the send stamps) or `centrifugo-js` (the official `centrifuge` client).
 */
export type SubscriberProtocol = 'scrapewatch' | 'centrifugo-raw' | 'centrifugo-js';

export interface SubscriberConnect {
  readonly type: 'connect';
  /** ws:// URL of /v1/stream (collector or baseline server). */
  readonly url: string;
  /** Global index of this process's first client: client g subscribes to channels[g % channels.length]. */
  readonly firstIndex: number;
  readonly clients: number;
  /** Scraper channel names, or ["*"]. */
  readonly channels: readonly string[];
  /** Clients with (g % pauseEvery === pauseEvery - 1) stop reading once subscribed; 0: none. */
  readonly pauseEvery: number;
  /** Handshakes in flight at once. */
  readonly connectConcurrency: number;
  readonly connectTimeoutMs: number;
  readonly protocol: SubscriberProtocol;
  /** Every event channel: what "*" means to a server without wildcards (Centrifugo). */
  readonly allChannels: readonly string[];
}

/** Record latencies of events whose send time is within [fromMs, toMs) (shared clock). */
export interface SubscriberWindow {
  readonly type: 'window';
  readonly fromMs: number;
  readonly toMs: number;
}

export type SubscriberIn =
  | SubscriberConnect
  | SubscriberWindow
  | { readonly type: 'report' }
  | { readonly type: 'status' }
  | { readonly type: 'close' };

export interface SubscriberConnected {
  readonly type: 'connected';
  readonly subscribed: number;
  readonly paused: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly durationMs: number;
}

export interface SubscriberStatus {
  readonly type: 'status';
  /** Clients still open. */
  readonly open: number;
  readonly closed: number;
  readonly closeCodes: Record<string, number>;
}

export interface SubscriberReport {
  readonly type: 'report';
  readonly latency: HistogramSnapshot;
  /** (event, client) deliveries received whose send time is in the window (reading clients only). */
  readonly receivedInWindow: number;
  readonly messages: number;
  /** WebSocket messages (frames) and their bytes received while the window was open. */
  readonly windowMessages: number;
  readonly windowBytes: number;
  readonly streamErrors: Record<string, number>;
  readonly open: number;
}

export type SubscriberOut =
  SubscriberConnected | SubscriberStatus | SubscriberReport | { readonly type: 'closed' };

// ---- fan-out publisher (workers/publisher.ts) ----

export interface PublisherRun {
  readonly type: 'run';
  /** POST target: the collector's /v1/metrics or the baseline's /publish. */
  readonly url: string;
  readonly channels: readonly string[];
  readonly eventsPerSecond: number;
  readonly batchSize: number;
  readonly durationMs: number;
  /** Send times in this window are counted per channel, to know what every subscriber should get. */
  readonly windowFromMs: number;
  readonly windowToMs: number;
  readonly maxInFlight: number;
  /**
   * scrapewatch: the JSON array of events; centrifugo: its batch API, one publish per channel;
   * ilp: the collector's own ILP rows, straight to QuestDB's /write.
   */
  readonly format: 'scrapewatch' | 'centrifugo' | 'ilp';
}

export type PublisherIn = PublisherRun;

export interface PublisherDone {
  readonly type: 'done';
  readonly sentEvents: number;
  readonly acceptedEvents: number;
  readonly failedRequests: number;
  /** Events per channel whose send time fell in the window. */
  readonly windowEventsByChannel: Record<string, number>;
  readonly statusCounts: Record<string, number>;
  /** How far behind its schedule the publisher fell at worst (ms): it could not keep the rate. */
  readonly maxLagMs: number;
  readonly achievedEventsPerSecond: number;
  readonly errors: readonly string[];
}

export type PublisherOut = PublisherDone;

// ---- baseline broadcast server (workers/ws-broadcast-server.ts) ----

export type BroadcastServerIn = { readonly type: 'listen' };
export type BroadcastServerOut = { readonly type: 'listening'; readonly port: number };
