import type { Logger } from 'pino';
import { connect } from '@nats-io/transport-node';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import {
  DUPLICATE_WINDOW_MS,
  SUBJECT_PREFIX,
  WRITER_ACK_WAIT_MS,
  WRITER_CONSUMER,
  WRITER_MAX_ACK_PENDING,
  type ClusterOptions,
} from './options';

export interface ClusterConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** False between a disconnect and the next reconnect: publishing then fails fast. */
  connected(): boolean;
  /** Drains subscriptions and closes the connection. */
  close(): Promise<void>;
}

/** Connecting at start-up waits at most this long; after that the client reconnects forever. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects, then creates (or updates) the stream and the writers' durable consumer. Both calls are
 * idempotent, so every collector makes them at start-up and the first one creates the resources.
 */
export async function openClusterConnection(
  options: ClusterOptions,
  logger: Logger,
): Promise<ClusterConnection> {
  const nc = await connect({
    servers: [...options.natsServers],
    name: 'scrapewatch-collector',
    timeout: CONNECT_TIMEOUT_MS,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 5_000,
    maxPingOut: 2,
  });
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        logger.warn(
          { server: status.server },
          'NATS disconnected; ingest answers 503 until it is back',
        );
      } else if (status.type === 'reconnect') {
        connected = true;
        logger.info({ server: status.server }, 'NATS reconnected');
      }
    }
  })().catch((error: unknown) => logger.debug({ err: error }, 'NATS status stream ended'));

  try {
    const jsm = await jetstreamManager(nc);
    const stream = {
      name: options.streamName,
      subjects: [`${SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: options.replicas,
      max_age: nanos(options.maxAgeMs),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    };
    try {
      await jsm.streams.add(stream);
    } catch (error) {
      // Exists with other settings (another version, changed replicas or age): bring it in line.
      await jsm.streams.info(options.streamName).catch(() => {
        throw error;
      });
      await jsm.streams.update(options.streamName, stream);
    }
    await jsm.consumers.add(options.streamName, {
      durable_name: WRITER_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(WRITER_ACK_WAIT_MS),
      max_ack_pending: WRITER_MAX_ACK_PENDING,
    });
    return {
      nc,
      js: jetstream(nc),
      jsm,
      connected: () => connected && !nc.isClosed(),
      async close() {
        if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
