import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ERRORS, ScrapewatchError, type ErrorCode, type ErrorDetail } from './errors';
import {
  PageNavigationSchema,
  PageScrapeSchema,
  SchedulerRunSchema,
  ScraperRunSchema,
} from './events';
import type { MetricEvent, SchedulerRunEvent } from './wire-types';
import { EVENT_KINDS, type EventKind } from './kinds';
import { LIMITS } from './limits';

export interface ValidateOptions {
  /** "Now" for the recordedAt window, epoch ms. */
  readonly nowMs: number;
  /** Oldest accepted recordedAt, relative to now. */
  readonly maxPastMs?: number;
  /** Newest accepted recordedAt, relative to now (clock skew). */
  readonly maxFutureMs?: number;
  /** Stop collecting details after this many (the request is rejected whole anyway). */
  readonly maxDetails?: number;
}

export type ValidationResult =
  | { readonly ok: true; readonly events: MetricEvent[] }
  | { readonly ok: false; readonly details: ErrorDetail[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const ajv = new Ajv({ allErrors: true, strict: true, strictNumbers: true, coerceTypes: false });
const VALIDATORS: Record<EventKind, ValidateFunction> = {
  page_navigation: ajv.compile(PageNavigationSchema),
  page_scrape: ajv.compile(PageScrapeSchema),
  scheduler_run: ajv.compile(SchedulerRunSchema),
  scraper_run: ajv.compile(ScraperRunSchema),
};

function detail(index: number | null, path: string, code: ErrorCode, message: string): ErrorDetail {
  return { index, path, code, message };
}

/** One JSON pointer segment (RFC 6901): `~` and `/` escaped. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function valueAt(item: Record<string, unknown>, pointer: string): unknown {
  let value: unknown = item;
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** An error about a key of a map-like field (`fields`): Ajv reports it with `propertyName`. */
function fromPropertyName(index: number, error: ErrorObject, name: string): ErrorDetail {
  const path = `${error.instancePath}/${pointerSegment(name)}`;
  const quoted = JSON.stringify(name);
  switch (error.keyword) {
    case 'maxLength':
      return detail(
        index,
        path,
        'TOO_LONG',
        `field name ${quoted} is longer than ${String((error.params as { limit: number }).limit)} characters`,
      );
    case 'minLength':
      return detail(index, path, 'INVALID_FORMAT', 'field name must not be empty');
    default:
      return detail(
        index,
        path,
        'INVALID_FORMAT',
        `field name ${quoted} must not contain control characters`,
      );
  }
}

function fromAjv(
  index: number,
  item: Record<string, unknown>,
  error: ErrorObject,
): ErrorDetail | undefined {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) return fromPropertyName(index, error, propertyName);
  switch (error.keyword) {
    // Reported once more, per cause, with the property name (above).
    case 'propertyNames':
      return undefined;
    case 'maxProperties':
      return detail(
        index,
        path,
        'TOO_MANY_FIELDS',
        `must report at most ${String(params['limit'])} fields`,
      );
    case 'required':
      return detail(index, `/${String(params['missingProperty'])}`, 'MISSING_FIELD', 'is required');
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      return FORBIDDEN_KEYS.has(key)
        ? detail(index, `/${key}`, 'FORBIDDEN_KEY', `key "${key}" is not allowed`)
        : detail(index, `/${key}`, 'UNKNOWN_FIELD', `unknown field "${key}"`);
    }
    case 'type': {
      const value = valueAt(item, path);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return detail(index, path, 'OUT_OF_RANGE', 'must be a finite number');
      }
      if (typeof value === 'number' && String(params['type']).includes('integer')) {
        return detail(index, path, 'OUT_OF_RANGE', 'must be a whole number');
      }
      return detail(
        index,
        path,
        'INVALID_TYPE',
        `must be ${String(params['type']).replace(',', ' or ')}`,
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return detail(
        index,
        path,
        'OUT_OF_RANGE',
        `must be ${String(params['comparison'])} ${String(params['limit'])}`,
      );
    case 'maxLength':
      return detail(
        index,
        path,
        'TOO_LONG',
        `must be at most ${String(params['limit'])} characters`,
      );
    case 'minLength':
      return detail(index, path, 'INVALID_FORMAT', 'must not be empty');
    case 'pattern':
      return detail(index, path, 'INVALID_FORMAT', `must match ${String(params['pattern'])}`);
    case 'enum':
      return detail(
        index,
        path,
        'INVALID_FORMAT',
        `must be one of ${(params['allowedValues'] as unknown[]).join(', ')}`,
      );
    default:
      return detail(index, path, 'INVALID_TYPE', error.message ?? 'is invalid');
  }
}

/** ES2024's String.prototype.isWellFormed (Node 20+): false when a lone surrogate is present. */
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Offset of the first lone surrogate in a string that is not well formed. */
function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return i;
  }
  return -1;
}

function loneSurrogate(index: number, value: string, path: string): ErrorDetail {
  const at = loneSurrogateAt(value);
  const unit = value.charCodeAt(at).toString(16).toUpperCase();
  return detail(
    index,
    path,
    'LONE_SURROGATE',
    `holds a lone UTF-16 surrogate U+${unit} at character ${at}`,
  );
}

/**
 * A lone surrogate (valid JSON as `\ud800`) cannot be encoded as UTF-8: storage would turn it into
 * U+FFFD, and two different strings (two event ids) into one. Every string, nested ones included.
 * A value's path is only built for a nested value or a finding: events are mostly flat and clean.
 */
