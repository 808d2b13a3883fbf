export { createStorage } from './storage';
export type { Storage, StorageDeps, Readiness } from './storage';
export type { Durability } from './writer';
export { DEFAULT_STORAGE_OPTIONS } from './options';
export type { StorageOptions } from './options';
export { SCHEMA_VERSION, SCHEMA_VERSIONS, TABLES, RAW_TTL, HOURLY_TTL } from './schema';
export type { SchemaVersion } from './schema';
