// Everything in the dependency-free core, plus what needs TypeBox and ajv: the TypeBox schemas,
// the validators and the request-body unpacking.
export * from './core';
export {
  PageNavigationSchema,
  PageScrapeSchema,
  SchedulerRunSchema,
  ScraperRunSchema,
} from './events';
export { validateEvent, validateEvents, validationError } from './validate';
export type { ValidateOptions, ValidationResult } from './validate';
export { unpackPayload } from './payload';
export { openApiDocument } from './openapi';
export type { OpenApiOptions } from './openapi';
export {
  DURATION_BUCKET_BOUNDS_MS,
  DURATION_BUCKETS,
  BLOCK_REASON_COLUMNS,
  ERROR_CLASS_COLUMNS,
  STATUS_CLASS_COLUMNS,
  ROLLUP_GRAINS,
  rollupName,
} from './rollups';
export type { DurationBucket, RollupGrain, RolledUpTable } from './rollups';
