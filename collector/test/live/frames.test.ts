import type { StreamFrameMessage } from '@scrapewatch/protocol';
import { buildFrames } from '../../src/live/frames';
import type { SealedBatch } from '../../src/live/replay-ring';

function batch(seq: number, padding: number): SealedBatch {
  const text = JSON.stringify({
    type: 'metrics_batch',
    channel: 'a',
    seq,
    pad: 'x'.repeat(padding),
  });
  return { seq, kindIndex: 0, count: 1, bytes: Buffer.from(text), minMs: 0, maxMs: 0 };
}

describe('buildFrames', () => {
  it('wraps the batches, in order and byte for byte, in one metrics_frame', () => {
    const batches = [batch(1, 10), batch(2, 20), batch(3, 0)];
    const [frame, ...rest] = buildFrames(batches, 1024 * 1024);
    expect(rest).toEqual([]);
    const parsed = JSON.parse(String(frame)) as StreamFrameMessage;
    expect(parsed.type).toBe('metrics_frame');
    expect(parsed.batches.map((b) => JSON.stringify(b))).toEqual(
      batches.map((b) => String(b.bytes)),
    );
  });

  it('splits at the byte bound, never inside a batch; a larger batch travels alone', () => {
    const batches = [batch(1, 300), batch(2, 300), batch(3, 300), batch(4, 2_000), batch(5, 10)];
    const frames = buildFrames(batches, 1_024);
    const seqs = frames.map((f) =>
      (JSON.parse(String(f)) as StreamFrameMessage).batches.map((b) => b.seq),
    );
    expect(seqs).toEqual([[1, 2], [3], [4], [5]]);
    for (const [i, f] of frames.entries()) {
      if (seqs[i]?.includes(4) !== true) expect(f.length).toBeLessThanOrEqual(1_024);
    }
    expect(buildFrames([], 1_024)).toEqual([]);
  });
});
