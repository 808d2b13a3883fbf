import type { Logger } from 'pino';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { LiveHub } from '../live';
import { decodeRecord } from './codec';
import type { ClusterConnection } from './connection';
import type { ClusterOptions } from './options';

export interface LiveFeed {
  start(): Promise<void>;
  /** The stream position the feed started after (the stream's last one at start). */
  startPosition(): number;
  close(): Promise<void>;
}

/**
 * Each collector reads the whole stream with its own ordered consumer (ephemeral, in stream order,
 * recreated by the client after a disconnect without gaps) and hands every message to its hub
 * with its stream position, which becomes the live batch's seq: a viewer on any collector sees
 * what scrapers sent to every collector, numbered the same everywhere.
 */
export function createLiveFeed(
  options: ClusterOptions,
  connection: ClusterConnection,
  hub: Pick<LiveHub, 'publishAt'>,
  logger: Logger,
): LiveFeed {
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;
  let start = 0;

  return {
    async start() {
      const info = await connection.jsm.streams.info(options.streamName);
      start = info.state.last_seq;
      const consumer = await connection.js.consumers.get(options.streamName, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: start + 1,
      });
      messages = await consumer.consume({ max_messages: 1_000 });
      const source = messages;
      loop = (async () => {
        for await (const msg of source) {
          const record = decodeRecord(msg.data);
          if (record === undefined) {
            logger.warn(
              { seq: msg.seq, subject: msg.subject },
              'stream message is not an event record',
            );
          }
          hub.publishAt(record?.events ?? [], msg.seq);
        }
      })().catch((error: unknown) => logger.error({ err: error }, 'live feed stopped'));
    },
    startPosition: () => start,
    async close() {
      await messages?.close();
      await loop;
    },
  };
}
