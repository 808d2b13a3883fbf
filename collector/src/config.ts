import { isIP } from 'node:net';
import { LIMITS } from '@scrapewatch/protocol';
import { parseTokenList, type TokenSpec } from './auth/tokens';
import { DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from './cluster/options';
import { DEFAULT_LIVE_OPTIONS, type LiveOptions } from './live/options';
import { DEFAULT_STORAGE_OPTIONS, type StorageOptions } from './storage/options';

/** Limits of the ingest side (HTTP POST /v1/metrics and WS /v1/ingest). */
export interface IngestOptions {
  /** Largest request body, and largest WS /v1/ingest message (SCRAPEWATCH_MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** SCRAPEWATCH_MAX_EVENTS_PER_REQUEST */
  readonly maxEventsPerRequest: number;
  /** Oldest accepted recordedAt relative to now (SCRAPEWATCH_MAX_PAST_MS). */
  readonly maxPastMs: number;
  /** Newest accepted recordedAt relative to now: tolerated clock skew (SCRAPEWATCH_MAX_FUTURE_MS). */
  readonly maxFutureMs: number;
  /** Sustained events per second per ingest token; 0 turns the limit off (SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND). */
  readonly rateLimitEventsPerSecond: number;
  /** Bucket size of the rate limit: the burst a token may send at once (SCRAPEWATCH_RATE_LIMIT_BURST_EVENTS). */
  readonly rateLimitBurstEvents: number;
  /** Most open WS /v1/ingest connections (SCRAPEWATCH_MAX_INGEST_CONNECTIONS). */
  readonly maxWsConnections: number;
}

/** Bounds on slow clients and on shutdown. */
export interface TimeoutOptions {
  /** A request's headers must arrive within this (SCRAPEWATCH_HEADERS_TIMEOUT_MS). */
  readonly headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this (SCRAPEWATCH_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** Shutdown waits this long for in-flight HTTP requests before closing storage (SCRAPEWATCH_DRAIN_TIMEOUT_MS). */
  readonly drainTimeoutMs: number;
  /** Shutdown waits this long for the server's connections to end before forcing them (SCRAPEWATCH_SERVER_CLOSE_TIMEOUT_MS). */
  readonly serverCloseTimeoutMs: number;
  /** Shutdown of /v1/ingest waits this long for pending acks, then as long for close handshakes (SCRAPEWATCH_WS_CLOSE_GRACE_MS). */
  readonly wsCloseGraceMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CollectorConfig {
  readonly host: string;
  /** 0 binds any free port. */
  readonly port: number;
  readonly logLevel: LogLevel;
  /** False only when SCRAPEWATCH_AUTH=off: tokens are then neither required nor checked. */
  readonly authEnabled: boolean;
  readonly ingestTokens: readonly TokenSpec[];
  readonly streamTokens: readonly TokenSpec[];
  /** Browser origins allowed on the GET APIs and on /v1/stream; "*" allows any. */
  readonly allowedOrigins: readonly string[];
  readonly ingest: IngestOptions;
  readonly storage: StorageOptions;
  readonly live: LiveOptions;
  readonly timeouts: TimeoutOptions;
  /** Set by SCRAPEWATCH_NATS_URL: cluster mode (docs/scale-out.md); undefined: one process. */
  readonly cluster: ClusterOptions | undefined;
}

/** Start-up refused: the message names the variable and why. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_INGEST_OPTIONS = Object.freeze({
  maxBodyBytes: 8 * 1024 * 1024,
  maxEventsPerRequest: 10_000,
  maxPastMs: LIMITS.defaultMaxPastMs,
  maxFutureMs: LIMITS.defaultMaxFutureMs,
  rateLimitEventsPerSecond: 50_000,
  rateLimitBurstEvents: 100_000,
  maxWsConnections: 10_000,
} satisfies IngestOptions);

export const DEFAULT_TIMEOUT_OPTIONS = Object.freeze({
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  drainTimeoutMs: 30_000,
  serverCloseTimeoutMs: 5_000,
  wsCloseGraceMs: 10_000,
} satisfies TimeoutOptions);

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

type Reader = (name: string) => string | undefined;

/** Every variable the collector reads, with how it is parsed; unknown SCRAPEWATCH_* names fail start-up. */
const VARIABLES = [
  'SCRAPEWATCH_HOST',
  'SCRAPEWATCH_PORT',
  'SCRAPEWATCH_LOG_LEVEL',
  'SCRAPEWATCH_AUTH',
  'SCRAPEWATCH_INGEST_TOKENS',
  'SCRAPEWATCH_STREAM_TOKENS',
  'SCRAPEWATCH_ALLOWED_ORIGINS',
  'SCRAPEWATCH_MAX_BODY_BYTES',
  'SCRAPEWATCH_MAX_EVENTS_PER_REQUEST',
  'SCRAPEWATCH_MAX_PAST_MS',
  'SCRAPEWATCH_MAX_FUTURE_MS',
  'SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND',
  'SCRAPEWATCH_RATE_LIMIT_BURST_EVENTS',
  'SCRAPEWATCH_MAX_INGEST_CONNECTIONS',
  'SCRAPEWATCH_QUESTDB_HTTP',
  'SCRAPEWATCH_QUESTDB_PG',
  'SCRAPEWATCH_QUESTDB_TIMEOUT_MS',
  'SCRAPEWATCH_SPOOL_DIR',
  'SCRAPEWATCH_SPOOL_MAX_BYTES',
  'SCRAPEWATCH_SPOOL_REPLAY_INTERVAL_MS',
  'SCRAPEWATCH_WRITE_LINGER_MS',
  'SCRAPEWATCH_WRITE_MIN_INTERVAL_MS',
  'SCRAPEWATCH_WRITE_EAGER_ROWS',
  'SCRAPEWATCH_WRITE_MAX_ROWS',
  'SCRAPEWATCH_WRITE_MAX_BYTES',
  'SCRAPEWATCH_LIVE_TICK_MS',
  'SCRAPEWATCH_LIVE_BATCH_MAX_ITEMS',
  'SCRAPEWATCH_LIVE_MAX_FRAME_BYTES',
  'SCRAPEWATCH_LIVE_REPLAY_BATCHES',
  'SCRAPEWATCH_HEARTBEAT_INTERVAL_MS',
  'SCRAPEWATCH_MAX_SUBSCRIBERS',
  'SCRAPEWATCH_MAX_CHANNELS_PER_SUBSCRIBER',
  'SCRAPEWATCH_MAX_BUFFERED_BYTES',
  'SCRAPEWATCH_MAX_INBOUND_BYTES',
  'SCRAPEWATCH_MAX_INVALID_MESSAGES',
  'SCRAPEWATCH_HEADERS_TIMEOUT_MS',
  'SCRAPEWATCH_REQUEST_TIMEOUT_MS',
  'SCRAPEWATCH_DRAIN_TIMEOUT_MS',
  'SCRAPEWATCH_SERVER_CLOSE_TIMEOUT_MS',
  'SCRAPEWATCH_WS_CLOSE_GRACE_MS',
  'SCRAPEWATCH_NATS_URL',
  'SCRAPEWATCH_NATS_STREAM',
  'SCRAPEWATCH_NATS_REPLICAS',
  'SCRAPEWATCH_NATS_MAX_AGE_MS',
  'SCRAPEWATCH_NATS_PUBLISH_TIMEOUT_MS',
] as const;

export const CONFIG_VARIABLES: readonly string[] = VARIABLES;

function integer(
  read: Reader,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

function onOff(read: Reader, name: string, fallback: boolean): boolean {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(name, `must be "on" or "off", got ${JSON.stringify(raw)}`);
}

function url(read: Reader, name: string, fallback: string, protocols: readonly string[]): string {
  const raw = read(name);
  if (raw === undefined) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL: ${JSON.stringify(raw)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw.replace(/\/+$/, '');
}

function host(read: Reader, name: string, fallback: string): string {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const hostname =
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
  if (isIP(raw) === 0 && !hostname.test(raw)) {
    throw new ConfigError(name, `must be an IP address or a host name, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function tokens(read: Reader, name: string): TokenSpec[] {
  const raw = read(name);
  if (raw === undefined) return [];
  try {
    return parseTokenList(raw);
  } catch (error) {
    // The reason names the entry by position, never the token itself.
    throw new ConfigError(name, (error as Error).message);
  }
}

function origins(read: Reader, name: string): string[] {
  const raw = read(name);
  if (raw === undefined) return [];
  const list: string[] = [];
  for (const entry of raw.split(',')) {
    const origin = entry.trim();
    if (origin === '') continue;
    if (origin === '*') {
      list.push(origin);
      continue;
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
      parsed.origin !== origin
    ) {
      throw new ConfigError(
        name,
        `${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
    list.push(origin);
  }
  return list;
}

function natsServers(read: Reader, name: string): string[] | undefined {
  const raw = read(name);
  if (raw === undefined) return undefined;
  const servers = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const server of servers) {
    let parsed: URL;
    try {
      parsed = new URL(server);
    } catch {
      throw new ConfigError(name, `${JSON.stringify(server)} is not a URL (nats://host:4222)`);
    }
    if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:') {
      throw new ConfigError(name, `must use nats: or tls:, got ${parsed.protocol}`);
    }
    if (parsed.hostname === '')
      throw new ConfigError(name, `${JSON.stringify(server)} has no host`);
  }
  if (servers.length === 0) throw new ConfigError(name, 'names no server');
  return servers;
}

function streamName(read: Reader, name: string, fallback: string): string {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError(name, `must be 1-64 letters, digits, _ or -, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function cluster(read: Reader): ClusterOptions | undefined {
  const servers = natsServers(read, 'SCRAPEWATCH_NATS_URL');
  const c = DEFAULT_CLUSTER_OPTIONS;
  if (servers === undefined) {
    for (const name of VARIABLES) {
      if (name.startsWith('SCRAPEWATCH_NATS_') && read(name) !== undefined) {
        throw new ConfigError(name, 'applies to cluster mode only: set SCRAPEWATCH_NATS_URL too');
      }
    }
    return undefined;
  }
  return {
    natsServers: servers,
    streamName: streamName(read, 'SCRAPEWATCH_NATS_STREAM', c.streamName),
    replicas: integer(read, 'SCRAPEWATCH_NATS_REPLICAS', c.replicas, 1, 5),
    maxAgeMs: integer(read, 'SCRAPEWATCH_NATS_MAX_AGE_MS', c.maxAgeMs, 60_000, 365 * 86_400_000),
    publishTimeoutMs: integer(
      read,
      'SCRAPEWATCH_NATS_PUBLISH_TIMEOUT_MS',
      c.publishTimeoutMs,
      100,
      60_000,
    ),
  };
}

function logLevel(read: Reader, name: string, fallback: LogLevel): LogLevel {
  const raw = read(name);
  if (raw === undefined) return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      name,
      `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return raw as LogLevel;
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * SCRAPEWATCH_* names that belong to other parts of the stack (the SDK and demo, the compose
 * file's .env): a shell that sources .env or exports the demo's settings must still start the
 * collector, so these are ignored rather than refused as typos.
 */
export const OTHER_COMPONENTS_VARIABLES: readonly string[] = [
  'SCRAPEWATCH_URL',
  'SCRAPEWATCH_TOKEN',
  'SCRAPEWATCH_DEMO_TOKEN',
  'SCRAPEWATCH_GRAFANA_STREAM_TOKEN',
  'SCRAPEWATCH_COLLECTOR_PUBLIC_URL',
  'SCRAPEWATCH_QUESTDB_USER',
  'SCRAPEWATCH_QUESTDB_PASSWORD',
  'SCRAPEWATCH_QUESTDB_HOST',
  'SCRAPEWATCH_ALERT_WEBHOOK_URL',
];
const OTHER_COMPONENTS = new Set(OTHER_COMPONENTS_VARIABLES);

/**
 * Reads the collector's configuration from the environment, once. Unset variables take their
 * defaults; an empty value counts as unset. Throws ConfigError for an unknown SCRAPEWATCH_*
 * variable or an invalid value.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<CollectorConfig> {
  const known = new Set<string>(VARIABLES);
  for (const name of Object.keys(env)) {
    if (name === 'SCRAPEWATCH_LIVE_LINGER_MS') {
      throw new ConfigError(name, 'replaced by SCRAPEWATCH_LIVE_TICK_MS (see docs/live-stream.md)');
    }
    if (name.startsWith('SCRAPEWATCH_') && !known.has(name) && !OTHER_COMPONENTS.has(name)) {
      throw new ConfigError(name, 'unknown variable (see docs/collector.md for the list)');
    }
  }
  const read: Reader = (name) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const d = DEFAULT_INGEST_OPTIONS;
  const s = DEFAULT_STORAGE_OPTIONS;
  const l = DEFAULT_LIVE_OPTIONS;
  const t = DEFAULT_TIMEOUT_OPTIONS;
  const day = 86_400_000;

  const config: CollectorConfig = {
    host: host(read, 'SCRAPEWATCH_HOST', '127.0.0.1'),
    port: integer(read, 'SCRAPEWATCH_PORT', 8080, 0, 65_535),
    logLevel: logLevel(read, 'SCRAPEWATCH_LOG_LEVEL', 'info'),
    authEnabled: onOff(read, 'SCRAPEWATCH_AUTH', true),
    ingestTokens: tokens(read, 'SCRAPEWATCH_INGEST_TOKENS'),
    streamTokens: tokens(read, 'SCRAPEWATCH_STREAM_TOKENS'),
    allowedOrigins: origins(read, 'SCRAPEWATCH_ALLOWED_ORIGINS'),
    ingest: {
      maxBodyBytes: integer(
        read,
        'SCRAPEWATCH_MAX_BODY_BYTES',
        d.maxBodyBytes,
        1_024,
        1024 * 1024 * 1024,
      ),
      maxEventsPerRequest: integer(
        read,
        'SCRAPEWATCH_MAX_EVENTS_PER_REQUEST',
        d.maxEventsPerRequest,
        1,
        1_000_000,
      ),
      maxPastMs: integer(read, 'SCRAPEWATCH_MAX_PAST_MS', d.maxPastMs, 1, 365 * day),
      maxFutureMs: integer(read, 'SCRAPEWATCH_MAX_FUTURE_MS', d.maxFutureMs, 0, day),
      rateLimitEventsPerSecond: integer(
        read,
        'SCRAPEWATCH_RATE_LIMIT_EVENTS_PER_SECOND',
        d.rateLimitEventsPerSecond,
        0,
      ),
      rateLimitBurstEvents: integer(
        read,
        'SCRAPEWATCH_RATE_LIMIT_BURST_EVENTS',
        d.rateLimitBurstEvents,
        1,
      ),
      maxWsConnections: integer(read, 'SCRAPEWATCH_MAX_INGEST_CONNECTIONS', d.maxWsConnections, 1),
    },
    storage: {
      questdbHttpUrl: url(read, 'SCRAPEWATCH_QUESTDB_HTTP', s.questdbHttpUrl, ['http:', 'https:']),
      questdbPgUrl: url(read, 'SCRAPEWATCH_QUESTDB_PG', s.questdbPgUrl, [
        'postgresql:',
        'postgres:',
      ]),
      questdbTimeoutMs: integer(read, 'SCRAPEWATCH_QUESTDB_TIMEOUT_MS', s.questdbTimeoutMs, 1),
      spoolDir: read('SCRAPEWATCH_SPOOL_DIR') ?? s.spoolDir,
      spoolMaxBytes: integer(read, 'SCRAPEWATCH_SPOOL_MAX_BYTES', s.spoolMaxBytes, 1),
      spoolReplayIntervalMs: integer(
        read,
        'SCRAPEWATCH_SPOOL_REPLAY_INTERVAL_MS',
        s.spoolReplayIntervalMs,
        1,
      ),
      writeLingerMs: integer(read, 'SCRAPEWATCH_WRITE_LINGER_MS', s.writeLingerMs, 0, 60_000),
      writeMinIntervalMs: integer(
        read,
        'SCRAPEWATCH_WRITE_MIN_INTERVAL_MS',
        s.writeMinIntervalMs,
        0,
        60_000,
      ),
      writeEagerRows: integer(read, 'SCRAPEWATCH_WRITE_EAGER_ROWS', s.writeEagerRows, 1),
      writeMaxRows: integer(read, 'SCRAPEWATCH_WRITE_MAX_ROWS', s.writeMaxRows, 1),
      writeMaxBytes: integer(read, 'SCRAPEWATCH_WRITE_MAX_BYTES', s.writeMaxBytes, 1024),
    },
    live: {
      tickMs: integer(read, 'SCRAPEWATCH_LIVE_TICK_MS', l.tickMs, 0, 60_000),
      batchMaxItems: integer(read, 'SCRAPEWATCH_LIVE_BATCH_MAX_ITEMS', l.batchMaxItems, 1),
      maxFrameBytes: integer(
        read,
        'SCRAPEWATCH_LIVE_MAX_FRAME_BYTES',
        l.maxFrameBytes,
        1_024,
        64 * 1024 * 1024,
      ),
      replayBatchesPerChannel: integer(
        read,
        'SCRAPEWATCH_LIVE_REPLAY_BATCHES',
        l.replayBatchesPerChannel,
        1,
      ),
      heartbeatIntervalMs: integer(
        read,
        'SCRAPEWATCH_HEARTBEAT_INTERVAL_MS',
        l.heartbeatIntervalMs,
        100,
      ),
      maxSubscribers: integer(read, 'SCRAPEWATCH_MAX_SUBSCRIBERS', l.maxSubscribers, 1),
      maxChannelsPerSubscriber: integer(
        read,
        'SCRAPEWATCH_MAX_CHANNELS_PER_SUBSCRIBER',
        l.maxChannelsPerSubscriber,
        1,
      ),
      maxBufferedBytes: integer(read, 'SCRAPEWATCH_MAX_BUFFERED_BYTES', l.maxBufferedBytes, 1),
      maxInboundBytes: integer(read, 'SCRAPEWATCH_MAX_INBOUND_BYTES', l.maxInboundBytes, 256),
      maxInvalidMessages: integer(
        read,
        'SCRAPEWATCH_MAX_INVALID_MESSAGES',
        l.maxInvalidMessages,
        1,
      ),
    },
    timeouts: {
      headersTimeoutMs: integer(read, 'SCRAPEWATCH_HEADERS_TIMEOUT_MS', t.headersTimeoutMs, 1, day),
      requestTimeoutMs: integer(read, 'SCRAPEWATCH_REQUEST_TIMEOUT_MS', t.requestTimeoutMs, 1, day),
      drainTimeoutMs: integer(read, 'SCRAPEWATCH_DRAIN_TIMEOUT_MS', t.drainTimeoutMs, 0, day),
      serverCloseTimeoutMs: integer(
        read,
        'SCRAPEWATCH_SERVER_CLOSE_TIMEOUT_MS',
        t.serverCloseTimeoutMs,
        0,
        day,
      ),
      wsCloseGraceMs: integer(read, 'SCRAPEWATCH_WS_CLOSE_GRACE_MS', t.wsCloseGraceMs, 0, day),
    },
    cluster: cluster(read),
  };

  if (config.authEnabled && config.ingestTokens.length === 0 && !isLoopback(config.host)) {
    throw new ConfigError(
      'SCRAPEWATCH_HOST',
      `binds ${config.host} (not loopback) with auth on and no ingest token: anyone could write. ` +
        'Set SCRAPEWATCH_INGEST_TOKENS, or SCRAPEWATCH_AUTH=off for local development only',
    );
  }
  return deepFreeze(config);
}
