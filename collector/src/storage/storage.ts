import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  ScrapewatchError,
  type AcceptedEvent,
  type HistoryQuery,
  type HistoryResponse,
  type ScrapersResponse,
} from '@scrapewatch/protocol';
import { createHistoryReader } from './history';
import { createStorageMetrics } from './metrics';
import { migrate } from './migrate';
import type { StorageOptions } from './options';
import { createQuestDBClient } from './questdb';
import { createReplayer } from './replayer';
import { SCHEMA_VERSION } from './schema';
import { createSpool } from './spool';
import { createWriter, type AdmittedWrite, type Durability, type WriteFallback } from './writer';

export interface Readiness {
  ready: boolean;
  questdb: boolean;
  schemaVersion: number | null;
  spooledBytes: number;
}

export interface Storage {
  /**
   * Starts the writer and the spool replayer; applies the versioned schema as soon as QuestDB
   * answers. Resolves even when QuestDB is down at start-up (writes then go to the spool).
   */
  start(): Promise<void>;
  /**
   * Durable: resolves only when the rows are committed in QuestDB ('committed') or appended and
   * fsynced to the spool ('spooled'). Rejects with ScrapewatchError('SPOOL_FULL', ..., [],
   * retryAfterSeconds) when QuestDB is unreachable and the spool is full. With fallback 'reject'
   * nothing is spooled: resolves 'committed' or rejects UNAVAILABLE. Concurrent calls share ILP
   * batches (group commit).
   */
  write(
    events: readonly AcceptedEvent[],
    receivedAtMs: number,
    fallback?: WriteFallback,
  ): Promise<{ durability: Durability }>;
  /**
   * write() in two steps, for the live stream: the events are taken at once and `roomHeld` says
   * whether they can still be refused with SPOOL_FULL (see AdmittedWrite). Throws a
   * ScrapewatchError (NOT_READY, SHUTTING_DOWN, INTERNAL) when they are not taken.
   */
  admit(events: readonly AcceptedEvent[], receivedAtMs: number): AdmittedWrite;
  /** For /readyz: ready when QuestDB answers and the schema is in force. */
  readiness(): Promise<Readiness>;
  /** Rejects ScrapewatchError('HISTORY_UNAVAILABLE') when QuestDB fails. */
  history(query: HistoryQuery): Promise<HistoryResponse>;
  scrapers(): Promise<ScrapersResponse>;
  /** Stops timers, flushes what is pending (to QuestDB or the spool), closes connections. */
  close(): Promise<void>;
}

export interface StorageDeps {
  readonly logger: Logger;
  readonly registry: Registry;
}

/** Largest ILP request a spool replay sends. */
const REPLAY_MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** Liveness probes (readiness, replay) wait at most this long. */
const PROBE_TIMEOUT_MS = 2_000;

export function createStorage(options: StorageOptions, deps: StorageDeps): Storage {
  const logger = deps.logger.child({ component: 'storage' });
  const client = createQuestDBClient(options.questdbHttpUrl, options.questdbTimeoutMs);
  const spool = createSpool({ dir: options.spoolDir, maxBytes: options.spoolMaxBytes }, logger);
  const metrics = createStorageMetrics(deps.registry, { spooledBytes: () => spool.bytes });
  const reader = createHistoryReader(
    { pgUrl: options.questdbPgUrl, timeoutMs: options.questdbTimeoutMs },
    logger,
  );
  const probeTimeoutMs = Math.min(PROBE_TIMEOUT_MS, options.questdbTimeoutMs);
  let schemaVersion: number | null = null;
  let schemaWarned = false;
  let migrating: Promise<boolean> | undefined;
  let starting: Promise<void> | undefined;
  let started = false;
  let closed = false;

  const schemaReady = (): boolean => schemaVersion !== null && schemaVersion >= SCHEMA_VERSION;

  /** Applies the schema unless it already is in force; never rejects. */
  function ensureSchema(): Promise<boolean> {
    if (schemaReady()) return Promise.resolve(true);
    migrating ??= migrate(client, logger)
      .then((version) => {
        schemaVersion = version;
        schemaWarned = false;
        return schemaReady();
      })
      .catch((error: unknown) => {
        // Once per outage, not once per retry.
        if (!schemaWarned)
          logger.warn({ err: error }, 'schema not applied yet: QuestDB unavailable');
        schemaWarned = true;
        return false;
      })
      .finally(() => {
        migrating = undefined;
      });
    return migrating;
  }

  function forgetSchema(): void {
    schemaVersion = null;
  }

  const writer = createWriter(
    {
      lingerMs: options.writeLingerMs,
      minIntervalMs: options.writeMinIntervalMs,
      eagerRows: options.writeEagerRows,
      maxRows: options.writeMaxRows,
      maxBytes: options.writeMaxBytes,
      retryAfterSeconds: Math.max(1, Math.ceil((options.spoolReplayIntervalMs * 5) / 1000)),
    },
    // Behind spooled data or before the schema exists, rows queue in the spool: ILP would
    // otherwise create the tables with guessed types, and new rows would overtake old ones.
    {
      client,
      spool,
      metrics,
      logger,
      canWriteDirect: () => schemaReady() && spool.isEmpty,
      // A QuestDB that went away may come back empty (new volume): check the schema again before
      // any row goes to it, or ILP would create the tables with guessed column types.
      onUnavailable: forgetSchema,
    },
  );
  const replayer = createReplayer(
    {
      intervalMs: options.spoolReplayIntervalMs,
      maxRequestBytes: REPLAY_MAX_REQUEST_BYTES,
      rejectedDir: path.join(options.spoolDir, 'rejected'),
      probeTimeoutMs,
    },
    { client, spool, metrics, logger, ensureSchema, onUnavailable: forgetSchema },
  );

  return {
    start() {
      starting ??= (async () => {
        // Rejects when the spool directory cannot be used (not writable, locked by a live
        // process): without it no write could be acknowledged durably.
        await spool.open();
        if (!spool.isEmpty) {
          logger.info({ spooledBytes: spool.bytes }, 'spool holds data from before');
        }
        await ensureSchema();
        started = true;
        replayer.start();
        if (!spool.isEmpty) void replayer.kick();
      })();
      return starting;
    },
    write(events, receivedAtMs, fallback) {
      if (closed) return Promise.reject(new ScrapewatchError('SHUTTING_DOWN'));
      if (!started) return Promise.reject(new ScrapewatchError('NOT_READY'));
      return writer.write(events, receivedAtMs, fallback);
    },
    admit(events, receivedAtMs) {
      if (closed) throw new ScrapewatchError('SHUTTING_DOWN');
      if (!started) throw new ScrapewatchError('NOT_READY');
      return writer.admit(events, receivedAtMs);
    },
    async readiness() {
      const questdb = await client.ping(probeTimeoutMs);
      if (questdb && !schemaReady()) await ensureSchema();
      return {
        ready: questdb && schemaReady(),
        questdb,
        schemaVersion,
        spooledBytes: spool.bytes,
      };
    },
    history: (query) => reader.history(query),
    scrapers: () => reader.scrapers(),
    async close() {
      if (closed) return;
      closed = true;
      await replayer.close();
      await migrating;
      await writer.close();
      await spool.close();
      await reader.close();
      client.close();
    },
  };
}
