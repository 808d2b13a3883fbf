export { createCollector } from './collector';
export type { Collector, CollectorDeps } from './collector';
export {
  loadConfig,
  ConfigError,
  CONFIG_VARIABLES,
  DEFAULT_INGEST_OPTIONS,
  DEFAULT_TIMEOUT_OPTIONS,
} from './config';
export type { CollectorConfig, IngestOptions, TimeoutOptions, LogLevel } from './config';
export { createLogger } from './logger';
export { deriveEventId } from './ingest/normalise';
export type { TokenSpec, TokenScope } from './auth/tokens';
export type { StorageOptions } from './storage/options';
export type { LiveOptions } from './live/options';
export { SCHEMA_VERSION, SCHEMA_VERSIONS, TABLES } from './storage/schema';
export { migrate, recordedSchemaVersion } from './storage/migrate';
export { createQuestDBClient } from './storage/questdb';
export { REFRESH_FINE_TIERS } from './storage/tiers';
export type { QuestDBClient } from './storage/questdb';
export type { SchemaVersion } from './storage/schema';
export { encodeRows, writeRows } from './storage/rows';
export type { IlpRowSink } from './storage/ilp';
export { ILP_PROTOCOL_VERSION } from './storage/questdb';
