import { hash } from 'node:crypto';
import type { AcceptedEvent, MetricEvent } from '@scrapewatch/protocol';

/** JSON of a value with object keys sorted (`fields` may arrive in any key order). */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return JSON.stringify(value);
  }
  const record = value as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${parts.join(',')}}`;
}

/**
 * A stable id for an event sent without one: the SHA-256 of its canonical content (fields sorted,
 * `eventId` left out, null and absent treated alike), so a re-sent identical event gets the same id
 * and QuestDB's DEDUP UPSERT KEYS store it once. 128 bits, hex.
 */
export function deriveEventId(event: MetricEvent): string {
  const record = event as unknown as Record<string, unknown>;
  let canonical = '';
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (key === 'eventId' || value === null || value === undefined) continue;
    // Keys are quoted by JSON.stringify, so no key or value can run into the next one.
    canonical += `${JSON.stringify(key)}:${canonicalJson(value)},`;
  }
  return hash('sha256', canonical, 'hex').slice(0, 32);
}

/** Events as accepted: every one carries an `eventId`, the sent one or a derived one. */
export function normaliseEvents(events: readonly MetricEvent[]): AcceptedEvent[] {
  return events.map((event) =>
    event.eventId === undefined
      ? { ...event, eventId: deriveEventId(event) }
      : (event as AcceptedEvent),
  );
}
