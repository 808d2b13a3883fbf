import { hash } from 'node:crypto';

/**
 * Error fingerprints: an error message reduced to a template (its variable parts replaced by
 * placeholders) and a short stable id of that template, so the same error on a thousand URLs is
 * one row of the Errors table and a new kind of error stands out.
 *
 * What is replaced, in this order (each placeholder is left alone by the later rules):
 * - the stack or call log after the first line that starts one (`    at ...`, `Call log:`,
 *   `=== logs ===`): the first line(s) carry the error, the rest its circumstances;
 * - URLs (`<url>`), quoted strings (`"<str>"`, quotes kept), UUIDs (`<uuid>`), ISO timestamps and
 *   dates (`<ts>`), IPv4 addresses (`<ip>`), stack-frame positions (`:<line>:<col>`), `0x` hex
 *   and long hex runs (`<hex>`), long random-looking ids (`<id>`), and numbers (`<n>`);
 * - an HTTP status after `HTTP`, `status` or `code` is kept: a 404 and a 503 are different errors.
 * Whitespace is collapsed and the template is cut at `MAX_TEMPLATE_CHARS`.
 */
export interface ErrorFingerprint {
  readonly template: string;
  /** 16 hex characters of the template's SHA-256. */
  readonly fingerprint: string;
}

export const MAX_TEMPLATE_CHARS = 300;
const CACHE_ENTRIES = 2048;

const STACK_START = /\n\s*(?:at\s|Call log:|=+ logs =+)/;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>()[\]{}]*[^\s"'`<>()[\]{}.,;:!?]/gi;
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const TIMESTAMP =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
const FRAME_POSITION = /:\d+:\d+\b/g;
const HEX = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
/** Tokens of 12+ id characters with at least 4 digits and a letter: request ids, session ids. */
const RANDOM_ID = /\b(?=(?:[A-Za-z_-]*\d){4})(?=[\w-]*[A-Za-z])[\w-]{12,}\b/g;
/** A number not glued to a preceding letter (HTTP2, utf8 stay) and not an HTTP status after its keyword. */
const NUMBER = /(?<![A-Za-z_<\d])(?<!\b(?:HTTP|[Ss]tatus|[Cc]ode)[ :=/]{0,3})\d+(?:\.\d+)?/g;
const SPACES = /\s+/g;

/** The template of `message` (see the module comment). */
export function errorTemplate(message: string): string {
  const stack = STACK_START.exec(message);
  const head = stack ? message.slice(0, stack.index) : message;
  const template = head
    .replace(URL, '<url>')
    .replace(QUOTED, (quoted) => `${quoted[0]}<str>${quoted[0]}`)
    .replace(UUID, '<uuid>')
    .replace(TIMESTAMP, '<ts>')
    .replace(IPV4, '<ip>')
    .replace(FRAME_POSITION, ':<line>:<col>')
    .replace(HEX, '<hex>')
    .replace(RANDOM_ID, '<id>')
    .replace(NUMBER, '<n>')
    .replace(SPACES, ' ')
    .trim();
  return template.length > MAX_TEMPLATE_CHARS ? template.slice(0, MAX_TEMPLATE_CHARS) : template;
}

/**
 * Computes fingerprints with a small bounded memo: the same message text (a status error, a
 * fixed exception) recurs often, and a cache hit costs one Map lookup instead of ten regexes.
 */
export function createFingerprinter(
  maxEntries = CACHE_ENTRIES,
): (message: string) => ErrorFingerprint {
  const cache = new Map<string, ErrorFingerprint>();
  return (message) => {
    const cached = cache.get(message);
    if (cached !== undefined) return cached;
    const template = errorTemplate(message);
    const result: ErrorFingerprint = {
      template,
      fingerprint: hash('sha256', template, 'hex').slice(0, 16),
    };
    // Dropping everything when full keeps the bound without bookkeeping per hit.
    if (cache.size >= maxEntries) cache.clear();
    cache.set(message, result);
    return result;
  };
}

/** The collector's shared fingerprinter (a pure function of the message, memoised). */
export const fingerprintError = createFingerprinter();
