import type http from 'node:http';
import type stream from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocket, type RawData } from 'ws';
import {
  ERRORS,
  EVENT_KINDS,
  WILDCARD_CHANNEL,
  channelOf,
  type AcceptedEvent,
  type ErrorCode,
  type EventKind,
  type GapMessage,
  type HeartbeatMessage,
  type StreamBatchMessage,
  type StreamErrorMessage,
  type StreamWireVersion,
  type SubscribedMessage,
} from '@scrapewatch/protocol';
import { scopeAllows, type TokenScope } from '../auth/tokens';
import { createBatcher, type PendingBatch } from './batcher';
import { buildFrames } from './frames';
import { GroupIndex, type Group } from './groups';
import { ALL_KINDS_MASK, kindBit, parseClientMessage, type ParsedClientMessage } from './messages';
import { createLiveMetrics } from './metrics';
import { resolveLiveOptions, type LiveOptions } from './options';
import { planReplay } from './replay';
import { ReplayRing, type SealedBatch } from './replay-ring';
import type { StreamReplay } from './stream-replay';
import { createWsGate } from '../ws/gate';
import { createTicker } from './ticker';

export interface LiveHubDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly authEnabled: boolean;
  readonly verifyStreamToken: (token: string | undefined) => TokenScope | undefined;
  /** Browser origins allowed to open /v1/stream; a request without Origin (not a browser) is allowed. */
  readonly allowedOrigins: readonly string[];
  /**
   * Cluster mode: batches come from the JetStream stream through publishAt, their seqs are stream
   * positions, and resuming reads the stream for positions the replay rings no longer hold.
   */
  readonly stream?: StreamReplay;
}

