/** Cluster mode: collectors share ingest, storage writing and the live stream through JetStream. */
export interface ClusterOptions {
  /** NATS servers to connect to, any of a cluster (SCRAPEWATCH_NATS_URL, comma-separated). */
  readonly natsServers: readonly string[];
  /** JetStream stream holding the events (SCRAPEWATCH_NATS_STREAM). */
  readonly streamName: string;
  /** Copies of the stream across a NATS cluster; 1 on a single server (SCRAPEWATCH_NATS_REPLICAS). */
  readonly replicas: number;
  /** How long the stream keeps events: bounds live replay (SCRAPEWATCH_NATS_MAX_AGE_MS). */
  readonly maxAgeMs: number;
  /** Longest wait for a JetStream publish acknowledgement (SCRAPEWATCH_NATS_PUBLISH_TIMEOUT_MS). */
  readonly publishTimeoutMs: number;
}

export const DEFAULT_CLUSTER_OPTIONS = Object.freeze({
  streamName: 'SCRAPEWATCH_EVENTS',
  replicas: 1,
  maxAgeMs: 24 * 3_600_000,
  publishTimeoutMs: 5_000,
});

/** The durable pull consumer every collector's storage writer shares. */
export const WRITER_CONSUMER = 'scrapewatch-writer';
/** Subjects: <prefix>.<kind>.<scraper token>; see subjects.ts. */
export const SUBJECT_PREFIX = 'scrapewatch.events';
/**
 * Largest body of one stream message (a request's events of one kind and scraper; more travel in
 * several). Kept below NATS's default 1 MiB max_payload; a server with a smaller one lowers it.
 */
export const MESSAGE_MAX_BYTES = 256 * 1024;
/** JetStream's dedup window for Nats-Msg-Id (a digest of a message's event ids): a re-sent message within it is dropped. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** A writer that took messages and died: they go to another collector after this long. */
export const WRITER_ACK_WAIT_MS = 30_000;
/** Unacknowledged messages the writers may hold at once, across every collector. */
export const WRITER_MAX_ACK_PENDING = 20_000;
/** Retry-After of an UNAVAILABLE answer. */
export const RETRY_AFTER_SECONDS = 2;
