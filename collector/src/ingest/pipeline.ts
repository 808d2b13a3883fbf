import {
  ScrapewatchError,
  channelOf,
  validateEvents,
  validationError,
  type AcceptedEvent,
  type ErrorDetail,
  type EventKind,
} from '@scrapewatch/protocol';
import { scopeAllows, type TokenScope } from '../auth/tokens';
import type { IngestOptions } from '../config';
import type { LiveHub } from '../live';
import type { IngestMetrics, IngestTransport } from '../observability/metrics';
import type { Storage } from '../storage';
import { normaliseEvents } from './normalise';
import type { RateLimiter } from './rate-limit';

export interface IngestResult {
  readonly accepted: number;
  /** committed: in QuestDB; spooled: fsynced to the local spool; jetstream: acknowledged by JetStream. */
  readonly durability: 'committed' | 'spooled' | 'jetstream';
}

/** Cluster mode's durable hand-off (see cluster/publisher.ts). */
export interface EventStream {
  publish(events: readonly AcceptedEvent[], receivedAtMs: number): Promise<void>;
}

export interface IngestPipeline {
  /**
   * Takes the decoded items of one request or message: rate limit, validation, scope check,
   * eventId derivation, then the write, and the live publish as soon as the write can no longer
   * be refused for want of room (see the comment inside). Resolves once the write is durable and
   * the events are published; rejects with a ScrapewatchError and then nothing was stored, and
   * nothing was published unless the refusal is INTERNAL (QuestDB refusing validated rows, a
   * disk error).
   */
  ingest(
    items: readonly unknown[],
    scope: TokenScope,
    transport: IngestTransport,
  ): Promise<IngestResult>;
}

export interface IngestPipelineDeps {
  readonly options: IngestOptions;
  readonly storage: Pick<Storage, 'admit'>;
  readonly hub: Pick<LiveHub, 'publish'>;
  readonly metrics: IngestMetrics;
  readonly rateLimiter: RateLimiter;
  /**
   * Cluster mode: events go to the stream instead of the hub and the writer; every collector's
   * live feed and the shared storage consumer take them from there.
   */
  readonly stream?: EventStream;
  readonly nowMs?: () => number;
}

function scopeError(details: ErrorDetail[]): ScrapewatchError {
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new ScrapewatchError(
    'FORBIDDEN_SCOPE',
    `The token may not send events of this scraper: event ${String(first?.index)} ${first?.message ?? ''}${more}`,
    details,
  );
}

export function createIngestPipeline(deps: IngestPipelineDeps): IngestPipeline {
  const { options, storage, hub, metrics, rateLimiter } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  return {
    async ingest(items, scope, transport) {
      metrics.batchSize(transport, items.length);
      const rate = rateLimiter.take(scope.tokenIndex, items.length);
      if (!rate.ok) {
        throw new ScrapewatchError(
          'RATE_LIMITED',
          `This token passed its limit of ${options.rateLimitEventsPerSecond} events per second; retry after ${rate.retryAfterSeconds} s`,
          [],
          rate.retryAfterSeconds,
        );
      }
      const receivedAtMs = nowMs();
      const result = validateEvents(items, {
        nowMs: receivedAtMs,
        maxPastMs: options.maxPastMs,
        maxFutureMs: options.maxFutureMs,
      });
      if (!result.ok) throw validationError(result.details);

      const denied: ErrorDetail[] = [];
      result.events.forEach((event, index) => {
        const channel = channelOf(event);
        if (!scopeAllows(scope, channel)) {
          const path =
            event.type === 'scheduler_run' && !event.scraperSource
              ? '/schedulerName'
              : '/scraperSource';
          denied.push({
            index,
            path,
            code: 'FORBIDDEN_SCOPE',
            message: `scraper "${channel}" is outside the token's scope`,
          });
        }
      });
      if (denied.length > 0) throw scopeError(denied);

      const events = normaliseEvents(result.events);
      let durability: IngestResult['durability'] = 'jetstream';
      if (deps.stream) {
        // Cluster mode: every collector's hub (this one too) takes the events from the stream.
        await deps.stream.publish(events, receivedAtMs);
      } else {
        // Nothing ingest refuses may go live: a refused write is retried by the client, and had
        // it been streamed, subscribers would see its events twice, or events never stored.
        // Events go live once the writer has taken them with their room held in the spool (they
        // then end committed or spooled, whatever QuestDB does), without waiting for QuestDB's
        // commit; otherwise (QuestDB away and the spool nearly full) only once they are durable.
        const write = storage.admit(events, receivedAtMs);
        if (write.roomHeld) hub.publish(events);
        ({ durability } = await write.durable);
        if (!write.roomHeld) hub.publish(events);
      }

      const perKind = new Map<EventKind, number>();
      for (const event of events) perKind.set(event.type, (perKind.get(event.type) ?? 0) + 1);
      for (const [kind, count] of perKind) metrics.accepted(kind, transport, count);
      return { accepted: events.length, durability };
    },
  };
}
