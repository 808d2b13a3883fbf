import type { EventKind } from '@scrapewatch/protocol';
import { SUBJECT_PREFIX } from './options';

/**
 * A scraper name as one subject token: letters, digits, `_` and `-` stay; every other UTF-8 byte
 * becomes `~` and two hex digits (subject tokens may not hold `.`, `*`, `>` or whitespace), so two
 * names never share a token.
 */
export function subjectToken(name: string): string {
  let token = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    token += /[A-Za-z0-9_-]/.test(c) ? c : `~${byte.toString(16).padStart(2, '0')}`;
  }
  return token === '' ? '~' : token;
}

/** scrapewatch.events.<kind>.<scraper>: consumers can filter by kind, by scraper, or both. */
export function subjectOf(kind: EventKind, channel: string): string {
  return `${SUBJECT_PREFIX}.${kind}.${subjectToken(channel)}`;
}

/** The subject filter for every event of one scraper (any kind): a channel's messages. */
export function channelSubject(channel: string): string {
  return `${SUBJECT_PREFIX}.*.${subjectToken(channel)}`;
}

/** The subject filter for every event of `kind` (any scraper). */
export function kindSubject(kind: EventKind): string {
  return `${SUBJECT_PREFIX}.${kind}.*`;
}
