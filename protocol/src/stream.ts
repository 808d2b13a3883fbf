import type { ErrorCode } from './errors';
import type { AcceptedEvent } from './wire-types';
import type { EventKind } from './kinds';

/**
 * Messages on `WS /v1/stream`. The client's first message is `subscribe`; later `subscribe` and
 * `unsubscribe` messages change the set. Channels are scraper names, or "*" for every scraper.
 *
 * Sequence numbers count batches per channel, starting at 1 (in cluster mode they are JetStream
 * stream positions instead: the same on every collector, increasing, not consecutive; see
 * docs/scale-out.md). A client remembers the last `seq`
 * it processed per channel and sends it as `resume` when it reconnects: the server replays every
 * later batch it still holds, or sends `gap` for what it can no longer replay (the client then
 * reads that range from GET /v1/history).
 */
export const WILDCARD_CHANNEL = '*';
export const STREAM_PATH = '/v1/stream';
export const INGEST_WS_PATH = '/v1/ingest';
/** Offer this subprotocol, plus `bearer.<token>`, to pass a token without a first message. */
export const STREAM_SUBPROTOCOL = 'scrapewatch.v1';

/**
 * Versions of the server's batch messages on `/v1/stream`, chosen by the client's first
 * `subscribe` (`version`): 1 (the default, for clients written before frames existed) sends each
 * batch as its own `metrics_batch` message; 2 sends everything pending for the socket as one
 * `metrics_frame` per tick. Control messages are the same in both.
 */
export const STREAM_WIRE_VERSIONS = [1, 2] as const;
export type StreamWireVersion = (typeof STREAM_WIRE_VERSIONS)[number];
/** The newest version, the one current clients ask for. */
export const STREAM_WIRE_VERSION: StreamWireVersion = 2;

export interface SubscribeMessage {
  type: 'subscribe';
  /** Stream token; alternatively offered as the `bearer.<token>` subprotocol. */
  token?: string;
  channels: string[];
  /** Only these event kinds; all when absent. Replaces the filter of earlier subscribes. */
  kinds?: EventKind[];
  /** Last seq processed per channel. */
  resume?: Record<string, number>;
  /** Wire version the client reads (1 when absent); fixed by the first subscribe of a socket. */
  version?: StreamWireVersion;
}

export interface UnsubscribeMessage {
  type: 'unsubscribe';
  channels: string[];
}

export type StreamClientMessage = SubscribeMessage | UnsubscribeMessage;

export interface SubscribedMessage {
  type: 'subscribed';
  channels: string[];
  kinds: EventKind[] | null;
  /** The newest seq per channel at the time of subscribing, for channels that have any. */
  seqs: Record<string, number>;
  heartbeatIntervalMs: number;
  /** The wire version the socket receives. */
  version: StreamWireVersion;
}

/** A live batch: the ingest envelope plus the channel and its sequence number. */
export interface StreamBatchMessage {
  type: 'metrics_batch';
  channel: string;
  seq: number;
  scraperSource: string;
  count: number;
  /** When the batch was sealed, epoch ms. */
  timestamp: number;
  metrics: AcceptedEvent[];
}

/**
 * Version 2: every batch pending for the socket at a tick, of any channels and kinds, in one
 * message. Each entry is a complete `metrics_batch`; batches of one channel are in seq order.
 * A frame holds at most the server's frame byte bound, so a busy tick may send several.
 */
export interface StreamFrameMessage {
  type: 'metrics_frame';
  batches: StreamBatchMessage[];
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  timestamp: number;
}

/**
 * Batches after `afterSeq` up to `toSeq` can no longer be replayed; read [fromMs, toMs] from history,
 * then take `toSeq` as the channel's last seq. `afterSeq` below the client's own last seq means the
 * collector restarted and the channel's numbering began again (docs/live-stream.md).
 */
export interface GapMessage {
  type: 'gap';
  channel: string;
  afterSeq: number;
  toSeq: number;
  /** Event-time range (epoch ms) that the missing batches may cover; null when unknown. */
  fromMs: number | null;
  toMs: number | null;
}

export interface StreamErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
}

export type StreamServerMessage =
  | SubscribedMessage
  | StreamBatchMessage
  | StreamFrameMessage
  | HeartbeatMessage
  | GapMessage
  | StreamErrorMessage;

/** Answers on `WS /v1/ingest`: one per client message, in order, echoing its `id` when it had one. */
export type IngestAck =
  | {
      type: 'ack';
      id?: string | number;
      accepted: number;
      durability: 'committed' | 'spooled' | 'jetstream';
    }
  | { type: 'error'; id?: string | number; code: ErrorCode; message: string; details?: unknown[] };
