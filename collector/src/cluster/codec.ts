import { createHash } from 'node:crypto';
import { channelOf, type AcceptedEvent } from '@scrapewatch/protocol';

/**
 * The body of one stream message: events of one kind and one scraper from one ingest request, in
 * their request order, and when the collector received them. The subject names the kind and the
 * scraper (subjects.ts); the body repeats them so a reader needs nothing else.
 */
export interface StreamRecord {
  readonly receivedAtMs: number;
  readonly events: readonly AcceptedEvent[];
}

/** One message to publish: its subject key, its body and its deduplication id. */
export interface StreamChunk {
  readonly kind: AcceptedEvent['type'];
  readonly channel: string;
  readonly events: readonly AcceptedEvent[];
  readonly body: Buffer;
  /**
   * Nats-Msg-Id: a digest of the chunk's event ids. A retried request is cut the same way, so each
   * of its chunks has the id it had the first time and JetStream stores it once (within the
   * stream's duplicate window).
   */
  readonly msgId: string;
}

const HEAD = '{"receivedAtMs":';
const EVENTS = ',"events":[';
const TAIL = ']}';

/**
 * Cuts one request's events into stream messages: one per (kind, scraper), in order of first
 * appearance, each body at most `maxBytes` (an event larger than that travels alone). Every event is
 * serialised once; the bodies are concatenations of those serialisations.
 */
export function chunkEvents(
  events: readonly AcceptedEvent[],
  receivedAtMs: number,
  maxBytes: number,
): StreamChunk[] {
  const groups = new Map<string, AcceptedEvent[]>();
  for (const event of events) {
    const key = `${event.type}\u0000${channelOf(event)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(event);
  }
  const head = `${HEAD}${receivedAtMs}${EVENTS}`;
  const overhead = Buffer.byteLength(head) + TAIL.length;
  const chunks: StreamChunk[] = [];
  for (const group of groups.values()) {
    let parts: string[] = [];
    let members: AcceptedEvent[] = [];
    let size = overhead;
    const seal = () => {
      const digest = createHash('sha256');
      for (const event of members) digest.update(event.eventId).update('\n');
      const first = members[0] as AcceptedEvent;
      chunks.push({
        kind: first.type,
        channel: channelOf(first),
        events: members,
        body: Buffer.from(`${head}${parts.join(',')}${TAIL}`, 'utf8'),
        msgId: digest.digest('base64url'),
      });
      parts = [];
      members = [];
      size = overhead;
    };
    for (const event of group) {
      const json = JSON.stringify(event);
      const bytes = Buffer.byteLength(json);
      if (parts.length > 0 && size + 1 + bytes > maxBytes) seal();
      size += bytes + (parts.length > 0 ? 1 : 0);
      parts.push(json);
      members.push(event);
    }
    if (members.length > 0) seal();
  }
  return chunks;
}

/**
 * Messages come from collectors that validated their events; a body that is not a record (written
 * to the stream by something else) is reported as undefined rather than trusted.
 */
export function decodeRecord(body: Uint8Array): StreamRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
    );
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<StreamRecord>;
  if (typeof record.receivedAtMs !== 'number' || !Array.isArray(record.events)) return undefined;
  if (record.events.length === 0) return undefined;
  for (const event of record.events as unknown[]) {
    const e = event as Partial<AcceptedEvent> | null;
    if (typeof e !== 'object' || e === null) return undefined;
    if (typeof e.eventId !== 'string' || typeof e.type !== 'string') return undefined;
  }
  return record as StreamRecord;
}
