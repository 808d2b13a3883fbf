import type { EventKind } from './kinds';
import { EVENT_REGISTRY, type FieldSpec, type KindSpec } from './registry';

/** A JSON Schema (draft 2020-12 subset) as a plain object. */
export type JsonSchema = Record<string, unknown>;

export interface WireSchemaOptions {
  /** Add each field's documentation as `description` (the OpenAPI document does). */
  readonly describe?: boolean;
}

/**
 * A nullable field is one `type: [T, "null"]` rather than `anyOf`: one error per bad value (so
 * rejections name the real problem) and a faster compiled validator.
 */
function fieldSchema(field: FieldSpec, options: WireSchemaOptions): JsonSchema {
  const value = field.value;
  let schema: JsonSchema;
  switch (value.type) {
    case 'string':
      schema = {
        ...(value.minLength !== undefined ? { minLength: value.minLength } : {}),
        maxLength: value.maxLength,
        ...(value.pattern !== undefined ? { pattern: value.pattern } : {}),
        type: 'string',
      };
      break;
    case 'number':
    case 'integer':
      schema = { minimum: value.minimum, maximum: value.maximum, type: value.type };
      break;
    case 'boolean':
      schema = { type: 'boolean' };
      break;
    case 'enum':
      schema = { type: 'string', enum: [...value.values] };
      break;
    case 'counts':
      schema = {
        type: 'object',
        maxProperties: value.maxProperties,
        propertyNames: { type: 'string', ...value.key },
        additionalProperties: { minimum: 0, maximum: value.maximum, type: 'integer' },
      };
      break;
  }
  if (field.nullable) schema = { ...schema, type: [schema['type'], 'null'] };
  if (options.describe) schema = { description: field.doc, ...schema };
  return schema;
}

/** The JSON schema of one kind's wire event. Unknown properties are rejected so typos surface at once. */
export function wireSchema(spec: KindSpec, options: WireSchemaOptions = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    type: { const: spec.kind, type: 'string' },
  };
  const required = ['type'];
  for (const field of spec.fields) {
    properties[field.name] = fieldSchema(field, options);
    if (field.required) required.push(field.name);
  }
  return {
    ...(options.describe ? { description: spec.doc } : {}),
    additionalProperties: false,
    type: 'object',
    required,
    properties,
  };
}

/** Every kind's wire schema. */
export function wireSchemas(options: WireSchemaOptions = {}): Record<EventKind, JsonSchema> {
  return {
    page_navigation: wireSchema(EVENT_REGISTRY.page_navigation, options),
    page_scrape: wireSchema(EVENT_REGISTRY.page_scrape, options),
    scheduler_run: wireSchema(EVENT_REGISTRY.scheduler_run, options),
    scraper_run: wireSchema(EVENT_REGISTRY.scraper_run, options),
  };
}
