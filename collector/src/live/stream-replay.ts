import type { AcceptedEvent, EventKind } from '@scrapewatch/protocol';

// Cluster mode: what the live hub needs from the JetStream stream to resume a subscriber by stream
// position (implemented by cluster/replay-reader.ts).

/** A stream message read back for a resuming subscriber (cluster/replay-reader.ts). */
export interface StreamMessage {
  readonly seq: number;
  readonly kind: EventKind;
  readonly events: AcceptedEvent[];
}

/** What a resume could not be given from the stream: a gap through `throughSeq`. */
export interface StreamReadGap {
  readonly throughSeq: number;
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

/** Cluster mode's access to the stream's positions. */
export interface StreamReplay {
  /** The position the live feed started after: each channel's numbering starts above it here. */
  startPosition(): number;
  /** The stream's newest position now. */
  lastPosition(): Promise<number>;
  /**
   * The channel's messages with positions in (afterSeq, throughSeq] of the kinds in kindMask,
   * oldest first, the newest that fit `maxBytes`; what did not fit or could not be read is `gap`.
   */
  read(
    channel: string,
    afterSeq: number,
    throughSeq: number,
    kindMask: number,
    maxBytes: number,
  ): Promise<{ messages: StreamMessage[]; gap: StreamReadGap | undefined }>;
}
