/** What the live hub is given; config.ts fills it from the environment. */
export interface LiveOptions {
  /** Seal a channel's pending batch this long after its first event (SCRAPEWATCH_LIVE_LINGER_MS). */
  readonly lingerMs: number;
  /** ... or as soon as it holds this many events (SCRAPEWATCH_LIVE_BATCH_MAX_ITEMS). */
  readonly batchMaxItems: number;
  /** Sealed batches kept per channel for resume (SCRAPEWATCH_LIVE_REPLAY_BATCHES). */
  readonly replayBatchesPerChannel: number;
  /** Application heartbeat and ping period; a peer that has not answered a ping by the next period is terminated (SCRAPEWATCH_HEARTBEAT_INTERVAL_MS). */
  readonly heartbeatIntervalMs: number;
  /** SCRAPEWATCH_MAX_SUBSCRIBERS */
  readonly maxSubscribers: number;
  /** SCRAPEWATCH_MAX_CHANNELS_PER_SUBSCRIBER */
  readonly maxChannelsPerSubscriber: number;
  /** Unsent bytes past which a subscriber is dropped as a slow consumer (SCRAPEWATCH_MAX_BUFFERED_BYTES). */
  readonly maxBufferedBytes: number;
  /** Largest client message accepted (SCRAPEWATCH_MAX_INBOUND_BYTES). */
  readonly maxInboundBytes: number;
  /** Invalid client messages tolerated before the socket is closed with ABUSE. */
  readonly maxInvalidMessages: number;
  /** Bound on the bytes all replay rings hold together; the oldest batches go first. */
  readonly replayMaxBytes?: number;
  /** A connection that has no accepted `subscribe` this long after connecting is closed. */
  readonly authTimeoutMs?: number;
  /** How long a closing handshake may take before the socket is destroyed (shutdown, drops). */
  readonly closeGraceMs?: number;
}

export const DEFAULT_LIVE_OPTIONS = Object.freeze({
  lingerMs: 5,
  batchMaxItems: 100,
  replayBatchesPerChannel: 1_024,
  heartbeatIntervalMs: 30_000,
  maxSubscribers: 20_000,
  maxChannelsPerSubscriber: 256,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxInboundBytes: 16 * 1024,
  maxInvalidMessages: 10,
  replayMaxBytes: 64 * 1024 * 1024,
  authTimeoutMs: 10_000,
  closeGraceMs: 5_000,
} satisfies Required<LiveOptions>);

/** The options with every optional bound filled from the defaults. */
export function resolveLiveOptions(options: LiveOptions): Readonly<Required<LiveOptions>> {
  return Object.freeze({
    ...options,
    replayMaxBytes: options.replayMaxBytes ?? DEFAULT_LIVE_OPTIONS.replayMaxBytes,
    authTimeoutMs: options.authTimeoutMs ?? DEFAULT_LIVE_OPTIONS.authTimeoutMs,
    closeGraceMs: options.closeGraceMs ?? DEFAULT_LIVE_OPTIONS.closeGraceMs,
  });
}
