import type { Logger } from 'pino';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import type { LiveHub } from '../live';
import { decodeRecord } from './codec';
import type { ClusterConnection } from './connection';
import type { ClusterOptions } from './options';

export interface LiveFeed {
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Each collector reads the whole stream with its own ordered consumer (ephemeral, in stream order,
 * recreated by the client after a disconnect without gaps) and hands every event to its hub, so a
 * viewer on any collector sees what scrapers sent to every collector. Messages that arrive within
 * one turn of the event loop go to the hub together.
 */
export function createLiveFeed(
  options: ClusterOptions,
  connection: ClusterConnection,
  hub: Pick<LiveHub, 'publish'>,
  logger: Logger,
): LiveFeed {
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;
  let pending: AcceptedEvent[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const events = pending;
    pending = [];
    if (events.length > 0) hub.publish(events);
  }

  return {
    async start() {
      const consumer = await connection.js.consumers.get(options.streamName, {
        deliver_policy: DeliverPolicy.New,
      });
      messages = await consumer.consume({ max_messages: 1_000 });
      const source = messages;
      loop = (async () => {
        for await (const msg of source) {
          const record = decodeRecord(msg.string());
          if (!record) continue;
          pending.push(record.event);
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        }
      })().catch((error: unknown) => logger.error({ err: error }, 'live feed stopped'));
    },
    async close() {
      await messages?.close();
      await loop;
      flush();
    },
  };
}