function checkStrings(index: number, value: unknown, path: string, out: ErrorDetail[]): void {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) out.push(loneSurrogate(index, value, path));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' || typeof item === 'string') {
        checkStrings(index, item, `${path}/${i}`, out);
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const item = record[key];
      if (typeof item === 'string') {
        if (!isWellFormed(item)) out.push(loneSurrogate(index, item, `${path}/${key}`));
      } else if (typeof item === 'object' && item !== null) {
        checkStrings(index, item, `${path}/${key}`, out);
      }
    }
  }
}

function checkScheduler(index: number, event: SchedulerRunEvent, out: ErrorDetail[]): void {
  if (event.success === undefined && event.status === undefined) {
    out.push(detail(index, '/success', 'MISSING_FIELD', 'success or status is required'));
  } else if (
    event.success !== undefined &&
    event.status !== undefined &&
    event.success !== (event.status === 'success')
  ) {
    out.push(
      detail(
        index,
        '/status',
        'INCONSISTENT_FIELDS',
        `status "${event.status}" contradicts success=${String(event.success)}`,
      ),
    );
  }
}

/**
 * What JSON schema cannot say about field coverage: a field is filled on at most every item, and
 * a name must not be a key JavaScript objects treat specially.
 */
function checkFieldCoverage(
  index: number,
  fields: Readonly<Record<string, number>>,
  items: number,
  itemsName: string,
  out: ErrorDetail[],
): void {
  for (const name of Object.keys(fields)) {
    const path = `/fields/${pointerSegment(name)}`;
    if (FORBIDDEN_KEYS.has(name)) {
      out.push(detail(index, path, 'FORBIDDEN_KEY', `field name "${name}" is not allowed`));
      continue;
    }
    const filled = fields[name] ?? 0;
    if (filled > items) {
      out.push(
        detail(
          index,
          path,
          'INCONSISTENT_FIELDS',
          `filled on ${filled} items but ${itemsName} is ${items}`,
        ),
      );
    }
  }
}

/**
 * Validates one decoded item and appends what is wrong with it to `out`.
 * Returns the item typed as an event when nothing is wrong.
 */
export function validateEvent(
  item: unknown,
  index: number,
  options: ValidateOptions,
  out: ErrorDetail[],
): MetricEvent | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    out.push(detail(index, '', 'INVALID_TYPE', 'an event must be a JSON object'));
    return undefined;
  }
  const record = item as Record<string, unknown>;
  const kind = record['type'];
  if (kind === undefined) {
    out.push(
      detail(index, '/type', 'MISSING_FIELD', `is required: one of ${EVENT_KINDS.join(', ')}`),
    );
    return undefined;
  }
  const validator =
    typeof kind === 'string' && Object.hasOwn(VALIDATORS, kind)
      ? VALIDATORS[kind as EventKind]
      : undefined;
  if (!validator) {
    out.push(
      detail(
        index,
        '/type',
        'UNKNOWN_EVENT_TYPE',
        `unknown event type ${JSON.stringify(kind)}: expected one of ${EVENT_KINDS.join(', ')}`,
      ),
    );
    return undefined;
  }
  const before = out.length;
  if (!validator(record)) {
    for (const error of validator.errors ?? []) {
      const converted = fromAjv(index, record, error);
      if (converted) out.push(converted);
    }
    return undefined;
  }
  checkStrings(index, record, '', out);
  const event = record as unknown as MetricEvent;
  const maxPastMs = options.maxPastMs ?? LIMITS.defaultMaxPastMs;
  const maxFutureMs = options.maxFutureMs ?? LIMITS.defaultMaxFutureMs;
  if (
    event.recordedAt < options.nowMs - maxPastMs ||
    event.recordedAt > options.nowMs + maxFutureMs
  ) {
    out.push(
      detail(
        index,
        '/recordedAt',
        'RECORDED_AT_OUT_OF_WINDOW',
        `must lie between now-${maxPastMs} ms and now+${maxFutureMs} ms (epoch milliseconds)`,
      ),
    );
  }
  if (event.type === 'scheduler_run') checkScheduler(index, event, out);
  if (event.type === 'page_scrape' && event.fields !== undefined) {
    checkFieldCoverage(index, event.fields, event.itemsExtracted, 'itemsExtracted', out);
  }
  if (event.type === 'scraper_run') {
    if (event.startedAt > event.recordedAt) {
      out.push(
        detail(index, '/startedAt', 'INCONSISTENT_FIELDS', 'is later than recordedAt (the end)'),
      );
    } else if (event.recordedAt - event.startedAt > LIMITS.maxRunDurationMs) {
      out.push(
        detail(
          index,
          '/startedAt',
          'OUT_OF_RANGE',
          `the run lasts more than ${LIMITS.maxRunDurationMs} ms`,
        ),
      );
    }
    if (event.fields !== undefined) {
      checkFieldCoverage(index, event.fields, event.items, 'items', out);
    }
  }
  return out.length === before ? event : undefined;
}

/** Validates every item; the batch is valid only when every item is. */
export function validateEvents(
  items: readonly unknown[],
  options: ValidateOptions,
): ValidationResult {
  const details: ErrorDetail[] = [];
  const events: MetricEvent[] = [];
  const maxDetails = options.maxDetails ?? 100;
  for (let index = 0; index < items.length; index++) {
    const event = validateEvent(items[index], index, options, details);
    if (event) events.push(event);
    if (details.length >= maxDetails) break;
  }
  return details.length === 0
    ? { ok: true, events }
    : { ok: false, details: details.slice(0, maxDetails) };
}

/** The rejection for failed validation: the first detail's code names the request's error. */
export function validationError(details: ErrorDetail[]): ScrapewatchError {
  const first = details[0];
  const code = first?.code ?? 'INVALID_TYPE';
  const where = first
    ? `event ${String(first.index)}${first.path ? ` ${first.path}` : ''}: ${first.message}`
    : '';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new ScrapewatchError(code, `${ERRORS[code].message} ${where}${more}`.trim(), details);
}
