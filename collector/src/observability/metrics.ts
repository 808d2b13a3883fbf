import { Counter, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { ErrorCode, EventKind } from '@scrapewatch/protocol';

export type IngestTransport = 'http' | 'ws';

/** The ingest side's Prometheus metrics; storage and the live hub register their own. */
export interface IngestMetrics {
  accepted(kind: EventKind, transport: IngestTransport, events: number): void;
  /** `events`: how many items the rejected request held (1 when it could not be read). */
  rejected(code: ErrorCode, transport: IngestTransport, events: number): void;
  batchSize(transport: IngestTransport, events: number): void;
  requestDuration(route: string, method: string, status: number, seconds: number): void;
}

/**
 * Registers the process's default metrics and the ingest metrics on `registry` (the live hub
 * registers its subscriber gauge, storage its writer and spool metrics).
 */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const accepted = new Counter({
    name: 'scrapewatch_events_accepted_total',
    help: 'Events accepted (validated and stored or spooled), by kind and transport.',
    labelNames: ['kind', 'transport'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'scrapewatch_events_rejected_total',
    help: 'Events in rejected requests or messages, by error code and transport.',
    labelNames: ['code', 'transport'] as const,
    registers,
  });
  const batchSize = new Histogram({
    name: 'scrapewatch_ingest_batch_size',
    help: 'Events per ingest request or WS message.',
    labelNames: ['transport'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000],
    registers,
  });
  const duration = new Histogram({
    name: 'scrapewatch_http_request_duration_seconds',
    help: 'HTTP request duration, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return {
    accepted: (kind, transport, events) => accepted.inc({ kind, transport }, events),
    rejected: (code, transport, events) => rejected.inc({ code, transport }, Math.max(1, events)),
    batchSize: (transport, events) => batchSize.observe({ transport }, events),
    requestDuration: (route, method, status, seconds) =>
      duration.observe({ route, method, status: String(status) }, seconds),
  };
}
