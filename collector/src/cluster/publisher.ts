import type { Logger } from 'pino';
import { ScrapewatchError, type AcceptedEvent } from '@scrapewatch/protocol';
import { encodeRecord } from './codec';
import type { ClusterConnection } from './connection';
import type { ClusterMetrics } from './metrics';
import { RETRY_AFTER_SECONDS, type ClusterOptions } from './options';
import { subjectOf } from './subjects';

export interface EventPublisher {
  /**
   * Publishes one message per event (Nats-Msg-Id = eventId, so a re-sent event inside the
   * duplicate window is stored once) and resolves when JetStream acknowledged every one of them.
   * Rejects UNAVAILABLE (503, Retry-After) when NATS is unreachable or does not acknowledge in
   * time; some of the events may then be in the stream already, and a retry is deduplicated.
   */
  publish(events: readonly AcceptedEvent[], receivedAtMs: number): Promise<void>;
}

function unavailable(reason: string): ScrapewatchError {
  return new ScrapewatchError(
    'UNAVAILABLE',
    `The event stream did not acknowledge (${reason}); nothing was acknowledged, retry in ${RETRY_AFTER_SECONDS} s.`,
    [],
    RETRY_AFTER_SECONDS,
  );
}

export function createEventPublisher(
  options: ClusterOptions,
  connection: ClusterConnection,
  metrics: ClusterMetrics,
  logger: Logger,
): EventPublisher {
  const { js } = connection;
  return {
    async publish(events, receivedAtMs) {
      if (!connection.connected()) throw unavailable('NATS is unreachable');
      const started = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
      // Published together: the client pipelines them on one connection, JetStream acks each.
      const acks = events.map((event) =>
        js.publish(subjectOf(event), encodeRecord(event, receivedAtMs), {
          msgID: event.eventId,
          timeout: options.publishTimeoutMs,
          expect: { streamName: options.streamName },
        }),
      );
      const results = await Promise.allSettled(acks);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        metrics.publishAck(elapsed(), 'failed');
        logger.warn({ err: failed.reason, events: events.length }, 'JetStream publish failed');
        throw unavailable(
          connection.connected() ? 'no acknowledgement in time' : 'NATS is unreachable',
        );
      }
      metrics.publishAck(elapsed(), 'acked');
    },
  };
}
