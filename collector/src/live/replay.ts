import type { GapMessage } from '@scrapewatch/protocol';
import type { ReplayRing, SealedBatch } from './replay-ring';

export interface ReplayPlan {
  /** Sent first, when batches after `lastSeq` cannot be replayed. */
  readonly gap: GapMessage | undefined;
  /** Then these, in seq order, all admitted by the kind mask. */
  readonly batches: readonly SealedBatch[];
}

/**
 * What a subscriber resuming one channel from `lastSeq` receives before that channel's live
 * batches: a `gap` for batches no longer held or beyond `budgetBytes` (the oldest go first), then
 * every held batch after `lastSeq` that `kindMask` admits. A `lastSeq` beyond the channel's newest
 * seq comes from before a restart: the gap then starts at 0 with unknown times and the client's
 * numbering starts over at its `toSeq`.
 */
export function planReplay(
  channel: string,
  ring: ReplayRing | undefined,
  lastSeq: number,
  kindMask: number,
  budgetBytes: number,
): ReplayPlan {
  const newest = ring?.newest ?? 0;
  const restarted = lastSeq > newest;
  const from = restarted ? 1 : lastSeq + 1;
  if (!restarted && from > newest) return { gap: undefined, batches: [] };

  // Newest first, as much as the budget allows: `cut` is the first seq replayed.
  const batches: SealedBatch[] = [];
  let cut = newest + 1;
  if (ring !== undefined) {
    let bytes = 0;
    for (let seq = newest; seq >= Math.max(from, ring.oldestHeld); seq -= 1) {
      const batch = ring.get(seq);
      if (batch === undefined) break;
      if ((kindMask & (1 << batch.kindIndex)) !== 0) {
        if (bytes + batch.bytes.length > budgetBytes) break;
        bytes += batch.bytes.length;
        batches.push(batch);
      }
      cut = seq;
    }
  }
  batches.reverse();

  let gap: GapMessage | undefined;
  if (restarted) {
    gap = { type: 'gap', channel, afterSeq: 0, toSeq: cut - 1, fromMs: null, toMs: null };
  } else if (cut > from && ring !== undefined) {
    const missing = ring.missing(from, cut - 1, kindMask);
    if (missing.admitted) {
      gap = {
        type: 'gap',
        channel,
        afterSeq: from - 1,
        toSeq: cut - 1,
        fromMs: missing.fromMs,
        toMs: missing.toMs,
      };
    }
  }
  return { gap, batches };
}
