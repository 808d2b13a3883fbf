import type { Logger } from 'pino';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { ScrapewatchError } from '@scrapewatch/protocol';
import type { Storage } from '../storage';
import { decodeRecord } from './codec';
import type { ClusterConnection } from './connection';
import type { ConsumerState } from './metrics';
import { WRITER_CONSUMER, type ClusterOptions } from './options';

export interface StorageConsumer {
  start(): Promise<void>;
  /** The writers' shared consumer as JetStream sees it (for /metrics); undefined if it cannot say. */
  state(): Promise<ConsumerState | undefined>;
  /** Stops pulling, waits for the writes in flight and acks what committed. */
  close(): Promise<void>;
}

/** Bytes one collector pulls at a time: the writer's group commit batches what arrives. */
const PULL_MAX_BYTES = 4 * 1024 * 1024;
/** Message bytes being written per collector before it stops reading from the consumer. */
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/** A write QuestDB could not take is redelivered after this long. */
const RETRY_DELAY_MS = 1_000;
const INFO_TIMEOUT_MS = 1_000;

/**
 * Every collector pulls from one durable consumer: JetStream hands each message (a request's
 * events of one kind and scraper) to one of them. A message is acknowledged only after QuestDB
 * committed its rows (write fallback 'reject': the
 * local spool is not used, JetStream keeps the backlog); a failed write is nak'ed and comes back.
 * Redelivery after an ack was lost is harmless: QuestDB's dedup keys store the row once.
 */
export function createStorageConsumer(
  options: ClusterOptions,
  connection: ClusterConnection,
  storage: Pick<Storage, 'write'>,
  logger: Logger,
): StorageConsumer {
  let consumer: Consumer | undefined;
  let messages: ConsumerMessages | undefined;
  let loop: Promise<void> | undefined;
  let inFlightBytes = 0;
  let onDrained: (() => void) | undefined;
  const writes = new Set<Promise<void>>();

  function write(msg: JsMsg): Promise<void> {
    const record = decodeRecord(msg.data);
    if (!record) {
      logger.error({ seq: msg.seq, subject: msg.subject }, 'stream message is not an event record');
      msg.term('not an event record');
      return Promise.resolve();
    }
    return storage.write(record.events, record.receivedAtMs, 'reject').then(
      () => msg.ack(),
      (error: unknown) => {
        if (error instanceof ScrapewatchError && error.code === 'INTERNAL') {
          // QuestDB refused the rows themselves: retrying cannot help.
          logger.error(
            { err: error, seq: msg.seq, events: record.events.length },
            'QuestDB rejected a stream message; dropped',
          );
          msg.term('rejected by QuestDB');
        } else {
          msg.nak(RETRY_DELAY_MS);
        }
      },
    );
  }

  async function run(source: ConsumerMessages): Promise<void> {
    for await (const msg of source) {
      const bytes = msg.data.length;
      inFlightBytes += bytes;
      const pending = write(msg).finally(() => {
        inFlightBytes -= bytes;
        writes.delete(pending);
        if (inFlightBytes < MAX_IN_FLIGHT_BYTES) onDrained?.();
      });
      writes.add(pending);
      if (inFlightBytes >= MAX_IN_FLIGHT_BYTES) {
        await new Promise<void>((resolve) => {
          onDrained = () => {
            onDrained = undefined;
            resolve();
          };
        });
      }
    }
  }

  return {
    async start() {
      consumer = await connection.js.consumers.get(options.streamName, WRITER_CONSUMER);
      messages = await consumer.consume({ max_bytes: PULL_MAX_BYTES });
      loop = run(messages).catch((error: unknown) => {
        logger.error({ err: error }, 'storage consumer stopped');
      });
    },
    async state() {
      try {
        const info = await Promise.race([
          connection.jsm.consumers.info(options.streamName, WRITER_CONSUMER),
          new Promise<never>((_resolve, reject) => {
            setTimeout(() => reject(new Error('timeout')), INFO_TIMEOUT_MS).unref();
          }),
        ]);
        return {
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
        };
      } catch {
        return undefined;
      }
    },
    async close() {
      await messages?.close();
      onDrained?.();
      await loop;
      await Promise.allSettled([...writes]);
    },
  };
}
