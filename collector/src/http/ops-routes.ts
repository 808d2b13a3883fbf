import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Storage } from '../storage';

/** GET /healthz: the process answers (liveness); says nothing about QuestDB. */
export function healthRoute(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'ok' });
  };
}

export interface ReadinessDeps {
  readonly storage: Pick<Storage, 'readiness'>;
  /** Cluster mode: ingest depends on NATS, not on QuestDB (JetStream holds the backlog). */
  readonly cluster?: { connected(): boolean };
  readonly isClosing: () => boolean;
  readonly logger: Logger;
}

/**
 * GET /readyz: 200 when QuestDB answers and the schema is applied, else 503 with the reasons.
 * In cluster mode: 200 when NATS is connected; QuestDB's state is reported but does not make the
 * collector unready, because ingest is acknowledged by JetStream and the writers catch up.
 * A collector that is shutting down is not ready.
 */
export function readinessRoute(deps: ReadinessDeps): RequestHandler {
  return async (_req, res) => {
    const reasons: string[] = [];
    const notes: string[] = [];
    let state = { questdb: false, schemaVersion: null as number | null, spooledBytes: 0 };
    try {
      const readiness = await deps.storage.readiness();
      state = readiness;
      // Cluster mode: storage problems are reported, and JetStream holds the backlog meanwhile.
      const storageReasons = deps.cluster ? notes : reasons;
      if (!readiness.questdb) storageReasons.push('QuestDB is unreachable');
      if (readiness.schemaVersion === null) storageReasons.push('the schema is not applied yet');
      if (!readiness.ready && storageReasons.length === 0)
        storageReasons.push('storage is not ready');
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      reasons.push('the readiness check failed');
    }
    const nats = deps.cluster?.connected();
    if (nats === false) reasons.push('NATS is unreachable');
    if (deps.isClosing()) reasons.push('the collector is shutting down');
    const ready = reasons.length === 0;
    res.status(ready ? 200 : 503).json({
      ready,
      questdb: state.questdb,
      schemaVersion: state.schemaVersion,
      spooledBytes: state.spooledBytes,
      ...(nats === undefined ? {} : { nats, storageNotes: notes }),
      reasons,
    });
  };
}

/** GET /metrics: the Prometheus text exposition of `registry`. */
export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  };
}
