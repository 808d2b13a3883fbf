import type { AcceptedEvent } from '@scrapewatch/protocol';

/** The body of one stream message: a normalised event and when its collector received it. */
export interface StreamRecord {
  readonly receivedAtMs: number;
  readonly event: AcceptedEvent;
}

export function encodeRecord(event: AcceptedEvent, receivedAtMs: number): string {
  return JSON.stringify({ receivedAtMs, event });
}

/**
 * Messages come from collectors that validated them; a body that is not a record (written to the
 * stream by something else) is reported as undefined rather than trusted.
 */
export function decodeRecord(body: string): StreamRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<StreamRecord>;
  if (typeof record.receivedAtMs !== 'number') return undefined;
  const event = record.event as Partial<AcceptedEvent> | undefined;
  if (typeof event !== 'object' || event === null || typeof event.eventId !== 'string') {
    return undefined;
  }
  if (typeof event.type !== 'string') return undefined;
  return record as StreamRecord;
}
