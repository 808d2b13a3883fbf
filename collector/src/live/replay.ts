import type { GapMessage } from '@scrapewatch/protocol';
import type { ReplayRing, SealedBatch } from './replay-ring';

export interface ReplayPlan {
  /** Sent first, when batches after `lastSeq` cannot be replayed. */
  readonly gap: GapMessage | undefined;
  /** Then these, in seq order, all admitted by the kind mask. */
  readonly batches: readonly SealedBatch[];
  /** Their bytes. */
  readonly bytes: number;
  /** Held batches after `lastSeq` were left out for the byte budget. */
  readonly budgetHit: boolean;
}

/**
 * What a subscriber resuming one channel from `lastSeq` receives before that channel's live
 * batches: a `gap` for batches no longer held or beyond `budgetBytes` (the oldest go first), then
 * every held batch after `lastSeq` that `kindMask` admits. `restarted`: `lastSeq` comes from
 * another numbering (a collector restarted; in cluster mode, a stream that was recreated): the gap
 * then starts at 0 with unknown times and the client's numbering starts over at its `toSeq`.
 */
export function planReplay(
  channel: string,
  ring: ReplayRing | undefined,
  lastSeq: number,
  kindMask: number,
  budgetBytes: number,
  restarted = lastSeq > (ring?.newest ?? 0),
): ReplayPlan {
  const newest = ring?.newest ?? 0;
  const after = restarted ? 0 : lastSeq;
  if (!restarted && after >= newest) {
    return { gap: undefined, batches: [], bytes: 0, budgetHit: false };
  }

  // Newest first, as much as the budget allows: `cut` is the first seq replayed.
  const batches: SealedBatch[] = [];
  let cut = newest + 1;
  let budgetHit = false;
  let bytes = 0;
  if (ring !== undefined) {
    for (const batch of ring.newestFirst(after)) {
      if ((kindMask & (1 << batch.kindIndex)) !== 0) {
        if (bytes + batch.bytes.length > budgetBytes) {
          budgetHit = true;
          break;
        }
        bytes += batch.bytes.length;
        batches.push(batch);
      }
      cut = batch.seq;
    }
  }
  batches.reverse();

  let gap: GapMessage | undefined;
  if (restarted) {
    gap = { type: 'gap', channel, afterSeq: 0, toSeq: cut - 1, fromMs: null, toMs: null };
  } else if (ring !== undefined && cut > after + 1 && (budgetHit || after < ring.floor)) {
    const missing = ring.missing(after + 1, cut - 1, kindMask);
    if (missing.admitted) {
      gap = {
        type: 'gap',
        channel,
        afterSeq: after,
        toSeq: cut - 1,
        fromMs: missing.fromMs,
        toMs: missing.toMs,
      };
    }
  }
  return { gap, batches, bytes, budgetHit };
}
