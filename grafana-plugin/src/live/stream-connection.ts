import {
  STREAM_WIRE_VERSION,
  WILDCARD_CHANNEL,
  type EventKind,
  type GapMessage,
  type StreamBatchMessage,
  type StreamServerMessage,
  type SubscribeMessage,
} from '@scrapewatch/protocol/core';
import { backoffDelayMs, type BackoffOptions } from './backoff';

export type ConnectionState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'disconnected'; reason: string; retryInMs: number };

/** One consumer of the shared socket (a panel target). */
export interface StreamListener {
  /** Scraper channels, or ["*"] for every scraper. */
  readonly channels: readonly string[];
  /** Event kinds wanted; null for all. The socket subscribes to the union over all listeners. */
  readonly kinds: readonly EventKind[] | null;
  onBatch(batch: StreamBatchMessage): void;
  /** Batches of a channel were lost for good (or the collector restarted): repair from history. */
  onGap(gap: GapMessage): void;
  onState(state: ConnectionState): void;
}

/** The timer functions the connection uses; every timer it starts, it clears. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a browser WebSocket offers and the connection uses. */
export interface StreamSocket {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface StreamConnectionOptions {
  /** ws:// or wss:// URL of /v1/stream. */
  readonly url: string;
  /** Stream token, sent in the first subscribe message (never in the URL). */
  readonly token: string | undefined;
  readonly backoff: BackoffOptions;
  readonly createSocket: (url: string) => StreamSocket;
  readonly timers: Timers;
  readonly random?: () => number;
  /** Give up on a socket that is not subscribed after this long (default 15 s). */
  readonly connectTimeoutMs?: number;
}

export interface StreamConnection {
  /** Adds a listener; the returned function removes it (idempotent). */
  subscribe(listener: StreamListener): () => void;
  readonly state: ConnectionState;
  readonly listenerCount: number;
}

const SOCKET_OPEN = 1;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** A socket that heard nothing (not even a heartbeat) for this many heartbeat periods is dead. */
const STALE_HEARTBEATS = 2.5;

const CLOSE_REASONS: Record<number, string> = {
  1001: 'the collector is shutting down',
  1006: 'the connection was lost',
  1008: 'the collector refused the connection',
  1011: 'the collector hit an internal error',
  4001: 'unauthorized: check the stream token in the data source settings',
  4003: 'forbidden: the token may not read these scrapers, or this Grafana origin is not in SCRAPEWATCH_ALLOWED_ORIGINS',
  4008: 'the browser read too slowly (slow consumer)',
  4029: 'rate limited',
  4400: 'the collector rejected a message',
  4408: 'heartbeat timeout',
  4503: 'the collector holds its maximum of subscribers',
};

/**
 * ONE WebSocket to /v1/stream shared by every target of a data source instance. Channels are
 * reference-counted across listeners: subscribe/unsubscribe go out as the set changes; the last
 * listener leaving closes the socket and clears every timer. A lost socket is reopened with
 * exponential backoff and jitter and resumes with the last seq seen per channel; batches at or
 * below that seq (replays) are dropped here, so listeners see each batch once.
 */
export function createStreamConnection(options: StreamConnectionOptions): StreamConnection {
  const random = options.random ?? Math.random;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const listeners = new Set<StreamListener>();
  const channelRefs = new Map<string, number>();
  const lastSeq = new Map<string, number>();
  let socket: StreamSocket | null = null;
  let sentKinds: string | null = null;
  let attempt = 0;
  let retryTimer: unknown = null;
  let staleTimer: unknown = null;
  let heartbeatIntervalMs: number | null = null;
  /** The current socket has sent its first (resuming) subscribe / received its answer. */
  let greeted = false;
  let resumed = false;
  let lastServerError: string | null = null;
  let state: ConnectionState = { state: 'idle' };

  function setState(next: ConnectionState): void {
    state = next;
    for (const listener of [...listeners]) listener.onState(next);
  }

  function kindsUnion(): EventKind[] | null {
    const kinds = new Set<EventKind>();
    for (const listener of listeners) {
      if (listener.kinds === null) return null;
      for (const kind of listener.kinds) kinds.add(kind);
    }
    return [...kinds].sort();
  }

  function isOpen(ws: StreamSocket | null): ws is StreamSocket {
    return ws !== null && ws.readyState === SOCKET_OPEN;
  }

  function resumeFor(channels: readonly string[]): Record<string, number> {
    const all = channels.includes(WILDCARD_CHANNEL);
    const resume: Record<string, number> = {};
    for (const [channel, seq] of lastSeq) {
      if (all || channels.includes(channel)) resume[channel] = seq;
    }
    return resume;
  }

  function sendSubscribe(ws: StreamSocket, channels: readonly string[], withToken: boolean): void {
    const kinds = kindsUnion();
    const resume = resumeFor(channels);
    const message: SubscribeMessage = {
      type: 'subscribe',
      ...(withToken && options.token ? { token: options.token } : {}),
      channels: [...channels],
      ...(kinds ? { kinds } : {}),
      ...(Object.keys(resume).length > 0 ? { resume } : {}),
      // Frames (one message per tick for everything); needs a collector that knows version 2.
      version: STREAM_WIRE_VERSION,
    };
    sentKinds = JSON.stringify(kinds);
    ws.send(JSON.stringify(message));
  }

  function clearTimer(handle: unknown): null {
    if (handle !== null) options.timers.clearTimeout(handle);
    return null;
  }

  function armStale(): void {
    staleTimer = clearTimer(staleTimer);
    const afterMs =
      heartbeatIntervalMs === null ? connectTimeoutMs : heartbeatIntervalMs * STALE_HEARTBEATS;
    staleTimer = options.timers.setTimeout(() => {
      staleTimer = null;
      const ws = socket;
      if (ws === null) return;
      socket = null;
      // The catalogue's HEARTBEAT_TIMEOUT: the collector went silent (no heartbeat, no answer).
      ws.close(4408, 'HEARTBEAT_TIMEOUT');
      lost(
        heartbeatIntervalMs === null
          ? 'the collector did not answer the subscription in time'
          : 'no heartbeat from the collector',
      );
    }, afterMs);
  }

  function connect(): void {
    retryTimer = clearTimer(retryTimer);
    heartbeatIntervalMs = null;
    greeted = false;
    resumed = false;
    lastServerError = null;
    setState({ state: 'connecting' });
    let ws: StreamSocket;
    try {
      ws = options.createSocket(options.url);
    } catch (error) {
      lost(`cannot open ${options.url}: ${(error as Error).message}`);
      return;
    }
    socket = ws;
    armStale();
    ws.onopen = () => {
      if (socket !== ws) return;
      greeted = true;
      sendSubscribe(ws, [...channelRefs.keys()], true);
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      armStale();
      let message: StreamServerMessage;
      try {
        message = JSON.parse(String(event.data)) as StreamServerMessage;
      } catch {
        return;
      }
      handle(message);
    };
    ws.onerror = () => {
      // A close event always follows; it carries the reason.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      const reason =
        lastServerError ?? CLOSE_REASONS[event.code] ?? `closed with code ${event.code}`;
      lost(event.reason ? `${reason} (${event.reason})` : reason);
    };
  }

  function lost(reason: string): void {
    staleTimer = clearTimer(staleTimer);
    if (listeners.size === 0) {
      setState({ state: 'idle' });
      return;
    }
    const retryInMs = backoffDelayMs(attempt, options.backoff, random);
    attempt += 1;
    setState({ state: 'disconnected', reason, retryInMs });
    retryTimer = options.timers.setTimeout(() => {
      retryTimer = null;
      connect();
    }, retryInMs);
  }

  function listenersOf(channel: string, scraper: string | undefined): StreamListener[] {
    return [...listeners].filter(
      (l) =>
        l.channels.includes(WILDCARD_CHANNEL) ||
        l.channels.includes(channel) ||
        (scraper !== undefined && l.channels.includes(scraper)),
    );
  }

  /** Replayed batches at or below the channel's last seq were seen already: dropped. */
  function onBatch(batch: StreamBatchMessage): void {
    if (batch.seq <= (lastSeq.get(batch.channel) ?? 0)) return;
    lastSeq.set(batch.channel, batch.seq);
    for (const listener of listenersOf(batch.channel, batch.scraperSource)) listener.onBatch(batch);
  }

  function handle(message: StreamServerMessage): void {
    switch (message.type) {
      case 'subscribed': {
        attempt = 0;
        heartbeatIntervalMs = message.heartbeatIntervalMs > 0 ? message.heartbeatIntervalMs : null;
        armStale();
        if (resumed) return;
        resumed = true;
        // Only the answer to the resuming subscribe speaks for every channel. A channel whose
        // newest seq is below ours (or unknown) restarted its numbering: the collector restarted.
        // Forget our seq; the collector sends a `gap` from 0 for it, which listeners repair.
        for (const [channel, seq] of [...lastSeq]) {
          const newest = message.seqs[channel];
          if (newest === undefined || newest < seq) lastSeq.delete(channel);
        }
        setState({ state: 'open' });
        return;
      }
      case 'metrics_frame':
        for (const batch of message.batches) onBatch(batch);
        return;
      case 'metrics_batch':
        onBatch(message);
        return;
      case 'gap': {
        const known = lastSeq.get(message.channel) ?? 0;
        // A gap starting below our seq means the numbering started over (collector restart).
        lastSeq.set(
          message.channel,
          message.afterSeq < known ? message.toSeq : Math.max(known, message.toSeq),
        );
        for (const listener of listenersOf(message.channel, undefined)) listener.onGap(message);
        return;
      }
      case 'error':
        lastServerError = `${message.code}: ${message.message}`;
        return;
      case 'heartbeat':
        return;
    }
  }

  function teardown(): void {
    retryTimer = clearTimer(retryTimer);
    staleTimer = clearTimer(staleTimer);
    const ws = socket;
    socket = null;
    if (ws !== null) ws.close(1000, 'no subscribers');
    attempt = 0;
    lastSeq.clear();
    sentKinds = null;
    state = { state: 'idle' };
  }

  return {
    get state() {
      return state;
    },
    get listenerCount() {
      return listeners.size;
    },
    subscribe(listener) {
      listeners.add(listener);
      const added: string[] = [];
      for (const channel of new Set(listener.channels)) {
        const refs = channelRefs.get(channel) ?? 0;
        channelRefs.set(channel, refs + 1);
        if (refs === 0) added.push(channel);
      }
      if (socket === null && retryTimer === null) {
        connect();
      } else if (isOpen(socket) && greeted) {
        const kindsChanged = JSON.stringify(kindsUnion()) !== sentKinds;
        if (kindsChanged) sendSubscribe(socket, [...channelRefs.keys()], false);
        else if (added.length > 0) sendSubscribe(socket, added, false);
      }
      listener.onState(state);

      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        listeners.delete(listener);
        if (listeners.size === 0) {
          channelRefs.clear();
          teardown();
          return;
        }
        const gone: string[] = [];
        for (const channel of new Set(listener.channels)) {
          const refs = (channelRefs.get(channel) ?? 1) - 1;
          if (refs > 0) channelRefs.set(channel, refs);
          else {
            channelRefs.delete(channel);
            gone.push(channel);
          }
        }
        const wildcard = channelRefs.has(WILDCARD_CHANNEL);
        for (const channel of gone) {
          if (channel === WILDCARD_CHANNEL) {
            for (const known of [...lastSeq.keys()])
              if (!channelRefs.has(known)) lastSeq.delete(known);
          } else if (!wildcard) lastSeq.delete(channel);
        }
        if (isOpen(socket)) {
          if (gone.length > 0) socket.send(JSON.stringify({ type: 'unsubscribe', channels: gone }));
          if (JSON.stringify(kindsUnion()) !== sentKinds)
            sendSubscribe(socket, [...channelRefs.keys()], false);
        }
      };
    },
  };
}
