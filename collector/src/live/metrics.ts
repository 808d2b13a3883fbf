import { Counter, Gauge, type Registry } from 'prom-client';

export interface LiveMetrics {
  readonly batchesSerialized: Counter;
  readonly batchesSent: Counter;
  readonly framesSerialized: Counter;
  readonly framesSent: Counter;
  readonly eventsSent: Counter;
  readonly bytesSent: Counter;
  readonly slowConsumerDrops: Counter;
  readonly heartbeatTerminations: Counter;
  readonly rejected: Counter<'code'>;
  readonly clientErrors: Counter<'code'>;
  readonly replayedBatches: Counter;
  readonly gaps: Counter;
}

/** Values read when Prometheus scrapes rather than kept up to date on every change. */
export interface LiveGauges {
  subscribers(): number;
  bufferedBytes(): number;
  replayBytes(): number;
  heldBytes(): number;
}

export function createLiveMetrics(registry: Registry, gauges: LiveGauges): LiveMetrics {
  const registers = [registry];
  new Gauge({
    name: 'scrapewatch_live_subscribers',
    help: 'Open WebSocket connections on /v1/stream.',
    registers,
    collect() {
      this.set(gauges.subscribers());
    },
  });
  new Gauge({
    name: 'scrapewatch_live_buffered_bytes',
    help: 'Bytes queued in user space for all /v1/stream sockets together (unsent).',
    registers,
    collect() {
      this.set(gauges.bufferedBytes());
    },
  });
  new Gauge({
    name: 'scrapewatch_live_replay_bytes',
    help: 'Bytes of sealed batches held in the replay rings of all channels.',
    registers,
    collect() {
      this.set(gauges.replayBytes());
    },
  });
  new Gauge({
    name: 'scrapewatch_live_held_bytes',
    help: 'Bytes of batches held back for sockets with too many unsent bytes, to be merged into their next frame.',
    registers,
    collect() {
      this.set(gauges.heldBytes());
    },
  });
  return {
    batchesSerialized: new Counter({
      name: 'scrapewatch_live_batches_serialized_total',
      help: 'Batches sealed and serialised (once each, whatever the number of subscribers).',
      registers,
    }),
    batchesSent: new Counter({
      name: 'scrapewatch_live_batches_sent_total',
      help: 'Batches sent (alone or in frames), summed over subscribers (live and replayed).',
      registers,
    }),
    framesSerialized: new Counter({
      name: 'scrapewatch_live_frames_serialized_total',
      help: 'metrics_frame messages built: once per tick per group of identical subscriptions, or per subscriber for replays and held batches.',
      registers,
    }),
    framesSent: new Counter({
      name: 'scrapewatch_live_frames_sent_total',
      help: 'metrics_frame messages handed to sockets, summed over subscribers.',
      registers,
    }),
    eventsSent: new Counter({
      name: 'scrapewatch_live_events_sent_total',
      help: 'Events sent in metrics_batch messages, summed over subscribers.',
      registers,
    }),
    bytesSent: new Counter({
      name: 'scrapewatch_live_bytes_sent_total',
      help: 'Payload bytes of metrics_batch and metrics_frame messages handed to sockets, summed over subscribers.',
      registers,
    }),
    slowConsumerDrops: new Counter({
      name: 'scrapewatch_live_slow_consumer_drops_total',
      help: 'Subscribers closed with 4008 because their unsent bytes passed the bound.',
      registers,
    }),
    heartbeatTerminations: new Counter({
      name: 'scrapewatch_live_heartbeat_terminations_total',
      help: 'Peers terminated for not answering a ping within one heartbeat period.',
      registers,
    }),
    rejected: new Counter<'code'>({
      name: 'scrapewatch_live_rejected_connections_total',
      help: 'Connections refused at upgrade or closed by policy, by error code.',
      labelNames: ['code'] as const,
      registers,
    }),
    clientErrors: new Counter<'code'>({
      name: 'scrapewatch_live_client_errors_total',
      help: 'error messages sent for bad client messages, by error code.',
      labelNames: ['code'] as const,
      registers,
    }),
    replayedBatches: new Counter({
      name: 'scrapewatch_live_replayed_batches_total',
      help: 'Batches replayed to resuming subscribers.',
      registers,
    }),
    gaps: new Counter({
      name: 'scrapewatch_live_gaps_total',
      help: 'gap messages sent: batches a resuming subscriber missed that were no longer held.',
      registers,
    }),
  };
}
