export { createStorage } from './storage';
export type { Storage, StorageDeps, Readiness } from './storage';
export type { AdmittedWrite, Durability, WriteFallback } from './writer';
export { DEFAULT_STORAGE_OPTIONS } from './options';
export type { StorageOptions } from './options';
export { SCHEMA_VERSION, SCHEMA_VERSIONS, TABLES, RAW_TTL, HOURLY_TTL } from './schema';
export { TIERS, REFRESH_FINE_TIERS, FINE_REFRESH, HOURLY_TIER_TTL } from './tiers';
export type { TierSpec } from './tiers';
export type { SchemaVersion } from './schema';