export interface LiveHub {
  /**
   * Synchronous, never throws, never waits for QuestDB, never sends: the fan-out runs after the
   * caller's turn, at the next tick (see createTicker).
   */
  publish(events: readonly AcceptedEvent[]): void;
  /**
   * Cluster mode: the events of one stream message (one channel and kind) at stream position
   * `position`, which becomes the batch's seq; messages arrive in stream order. An empty `events`
   * only records that the live feed got past `position`. Synchronous like publish.
   */
  publishAt(events: readonly AcceptedEvent[], position: number): void;
  /** The HTTP server routes upgrades for /v1/stream here (through the WebSocket gate). */
  handleUpgrade(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void;
  /** Open connections on /v1/stream, subscribed or still to subscribe. */
  readonly subscriberCount: number;
  /** Flushes pending batches, sends close frames (1001, reason), clears timers. */
  close(): Promise<void>;
}

/** One connection. Kept small: an idle subscriber costs this object, its socket and ws state. */
interface Subscriber {
  readonly ws: WebSocket;
  /** Set once authenticated (a verified token, or any connection when auth is off). */
  scope: TokenScope | undefined;
  /** An accepted subscribe was received; until then nothing but `subscribe` is accepted. */
  subscribed: boolean;
  /** Named channels; `wildcard` covers every channel on top of them. */
  channels: Set<string> | undefined;
  wildcard: boolean;
  kinds: EventKind[] | null;
  kindMask: number;
  /** Fixed by the first accepted subscribe. */
  version: StreamWireVersion;
  /** The group of identical subscriptions this one belongs to, once subscribed to something. */
  group: Group<Subscriber> | undefined;
  /**
   * Batches held back while the socket's unsent bytes are above the hold mark: later ticks add to
   * them and they leave merged, in one frame, once the socket drains (references to the replay
   * rings' buffers, nothing re-encoded). Counted with the unsent bytes against the slow-consumer bound.
   */
  held: SealedBatch[] | undefined;
  heldBytes: number;
  invalidMessages: number;
  /** Auth deadline, cleared by the first accepted subscribe. */
  deadline: NodeJS.Timeout | undefined;
  /** Resumes reading the stream (cluster mode): meanwhile live batches are held for after them. */
  resuming: number;
  /** False once the hub closes or drops the socket: no more sends, messages are ignored. */
  active: boolean;
}

interface Channel {
  readonly name: string;
  readonly ring: ReplayRing;
}

const UNSCOPED: TokenScope = Object.freeze({ tokenIndex: -1, scrapers: '*' as const });
/** Shared by every send: text frames; never compressed (permessage-deflate is not offered). */
const SEND_TEXT = Object.freeze({ binary: false, compress: false });
/**
 * A socket with more unsent bytes than this (or a quarter of the slow-consumer bound, when that is
 * smaller) has its batches held and merged: one frame when it drains, instead of a queue of them.
 */
const HOLD_ABOVE_BYTES = 256 * 1024;
/**
 * Cluster mode: how long a resume waits for this collector's live feed to reach the stream's end
 * (it lags another collector's by milliseconds), and for a stream read.
 */
const STREAM_RESUME_WAIT_MS = 5_000;

/**
 * The live fan-out of WS /v1/stream. Published events wait for the next tick (at once on an idle
 * hub, else at most `tickMs`); a tick seals them into batches per (channel, kind) (each serialised
 * once, kept in its channel's replay ring for resume) and sends every subscriber what it covers as
 * one frame (wire version 2) or one message per batch (version 1), built once per group of
 * identical subscriptions. A socket with too many unsent bytes has its batches held and merged
 * into its next frame; past the bound it is dropped. Upgrade, origin, capacity, heartbeat and
 * drain are the WebSocket gate's (ws/gate.ts).
 */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createLiveHub(liveOptions: LiveOptions, deps: LiveHubDeps): LiveHub {
  const options = resolveLiveOptions(liveOptions);
  const { logger } = deps;

  const channels = new Map<string, Channel>();
  const groups = new GroupIndex<Subscriber>();
  /** Subscribers with held batches, released (merged) at a tick once their socket drains. */
  const backedUp = new Set<Subscriber>();
  /** Unsent bytes above which a socket's batches are held rather than handed to it. */
  const holdAboveBytes = Math.min(HOLD_ABOVE_BYTES, Math.floor(options.maxBufferedBytes / 4));
  /** Active connections. */
  const connections = new Set<Subscriber>();
  /** Connections the hub closed or dropped whose close handshake has not finished yet. */
  const closing = new Set<Subscriber>();

  /** Sealed batches of all rings in seal order, to evict the globally oldest past the byte budget. */
  let replayOrder: { channel: Channel; seq: number }[] = [];
  let replayOrderHead = 0;
  let replayBytes = 0;
  /** Batches held by all rings together. */
  let heldTotal = 0;
  let closed = false;
  /** Cluster mode: the newest stream position given to publishAt, and the newest sealed. */
  let receivedPosition = 0;
  let sealedPosition = 0;
  let positionWaiters: { position: number; resolve: () => void }[] = [];

  const metrics = createLiveMetrics(deps.registry, {
    subscribers: () => connections.size,
    bufferedBytes: () => {
      let total = 0;
      for (const sub of connections) total += sub.ws.bufferedAmount;
      for (const sub of closing) total += sub.ws.bufferedAmount;
      return total;
    },
    replayBytes: () => replayBytes,
    heldBytes: () => {
      let total = 0;
      for (const sub of backedUp) total += sub.heldBytes;
      return total;
    },
  });

  const batcher = createBatcher(options);
  const ticker = createTicker(options.tickMs, onTick);

  // --- sending -------------------------------------------------------------------------------

  /** Hands bytes to an open socket; drops the subscriber when its unsent bytes pass the bound. */
  function send(sub: Subscriber, data: Buffer | string): boolean {
    if (!sub.active || sub.ws.readyState !== WebSocket.OPEN) return false;
    sub.ws.send(data, SEND_TEXT);
    checkBound(sub);
    return true;
  }

  /** The 4 MiB rule: unsent bytes plus held batches past the bound close the socket with 4008. */
  function checkBound(sub: Subscriber): void {
    const pendingBytes = sub.ws.bufferedAmount + sub.heldBytes;
    if (pendingBytes <= options.maxBufferedBytes) return;
    metrics.slowConsumerDrops.inc();
    logger.warn(
      { bufferedBytes: pendingBytes, maxBufferedBytes: options.maxBufferedBytes },
      'live subscriber dropped as a slow consumer',
    );
    end(sub, 'SLOW_CONSUMER', false);
  }

  function sendJson(
    sub: Subscriber,
    message: SubscribedMessage | GapMessage | StreamErrorMessage,
  ): void {
    send(sub, JSON.stringify(message));
  }

  function countSent(batches: readonly SealedBatch[], recipients: number): void {
    if (recipients === 0) return;
    let events = 0;
    for (const batch of batches) events += batch.count;
    metrics.batchesSent.inc(recipients * batches.length);
    metrics.eventsSent.inc(recipients * events);
  }

  /**
   * Sends batches to one subscriber in its wire version: `frames` when they are already built
   * (shared by its group), else built here. Returns false when nothing could be handed over.
   */
  function sendBatches(
    sub: Subscriber,
    batches: readonly SealedBatch[],
    frames: readonly Buffer[] | undefined,
  ): boolean {
    if (sub.version === 1) {
      for (const batch of batches) {
        if (!send(sub, batch.bytes)) return false;
        metrics.bytesSent.inc(batch.bytes.length);
      }
      return true;
    }
    const built = frames ?? serialiseFrames(batches);
    for (const frame of built) {
      if (!send(sub, frame)) return false;
      metrics.framesSent.inc();
      metrics.bytesSent.inc(frame.length);
    }
    return true;
  }

  function serialiseFrames(batches: readonly SealedBatch[]): Buffer[] {
    const frames = buildFrames(batches, options.maxFrameBytes);
    metrics.framesSerialized.inc(frames.length);
    return frames;
  }

  /** Whether a socket's batches go to its held list rather than to the socket. */
  function mustHold(sub: Subscriber): boolean {
    return sub.held !== undefined || sub.resuming > 0 || sub.ws.bufferedAmount > holdAboveBytes;
  }

  function hold(sub: Subscriber, batches: readonly SealedBatch[]): void {
    sub.held ??= [];
    for (const batch of batches) {
      sub.held.push(batch);
      sub.heldBytes += batch.bytes.length;
    }
    backedUp.add(sub);
    checkBound(sub);
  }

  /** Sends a subscriber's held batches, merged, once its socket has drained (or `force`). */
  function release(sub: Subscriber, force: boolean): void {
    if (!sub.active || sub.held === undefined) {
      dropHeld(sub);
      return;
    }
    if (!force && (sub.resuming > 0 || sub.ws.bufferedAmount > holdAboveBytes)) return;
    const held = sub.held;
    dropHeld(sub);
    if (sendBatches(sub, held, undefined)) countSent(held, 1);
  }

  function dropHeld(sub: Subscriber): void {
    sub.held = undefined;
    sub.heldBytes = 0;
    backedUp.delete(sub);
  }

  /** Live or replayed batches for one subscriber: sent, or held behind what it already holds. */
  function deliverTo(sub: Subscriber, batches: readonly SealedBatch[]): void {
    if (batches.length === 0 || !sub.active) return;
    if (mustHold(sub)) return hold(sub, batches);
    if (sendBatches(sub, batches, undefined)) countSent(batches, 1);
  }

  /** A tick's batches for one group: the frames are built once, for the first member that takes them. */
  function deliverGroup(group: Group<Subscriber>): void {
    let frames: Buffer[] | undefined;
    let recipients = 0;
    for (const sub of group.members) {
      if (!sub.active) continue;
      if (mustHold(sub)) {
        hold(sub, group.batches);
        continue;
      }
      if (group.version === 2) frames ??= serialiseFrames(group.batches);
      if (sendBatches(sub, group.batches, frames)) recipients += 1;
    }
    countSent(group.batches, recipients);
  }

  // --- batches ---------------------------------------------------------------------------------

  function channelFor(name: string): Channel {
    let channel = channels.get(name);
    if (channel === undefined) {
      const floor = deps.stream?.startPosition() ?? 0;
      channel = { name, ring: new ReplayRing(options.replayBatchesPerChannel, floor) };
      channels.set(name, channel);
    }
    return channel;
  }

  /** A channel nobody names and that never had a batch carries no state worth keeping. */
  function pruneChannel(name: string): void {
    const channel = channels.get(name);
    if (channel !== undefined && !channel.ring.sealedAny && !groups.names(name)) {
      channels.delete(name);
    }
  }

  /** The ticker's run: never throws; asks for another tick while anything waits. */
  function onTick(): void {
    try {
      deliverTick(false);
    } catch (err) {
      logger.error({ err }, 'live tick failed');
    }
    if (backedUp.size > 0 || batcher.pendingEvents > 0) ticker.request();
  }

  /**
   * Seals what was published since the last tick, gives every group the batches it covers, sends
   * each group its frames, then releases held batches of sockets that drained.
   */
  function deliverTick(force: boolean): void {
    const touched: Group<Subscriber>[] = [];
    const collect = (group: Group<Subscriber>, batch: SealedBatch): void => {
      if ((group.kindMask & (1 << batch.kindIndex)) === 0) return;
      if (group.batches.length === 0) touched.push(group);
      group.batches.push(batch);
    };
    const drained = batcher.drain();
    sealedPosition = receivedPosition;
    for (const pending of drained) {
      const batch = seal(pending);
      const named = groups.named(pending.channel);
      if (named !== undefined) for (const group of named) collect(group, batch);
      for (const group of groups.wildcardGroups) collect(group, batch);
    }
    for (const group of touched) {
      try {
        deliverGroup(group);
      } finally {
        group.batches = [];
      }
    }
    for (const sub of [...backedUp]) release(sub, force);
    if (positionWaiters.length > 0) wakePositionWaiters(false);
  }

  function wakePositionWaiters(all: boolean): void {
    const waiting = positionWaiters;
    positionWaiters = [];
    for (const waiter of waiting) {
      if (all || waiter.position <= sealedPosition) waiter.resolve();
      else positionWaiters.push(waiter);
    }
  }

  /** Resolves once every stream message through `position` is sealed (or after `timeoutMs`). */
  function sealedThrough(position: number, timeoutMs: number): Promise<void> {
    if (sealedPosition >= position || closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        positionWaiters = positionWaiters.filter((w) => w.resolve !== done);
        resolve();
      }
      positionWaiters.push({ position, resolve: done });
    });
  }

  function seal(pending: PendingBatch): SealedBatch {
    const { channel: name, kindIndex, events } = pending;
    const channel = channelFor(name);
    const batch = serialise(name, kindIndex, pending.seq ?? channel.ring.newest + 1, events);
    const heldBefore = channel.ring.heldCount;
    replayBytes += batch.bytes.length - channel.ring.push(batch);
    heldTotal += channel.ring.heldCount - heldBefore;
    replayOrder.push({ channel, seq: batch.seq });
    enforceReplayBudget();
    return batch;
  }

  /** One batch's message, serialised once for every send and replay. */
  function serialise(
    name: string,
    kindIndex: number,
    seq: number,
    events: AcceptedEvent[],
  ): SealedBatch {
    let minMs = Infinity;
    let maxMs = -Infinity;
    for (const event of events) {
      if (event.recordedAt < minMs) minMs = event.recordedAt;
      if (event.recordedAt > maxMs) maxMs = event.recordedAt;
    }
    const message: StreamBatchMessage = {
      type: 'metrics_batch',
      channel: name,
      seq,
      scraperSource: name,
      count: events.length,
      timestamp: Date.now(),
      metrics: events,
    };
    const batch: SealedBatch = {
      seq,
      kindIndex,
      count: events.length,
      bytes: Buffer.from(JSON.stringify(message), 'utf8'),
      minMs,
      maxMs,
    };
    metrics.batchesSerialized.inc();
    return batch;
  }

  function enforceReplayBudget(): void {
    while (replayBytes > options.replayMaxBytes && replayOrderHead < replayOrder.length) {
      const entry = replayOrder[replayOrderHead];
      replayOrderHead += 1;
      // Entries already evicted by their ring's count bound are skipped.
      if (entry !== undefined && entry.seq === entry.channel.ring.oldestHeld) {
        replayBytes -= entry.channel.ring.evictOldest();
        heldTotal -= 1;
      }
    }
    // The order list also outlives count-evicted entries; rebuild it from what is still held.
    if (replayOrder.length - replayOrderHead > 4 * heldTotal + 1_024) {
      replayOrder = replayOrder
        .slice(replayOrderHead)
        .filter((entry) => entry.seq >= entry.channel.ring.oldestHeld);
      replayOrderHead = 0;
    } else if (replayOrderHead > 1_024 && replayOrderHead * 2 > replayOrder.length) {
      replayOrder = replayOrder.slice(replayOrderHead);
      replayOrderHead = 0;
    }
  }

  // --- client messages -------------------------------------------------------------------------

  function onMessage(sub: Subscriber, data: RawData, isBinary: boolean): void {
    if (!sub.active) return;
    const frame = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    const parsed = parseClientMessage(frame, isBinary, options.maxChannelsPerSubscriber);
    if (!parsed.ok) return invalid(sub, parsed.code, parsed.message);
    const message = parsed.message;
    if (message.type === 'unsubscribe') {
      if (!sub.subscribed) {
        return invalid(sub, 'SUBSCRIBE_REQUIRED', 'The first message must be subscribe.');
      }
      return unsubscribe(sub, message.channels);
    }
    if (sub.subscribed && message.version !== undefined && message.version !== sub.version) {
      return invalid(sub, 'INVALID_MESSAGE', '/version cannot change on an open socket.');
    }
    if (sub.scope === undefined) {
      // A token in later messages is ignored: the scope is fixed by the first authentication.
      const scope = deps.authEnabled ? deps.verifyStreamToken(message.token) : UNSCOPED;
      if (scope === undefined) return reject(sub, 'UNAUTHORIZED');
      sub.scope = scope;
    }
    subscribe(sub, sub.scope, message);
  }

  function subscribe(
    sub: Subscriber,
    scope: TokenScope,
    message: Extract<ParsedClientMessage, { type: 'subscribe' }>,
  ): void {
    const added: string[] = [];
    let addWildcard = false;
    for (const [index, name] of message.channels.entries()) {
      const allowed = name === WILDCARD_CHANNEL ? scope.scrapers === '*' : scopeAllows(scope, name);
      if (!allowed) {
        return invalid(
          sub,
          'FORBIDDEN_SCOPE',
          `/channels/${index} (${name}) is outside the token's scope.`,
        );
      }
      if (name === WILDCARD_CHANNEL) addWildcard = !sub.wildcard;
      else if (sub.channels?.has(name) !== true) added.push(name);
    }
    const total = (sub.channels?.size ?? 0) + added.length + (sub.wildcard || addWildcard ? 1 : 0);
    if (total > options.maxChannelsPerSubscriber) {
      return invalid(
        sub,
        'TOO_MANY_CHANNELS',
        `The subscription would hold ${total} channels; the limit is ${options.maxChannelsPerSubscriber}.`,
      );
    }

    // Resume applies to channels this message newly covers; covered ones are already live.
    const resumes: [string, number][] = [];
    for (const [name, lastSeq] of message.resume) {
      const covered = sub.wildcard || sub.channels?.has(name) === true;
      if (!covered && (added.includes(name) || addWildcard)) resumes.push([name, lastSeq]);
    }

    if (sub.deadline !== undefined) clearTimeout(sub.deadline);
    sub.deadline = undefined;
    if (!sub.subscribed) sub.version = message.version ?? 1;
    sub.subscribed = true;
    sub.kinds = message.kinds === null ? null : [...message.kinds];
    sub.kindMask =
      sub.kinds === null ? ALL_KINDS_MASK : sub.kinds.reduce((m, k) => m | kindBit(k), 0);
    if (added.length > 0) {
      sub.channels ??= new Set();
      for (const name of added) {
        sub.channels.add(name);
        channelFor(name);
      }
    }
    if (addWildcard) sub.wildcard = true;
    regroup(sub);
    sendSubscribed(sub, resumes);

    const budgetBytes = Math.floor(options.maxBufferedBytes / 2 / Math.max(1, resumes.length));
    if (deps.stream !== undefined && resumes.length > 0) {
      resumeFromStream(deps.stream, sub, resumes, budgetBytes);
      return;
    }
    for (const [name, lastSeq] of resumes) replay(sub, name, lastSeq, budgetBytes);
  }

  /**
   * Cluster mode's resume: seqs are stream positions, the same on every collector, so a position
   * from any collector is resumed exactly. Waits until this collector's feed has sealed the
   * stream's end, then replays from the ring what it holds and reads the rest from the stream;
   * live batches wait in the subscriber's held list meanwhile and follow, without those replayed.
   */
  function resumeFromStream(
    stream: StreamReplay,
    sub: Subscriber,
    resumes: readonly [string, number][],
    budgetBytes: number,
  ): void {
    sub.resuming += 1;
    const replayed = new Set<number>();
    const run = async (): Promise<void> => {
      let last: number | undefined;
      try {
        last = await withTimeout(stream.lastPosition(), STREAM_RESUME_WAIT_MS);
        await sealedThrough(last, STREAM_RESUME_WAIT_MS);
      } catch (err) {
        logger.warn({ err }, 'stream position unavailable for a resume');
      }
      for (const [name, lastSeq] of resumes) {
        if (!sub.active) return;
        const ring = channels.get(name)?.ring;
        // A position past the stream's end is from a stream that was recreated.
        const restarted = last !== undefined && lastSeq > last;
        const plan = planReplay(name, ring, lastSeq, sub.kindMask, budgetBytes, restarted);
        let gap = plan.gap;
        const batches: SealedBatch[] = [];
        const floor = ring?.floor ?? stream.startPosition();
        if (!restarted && lastSeq < floor && !plan.budgetHit && last !== undefined) {
          try {
            const read = await withTimeout(
              stream.read(name, lastSeq, floor, sub.kindMask, budgetBytes - plan.bytes),
              STREAM_RESUME_WAIT_MS,
            );
            gap =
              read.gap === undefined
                ? undefined
                : {
                    type: 'gap',
                    channel: name,
                    afterSeq: lastSeq,
                    toSeq: read.gap.throughSeq,
                    fromMs: read.gap.fromMs,
                    toMs: read.gap.toMs,
                  };
            for (const m of read.messages) {
              batches.push(serialise(name, EVENT_KINDS.indexOf(m.kind), m.seq, m.events));
            }
          } catch (err) {
            logger.warn({ err, channel: name }, 'stream read for a resume failed; sending a gap');
          }
        }
        if (!sub.active) return;
        if (gap !== undefined) {
          metrics.gaps.inc();
          sendJson(sub, gap);
        }
        batches.push(...plan.batches);
        for (const batch of batches) replayed.add(batch.seq);
        if (batches.length > 0) {
          metrics.replayedBatches.inc(batches.length);
          if (sendBatches(sub, batches, undefined)) countSent(batches, 1);
        }
      }
    };
    run()
      .catch((err: unknown) => logger.error({ err }, 'stream resume failed'))
      .finally(() => {
        sub.resuming -= 1;
        if (sub.held !== undefined && replayed.size > 0) {
          const kept = sub.held.filter((batch) => !replayed.has(batch.seq));
          sub.held = kept;
          sub.heldBytes = kept.reduce((sum, batch) => sum + batch.bytes.length, 0);
        }
        if (sub.resuming === 0 && sub.active) release(sub, false);
        if (sub.held !== undefined) ticker.request();
      });
  }

  /** Moves a subscriber to the group of its current subscription (none when it covers nothing). */
  function regroup(sub: Subscriber): void {
    if (sub.group !== undefined) groups.leave(sub, sub.group);
    sub.group =
      sub.active && sub.subscribed && (sub.wildcard || (sub.channels?.size ?? 0) > 0)
        ? groups.join(sub, {
            version: sub.version,
            wildcard: sub.wildcard,
            channels: sub.channels ?? [],
            kindMask: sub.kindMask,
          })
        : undefined;
  }

  function unsubscribe(sub: Subscriber, names: readonly string[]): void {
    const removed: string[] = [];
    for (const name of names) {
      if (name === WILDCARD_CHANNEL) sub.wildcard = false;
      else if (sub.channels?.delete(name) === true) removed.push(name);
    }
    if (sub.channels?.size === 0) sub.channels = undefined;
    regroup(sub);
    for (const name of removed) pruneChannel(name);
    sendSubscribed(sub);
  }

  function sendSubscribed(sub: Subscriber, resumes: readonly [string, number][] = []): void {
    const seqs: Record<string, number> = {};
    if (sub.wildcard) {
      for (const channel of channels.values()) {
        if (channel.ring.sealedAny) seqs[channel.name] = channel.ring.newest;
      }
    } else {
      for (const name of sub.channels ?? []) {
        const ring = channels.get(name)?.ring;
        if (ring?.sealedAny === true) seqs[name] = ring.newest;
      }
    }
    // Cluster mode: a position resumed from is no restart even where this collector has sealed
    // nothing newer yet (its feed may lag the collector the subscriber came from).
    if (deps.stream !== undefined) {
      for (const [name, lastSeq] of resumes) seqs[name] = Math.max(seqs[name] ?? 0, lastSeq);
    }
    sendJson(sub, {
      type: 'subscribed',
      channels: [...(sub.wildcard ? [WILDCARD_CHANNEL] : []), ...(sub.channels ?? [])],
      kinds: sub.kinds,
      seqs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      version: sub.version,
    });
  }

  /** Sends what a resuming subscriber missed on one channel (see planReplay). */
  function replay(sub: Subscriber, name: string, lastSeq: number, budgetBytes: number): void {
    const plan = planReplay(name, channels.get(name)?.ring, lastSeq, sub.kindMask, budgetBytes);
    if (plan.gap !== undefined) {
      metrics.gaps.inc();
      sendJson(sub, plan.gap);
    }
    if (plan.batches.length === 0 || !sub.active) return;
    metrics.replayedBatches.inc(plan.batches.length);
    deliverTo(sub, plan.batches);
  }

  /** A bad client message: answered with `error`; past the tolerated number the socket is closed. */
  function invalid(sub: Subscriber, code: ErrorCode, message: string): void {
    metrics.clientErrors.inc({ code });
    sub.invalidMessages += 1;
    if (sub.invalidMessages > options.maxInvalidMessages) return reject(sub, 'ABUSE');
    sendJson(sub, { type: 'error', code, message });
  }

  /** Closes by policy with the code's close code, after an `error` message naming it. */
  function reject(sub: Subscriber, code: ErrorCode, message: string = ERRORS[code].message): void {
    metrics.rejected.inc({ code });
    logger.debug({ code, tokenIndex: sub.scope?.tokenIndex }, 'live socket closed by policy');
    end(sub, code, true, message);
  }

  function end(sub: Subscriber, code: ErrorCode, withMessage: boolean, message?: string): void {
    if (!sub.active) return;
    if (withMessage) {
      sendJson(sub, { type: 'error', code, message: message ?? ERRORS[code].message });
    }
    deactivate(sub);
    const closeCode = (ERRORS[code] as { wsClose?: number }).wsClose ?? 1008;
    sub.ws.close(closeCode, code);
  }

  function deactivate(sub: Subscriber): void {
    if (!sub.active) return;
    sub.active = false;
    if (sub.deadline !== undefined) clearTimeout(sub.deadline);
    sub.deadline = undefined;
    regroup(sub);
    for (const name of sub.channels ?? []) pruneChannel(name);
    dropHeld(sub);
    connections.delete(sub);
    closing.add(sub);
  }

  function onClose(sub: Subscriber): void {
    deactivate(sub);
    closing.delete(sub);
  }

  // --- connections -----------------------------------------------------------------------------

  function onConnection(ws: WebSocket, bearer: string | undefined): void {
    const sub: Subscriber = {
      ws,
      scope: deps.authEnabled ? undefined : UNSCOPED,
      subscribed: false,
      channels: undefined,
      wildcard: false,
      kinds: null,
      kindMask: ALL_KINDS_MASK,
      version: 1,
      group: undefined,
      held: undefined,
      heldBytes: 0,
      invalidMessages: 0,
      deadline: undefined,
      resuming: 0,
      active: true,
    };
    connections.add(sub);
    subscribers.set(ws, sub);
    ws.on('message', (data, isBinary) => onMessage(sub, data, isBinary));
    ws.on('close', () => {
      subscribers.delete(ws);
      onClose(sub);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        metrics.rejected.inc({ code: 'MESSAGE_TOO_LARGE' });
      logger.debug({ err: err.message, code: err.code }, 'live socket error');
      deactivate(sub);
    });

    if (deps.authEnabled && bearer !== undefined) {
      sub.scope = deps.verifyStreamToken(bearer);
      if (sub.scope === undefined) return reject(sub, 'UNAUTHORIZED');
    }
    sub.deadline = setTimeout(() => {
      if (sub.subscribed || !sub.active) return;
      if (sub.scope === undefined) reject(sub, 'UNAUTHORIZED');
      else reject(sub, 'SUBSCRIBE_REQUIRED');
    }, options.authTimeoutMs);
    sub.deadline.unref();
  }

  /** The gate's heartbeat: a subscribed socket also gets a `heartbeat` message, serialised once per period. */
  let beatBytes: { at: number; bytes: Buffer } | undefined;
  function onBeat(ws: WebSocket): void {
    const sub = subscribers.get(ws);
    if (sub === undefined || !sub.subscribed) return;
    const now = Date.now();
    if (beatBytes === undefined || now - beatBytes.at >= options.heartbeatIntervalMs / 2) {
      const beat: HeartbeatMessage = { type: 'heartbeat', timestamp: now };
      beatBytes = { at: now, bytes: Buffer.from(JSON.stringify(beat), 'utf8') };
    }
    send(sub, beatBytes.bytes);
  }

  const subscribers = new Map<WebSocket, Subscriber>();
  const gate = createWsGate<string | undefined>(
    {
      allowedOrigins: deps.allowedOrigins,
      maxConnections: options.maxSubscribers,
      capacityCode: 'TOO_MANY_SUBSCRIBERS',
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      maxPayloadBytes: options.maxInboundBytes,
      closeGraceMs: options.closeGraceMs,
    },
    {
      // The token is judged after the upgrade (UNAUTHORIZED closes with 4001): a browser cannot
      // read an HTTP refusal, only a close code. Without one, `subscribe` may carry it.
      authenticate: (token) => token,
      onConnection,
      onBeat,
      onRejected: (code) => metrics.rejected.inc({ code }),
      onTerminated: (ws) => {
        const sub = subscribers.get(ws);
        metrics.heartbeatTerminations.inc();
        logger.debug({ tokenIndex: sub?.scope?.tokenIndex }, 'live peer terminated: no pong');
        if (sub !== undefined) deactivate(sub);
      },
    },
    logger,
  );

  return {
    publish(events) {
      if (closed) return;
      try {
        for (const event of events) {
          const kindIndex = EVENT_KINDS.indexOf(event.type);
          if (kindIndex >= 0) batcher.add(channelOf(event), kindIndex, event);
        }
        if (batcher.pendingEvents > 0) ticker.request();
      } catch (err) {
        logger.error({ err }, 'live publish failed');
      }
    },

    publishAt(events, position) {
      if (closed) return;
      if (position > receivedPosition) receivedPosition = position;
      const first = events[0];
      if (first !== undefined) {
        const kindIndex = EVENT_KINDS.indexOf(first.type);
        if (kindIndex >= 0) batcher.addBatch(channelOf(first), kindIndex, [...events], position);
      }
      ticker.request();
    },

    handleUpgrade(req, socket, head) {
      gate.handleUpgrade(req, socket, head);
    },

    get subscriberCount() {
      return connections.size;
    },

    close() {
      closed = true;
      ticker.cancel();
      wakePositionWaiters(true);
      return gate.close(() => {
        try {
          deliverTick(true);
        } catch (err) {
          logger.error({ err }, 'live flush at close failed');
        }
        for (const sub of connections) deactivate(sub);
      });
    },
  };
}
