import type { Logger } from 'pino';
import { ScrapewatchError, type AcceptedEvent } from '@scrapewatch/protocol';
import { chunkEvents } from './codec';
import type { ClusterConnection } from './connection';
import type { ClusterMetrics } from './metrics';
import { MESSAGE_MAX_BYTES, RETRY_AFTER_SECONDS, type ClusterOptions } from './options';
import { subjectOf } from './subjects';

export interface EventPublisher {
  /**
   * Publishes the events of one request as one stream message per (kind, scraper), each bounded in
   * bytes (codec.ts), and resolves when JetStream acknowledged every message. Rejects UNAVAILABLE
   * (503, Retry-After) when NATS is unreachable or does not acknowledge in time; some messages
   * may then be in the stream already, and the client's retry of the same request is deduplicated
   * by their message ids.
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

/** Room left in a NATS message for the headers (Nats-Msg-Id, expected stream). */
const HEADER_ROOM_BYTES = 1_024;

export function createEventPublisher(
  options: ClusterOptions,
  connection: ClusterConnection,
  metrics: ClusterMetrics,
  logger: Logger,
): EventPublisher {
  const { js, nc } = connection;
  return {
    async publish(events, receivedAtMs) {
      if (!connection.connected()) throw unavailable('NATS is unreachable');
      const started = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
      const serverMax = nc.info?.max_payload ?? MESSAGE_MAX_BYTES;
      const maxBytes = Math.min(MESSAGE_MAX_BYTES, serverMax - HEADER_ROOM_BYTES);
      const chunks = chunkEvents(events, receivedAtMs, maxBytes);
      // Published together: the client pipelines them on one connection, JetStream acks each.
      const acks = chunks.map((chunk) =>
        js.publish(subjectOf(chunk.kind, chunk.channel), chunk.body, {
          msgID: chunk.msgId,
          timeout: options.publishTimeoutMs,
          expect: { streamName: options.streamName },
        }),
      );
      const results = await Promise.allSettled(acks);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        metrics.publishAck(elapsed(), 'failed');
        logger.warn(
          { err: failed.reason, events: events.length, messages: chunks.length },
          'JetStream publish failed',
        );
        throw unavailable(
          connection.connected() ? 'no acknowledgement in time' : 'NATS is unreachable',
        );
      }
      metrics.publishAck(elapsed(), 'acked');
    },
  };
}
