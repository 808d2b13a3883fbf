import type { SealedBatch } from './replay-ring';

const FRAME_HEAD = Buffer.from('{"type":"metrics_frame","batches":[', 'utf8');
const FRAME_TAIL = Buffer.from(']}', 'utf8');
const COMMA = Buffer.from(',', 'utf8');
/** Bytes a frame adds around its batches (and a comma between two). */
const FRAME_OVERHEAD = FRAME_HEAD.length + FRAME_TAIL.length;

/**
 * Wire version 2: `metrics_frame` messages holding the given batches, in order, each frame at most
 * `maxFrameBytes` (a batch larger than that travels alone). The batches' own serialisation (the
 * replay ring's bytes) is copied, never re-encoded.
 */
export function buildFrames(batches: readonly SealedBatch[], maxFrameBytes: number): Buffer[] {
  const frames: Buffer[] = [];
  let parts: Buffer[] = [FRAME_HEAD];
  let size = FRAME_OVERHEAD;
  let count = 0;
  for (const batch of batches) {
    if (count > 0 && size + COMMA.length + batch.bytes.length > maxFrameBytes) {
      parts.push(FRAME_TAIL);
      frames.push(Buffer.concat(parts, size));
      parts = [FRAME_HEAD];
      size = FRAME_OVERHEAD;
      count = 0;
    }
    if (count > 0) parts.push(COMMA);
    parts.push(batch.bytes);
    size += batch.bytes.length + (count > 0 ? COMMA.length : 0);
    count += 1;
  }
  if (count > 0) {
    parts.push(FRAME_TAIL);
    frames.push(Buffer.concat(parts, size));
  }
  return frames;
}
