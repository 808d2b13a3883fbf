import {
  EVENT_KINDS,
  LIMITS,
  NAME_PATTERN,
  STREAM_WIRE_VERSIONS,
  WILDCARD_CHANNEL,
  isEventKind,
  type ErrorCode,
  type EventKind,
  type StreamWireVersion,
} from '@scrapewatch/protocol';

/** A client message on /v1/stream after validation; channel lists are de-duplicated. */
export type ParsedClientMessage =
  | {
      readonly type: 'subscribe';
      readonly token: string | undefined;
      readonly channels: readonly string[];
      readonly kinds: readonly EventKind[] | null;
      readonly resume: ReadonlyMap<string, number>;
      /** Absent when the message does not name one. */
      readonly version: StreamWireVersion | undefined;
    }
  | { readonly type: 'unsubscribe'; readonly channels: readonly string[] };

export type ParseOutcome =
  | { readonly ok: true; readonly message: ParsedClientMessage }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const NAME = new RegExp(NAME_PATTERN);
const MAX_TOKEN_LENGTH = 4_096;
const SUBSCRIBE_FIELDS = new Set(['type', 'token', 'channels', 'kinds', 'resume', 'version']);
const UNSUBSCRIBE_FIELDS = new Set(['type', 'channels']);

/** Bit of an event kind in a subscriber's kind mask. */
export function kindBit(kind: EventKind): number {
  return 1 << EVENT_KINDS.indexOf(kind);
}
export const ALL_KINDS_MASK = (1 << EVENT_KINDS.length) - 1;

export function isChannelName(value: string): boolean {
  return value.length <= LIMITS.maxNameLength && NAME.test(value);
}

const fail = (code: ErrorCode, message: string): ParseOutcome => ({ ok: false, code, message });

/**
 * Validates one inbound frame. Unknown fields are refused (a typo such as `kind` would otherwise
 * silently widen the subscription); every failure names the field and, for lists, the index.
 */
export function parseClientMessage(
  data: Buffer,
  isBinary: boolean,
  maxChannels: number,
): ParseOutcome {
  if (isBinary) return fail('INVALID_MESSAGE', 'Send text frames holding JSON.');
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return fail('INVALID_MESSAGE', 'The message is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('INVALID_MESSAGE', 'The message must be a JSON object.');
  }
  const fields = value as Record<string, unknown>;
  const type = fields['type'];
  if (type !== 'subscribe' && type !== 'unsubscribe') {
    return fail('INVALID_MESSAGE', '/type must be "subscribe" or "unsubscribe".');
  }
  const allowed = type === 'subscribe' ? SUBSCRIBE_FIELDS : UNSUBSCRIBE_FIELDS;
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key)) return fail('INVALID_MESSAGE', `/${key} is not a field of ${type}.`);
  }

  const channels = parseChannels(fields['channels'], maxChannels);
  if (!Array.isArray(channels)) return channels;
  if (type === 'unsubscribe') return { ok: true, message: { type, channels } };

  const token = fields['token'];
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
    return fail('INVALID_MESSAGE', '/token must be a string.');
  }
  const kinds = parseKinds(fields['kinds']);
  if (kinds !== null && !Array.isArray(kinds)) return kinds as ParseOutcome;
  const resume = parseResume(fields['resume'], maxChannels);
  if (!(resume instanceof Map)) return resume;
  const version = fields['version'];
  if (version !== undefined && !(STREAM_WIRE_VERSIONS as readonly unknown[]).includes(version)) {
    return fail('INVALID_MESSAGE', `/version must be one of ${STREAM_WIRE_VERSIONS.join(', ')}.`);
  }
  return {
    ok: true,
    message: {
      type,
      token,
      channels,
      kinds: kinds as EventKind[] | null,
      resume,
      version: version as StreamWireVersion | undefined,
    },
  };
}

function parseChannels(raw: unknown, maxChannels: number): string[] | ParseOutcome {
  if (!Array.isArray(raw))
    return fail('INVALID_MESSAGE', '/channels must be an array of scraper names.');
  if (raw.length > maxChannels) {
    return fail(
      'TOO_MANY_CHANNELS',
      `/channels holds ${raw.length} entries; the limit is ${maxChannels}.`,
    );
  }
  const channels = new Set<string>();
  for (const [index, channel] of raw.entries()) {
    if (typeof channel !== 'string' || (channel !== WILDCARD_CHANNEL && !isChannelName(channel))) {
      return fail('INVALID_MESSAGE', `/channels/${index} is not a scraper name or "*".`);
    }
    channels.add(channel);
  }
  return [...channels];
}

function parseKinds(raw: unknown): EventKind[] | null | ParseOutcome {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail(
      'INVALID_MESSAGE',
      '/kinds must be a non-empty array of event kinds (omit it for all).',
    );
  }
  const kinds = new Set<EventKind>();
  for (const [index, kind] of raw.entries()) {
    if (!isEventKind(kind)) {
      return fail('INVALID_MESSAGE', `/kinds/${index} is not one of ${EVENT_KINDS.join(', ')}.`);
    }
    kinds.add(kind);
  }
  return [...kinds];
}

function parseResume(raw: unknown, maxChannels: number): Map<string, number> | ParseOutcome {
  const resume = new Map<string, number>();
  if (raw === undefined || raw === null) return resume;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return fail('INVALID_MESSAGE', '/resume must be an object of channel -> last seq.');
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > maxChannels) {
    return fail(
      'TOO_MANY_CHANNELS',
      `/resume holds ${entries.length} entries; the limit is ${maxChannels}.`,
    );
  }
  for (const [channel, seq] of entries) {
    if (!isChannelName(channel)) {
      return fail('INVALID_MESSAGE', `/resume/${channel.slice(0, 64)} is not a scraper name.`);
    }
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      return fail('INVALID_MESSAGE', `/resume/${channel} must be a whole number >= 0.`);
    }
    resume.set(channel, seq);
  }
  return resume;
}
