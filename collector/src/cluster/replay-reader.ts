import { DeliverPolicy } from '@nats-io/jetstream';
import { EVENT_KINDS } from '@scrapewatch/protocol';
import type { StreamMessage, StreamReadGap, StreamReplay } from '../live';
import { decodeRecord } from './codec';
import type { ClusterConnection } from './connection';
import type { ClusterOptions } from './options';
import { channelSubject } from './subjects';

/**
 * Channel messages one resume reads at most: further behind than this, the subscriber gets a gap
 * for the whole range and reads it from history instead.
 */
const MAX_SCAN_MESSAGES = 50_000;

interface Window {
  readonly messages: (StreamMessage & { readonly bytes: number })[];
  bytes: number;
  dropped: StreamReadGap | undefined;
}

/** Adds a message that did not fit to the gap; times stay unknown once part of it is unknown. */
function drop(window: Window, message: StreamMessage): void {
  if (window.dropped !== undefined && window.dropped.fromMs === null) {
    window.dropped = { ...window.dropped, throughSeq: message.seq };
    return;
  }
  let fromMs = window.dropped?.fromMs ?? Infinity;
  let toMs = window.dropped?.toMs ?? -Infinity;
  for (const event of message.events) {
    fromMs = Math.min(fromMs, event.recordedAt);
    toMs = Math.max(toMs, event.recordedAt);
  }
  window.dropped = { throughSeq: message.seq, fromMs, toMs };
}

/**
 * Reads a channel's messages back from the stream for a resuming subscriber whose position is
 * older than what this collector's replay ring holds (it started later, or the ring turned over).
 */
export function createReplayReader(
  options: ClusterOptions,
  connection: () => ClusterConnection | undefined,
  startPosition: () => number,
): StreamReplay {
  const open = (): ClusterConnection => {
    const c = connection();
    if (c === undefined) throw new Error('not connected to NATS');
    return c;
  };
  return {
    startPosition,
    async lastPosition() {
      return (await open().jsm.streams.info(options.streamName)).state.last_seq;
    },
    async read(channel, afterSeq, throughSeq, kindMask, maxBytes) {
      const { js, jsm } = open();
      const { state } = await jsm.streams.info(options.streamName);
      const window: Window = { messages: [], bytes: 0, dropped: undefined };
      // Positions the stream no longer holds (past its age limit) may have held this channel's.
      if (afterSeq + 1 < state.first_seq) {
        window.dropped = {
          throughSeq: Math.min(state.first_seq - 1, throughSeq),
          fromMs: null,
          toMs: null,
        };
      }
      const from = Math.max(afterSeq + 1, state.first_seq);
      if (from > throughSeq) return { messages: [], gap: window.dropped };
      const consumer = await js.consumers.get(options.streamName, {
        filter_subjects: channelSubject(channel),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: from,
      });
      if ((await consumer.info()).num_pending === 0) return { messages: [], gap: window.dropped };
      const iterator = await consumer.consume({ max_messages: 512 });
      let scanned = 0;
      try {
        for await (const msg of iterator) {
          if (msg.seq > throughSeq) break;
          scanned += 1;
          const record = decodeRecord(msg.data);
          const kind = record?.events[0]?.type;
          const kindIndex = kind === undefined ? -1 : EVENT_KINDS.indexOf(kind);
          if (record !== undefined && kind !== undefined && (kindMask & (1 << kindIndex)) !== 0) {
            const message = {
              seq: msg.seq,
              kind,
              events: [...record.events],
              bytes: msg.data.length,
            };
            window.messages.push(message);
            window.bytes += message.bytes;
            // The newest that fit: the oldest go to the gap.
            while (window.bytes > maxBytes) {
              const oldest = window.messages.shift();
              if (oldest === undefined) break;
              window.bytes -= oldest.bytes;
              drop(window, oldest);
            }
          }
          if (msg.seq >= throughSeq || msg.info.pending === 0) break;
          if (scanned >= MAX_SCAN_MESSAGES) {
            return { messages: [], gap: { throughSeq, fromMs: null, toMs: null } };
          }
        }
      } finally {
        await iterator.close();
      }
      const gap = window.dropped;
      return {
        messages: window.messages.map(({ seq, kind, events }) => ({ seq, kind, events })),
        gap:
          gap === undefined
            ? undefined
            : {
                throughSeq: gap.throughSeq,
                fromMs: Number.isFinite(gap.fromMs) ? gap.fromMs : null,
                toMs: Number.isFinite(gap.toMs) ? gap.toMs : null,
              },
      };
    },
  };
}
