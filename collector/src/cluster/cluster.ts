import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import type { LiveHub, StreamReplay } from '../live';
import type { Storage } from '../storage';
import { openClusterConnection, type ClusterConnection } from './connection';
import { createLiveFeed, type LiveFeed } from './live-feed';
import { createClusterMetrics } from './metrics';
import type { ClusterOptions } from './options';
import { createEventPublisher, type EventPublisher } from './publisher';
import { createReplayReader } from './replay-reader';
import { createStorageConsumer, type StorageConsumer } from './storage-consumer';

export interface Cluster {
  /** Connects to NATS, ensures the stream and consumer, starts the storage writer and live feed. */
  start(): Promise<void>;
  /** See EventPublisher.publish: resolves once JetStream acknowledged every event. */
  publish(events: readonly AcceptedEvent[], receivedAtMs: number): Promise<void>;
  /** For /readyz. */
  connected(): boolean;
  /** Stream positions for the live hub's resume (usable once started). */
  readonly replay: StreamReplay;
  /** Stops the live feed and the storage writer (acking what committed), then disconnects. */
  close(): Promise<void>;
}

export interface ClusterDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly storage: Pick<Storage, 'write'>;
  readonly hub: Pick<LiveHub, 'publishAt'>;
}

export function createCluster(options: ClusterOptions, deps: ClusterDeps): Cluster {
  const logger = deps.logger.child({ component: 'cluster' });
  let connection: ClusterConnection | undefined;
  let publisher: EventPublisher | undefined;
  let writer: StorageConsumer | undefined;
  let feed: LiveFeed | undefined;
  const metrics = createClusterMetrics(deps.registry, {
    connected: () => connection?.connected() ?? false,
    writerConsumer: async () => writer?.state(),
  });

  return {
    async start() {
      connection = await openClusterConnection(options, logger);
      publisher = createEventPublisher(options, connection, metrics, logger);
      writer = createStorageConsumer(options, connection, deps.storage, logger);
      feed = createLiveFeed(options, connection, deps.hub, logger);
      await feed.start();
      await writer.start();
      logger.info(
        { servers: options.natsServers, stream: options.streamName },
        'cluster mode: ingest goes through JetStream',
      );
    },
    publish(events, receivedAtMs) {
      if (!publisher) return Promise.reject(new Error('cluster not started'));
      return publisher.publish(events, receivedAtMs);
    },
    connected: () => connection?.connected() ?? false,
    replay: createReplayReader(
      options,
      () => connection,
      () => feed?.startPosition() ?? 0,
    ),
    async close() {
      await feed?.close();
      await writer?.close();
      await connection?.close();
    },
  };
}
