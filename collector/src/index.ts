export { createCollector } from './collector';
export type { Collector, CollectorDeps } from './collector';
export { loadConfig, ConfigError, CONFIG_VARIABLES, DEFAULT_INGEST_OPTIONS } from './config';
export type { CollectorConfig, IngestOptions, LogLevel } from './config';
export { createLogger } from './logger';
export { deriveEventId } from './ingest/normalise';
export type { TokenSpec, TokenScope } from './auth/tokens';
export type { StorageOptions } from './storage/options';
export type { LiveOptions } from './live/options';
