import { Gauge, Histogram, type Registry } from 'prom-client';

export interface ConsumerState {
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
}

export interface ClusterMetrics {
  publishAck(seconds: number, outcome: 'acked' | 'failed'): void;
}

export interface ClusterMetricSources {
  readonly connected: () => boolean;
  /** Read at scrape time from JetStream; undefined when it cannot answer. */
  readonly writerConsumer: () => Promise<ConsumerState | undefined>;
}

export function createClusterMetrics(
  registry: Registry,
  sources: ClusterMetricSources,
): ClusterMetrics {
  const publishAck = new Histogram({
    name: 'scrapewatch_nats_publish_ack_seconds',
    help: 'Time from publishing an ingest request to JetStream until every message of it was acknowledged.',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'scrapewatch_nats_connected',
    help: '1 while the collector is connected to NATS.',
    registers: [registry],
    collect() {
      this.set(sources.connected() ? 1 : 0);
    },
  });
  const consumerGauge = (name: string, help: string, pick: (s: ConsumerState) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const state = await sources.writerConsumer();
        if (state) this.set(pick(state));
      },
    });
  consumerGauge(
    'scrapewatch_nats_writer_pending_messages',
    "Stream messages (a request's events of one kind and scraper) not yet delivered to any storage writer: the QuestDB backlog.",
    (s) => s.pending,
  );
  consumerGauge(
    'scrapewatch_nats_writer_ack_pending_messages',
    'Stream messages delivered to storage writers and not yet committed to QuestDB.',
    (s) => s.ackPending,
  );
  consumerGauge(
    'scrapewatch_nats_writer_redelivered_messages',
    'Stream messages JetStream redelivered to storage writers (a writer failed or was too slow).',
    (s) => s.redelivered,
  );
  return {
    publishAck(seconds, outcome) {
      publishAck.observe({ outcome }, seconds);
    },
  };
}
