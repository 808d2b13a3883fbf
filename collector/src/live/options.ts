/** What the live hub is given; config.ts fills it from the environment. */
export interface LiveOptions {
  /**
   * At most one frame per subscriber per tick: events published on an idle hub leave at once, later
   * ones at the next tick, so none waits longer than this (SCRAPEWATCH_LIVE_TICK_MS).
   */
  readonly tickMs: number;
  /** Events per batch of one channel and kind; a busy tick seals several (SCRAPEWATCH_LIVE_BATCH_MAX_ITEMS). */
  readonly batchMaxItems: number;
  /** Largest frame (wire version 2); a tick with more for a subscriber sends several (SCRAPEWATCH_LIVE_MAX_FRAME_BYTES). */
  readonly maxFrameBytes: number;
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
  tickMs: 20,
  batchMaxItems: 100,
  maxFrameBytes: 1024 * 1024,
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
