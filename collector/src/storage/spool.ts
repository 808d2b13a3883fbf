import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { ILP_PROTOCOL_VERSION } from './questdb';
import { acquireSpoolLock, type SpoolLock } from './spool-lock';

/**
 * The on-disk spool: an append-only log of ILP batches that could not reach QuestDB, in numbered
 * segment files `spool-<seq>.log` under one directory (one collector per directory).
 *
 * Frame (big-endian): magic u16 "SW" | format u8 | ILP protocol version u8 | rows u32 |
 * payload length u32 | crc32 u32 over the 12 header bytes before it and the payload | payload.
 * A process killed mid-append leaves a short or mismatching frame at a segment's tail: it was
 * never acknowledged (the append resolves only after fdatasync), so opening the spool cuts it off.
 * Appends only go to a segment this process created; older segments are only read and deleted.
 */
export interface SpoolRecord {
  readonly bytes: Buffer;
  readonly rows: number;
}

/** A record to append; `roomHeld` when `reserve()` already holds its room (see append). */
export interface SpoolAppend extends SpoolRecord {
  readonly roomHeld?: boolean;
}

export type AppendResult = 'spooled' | 'full';

export interface SegmentContent {
  readonly records: SpoolRecord[];
  /** Bytes after the last valid frame (a torn or corrupt tail); never replayed. */
  readonly droppedBytes: number;
}

export interface Spool {
  /** Creates the directory, measures existing segments and cuts torn tails. */
  open(): Promise<void>;
  /** Bytes on disk across all segments (frames included); reservations not counted. */
  readonly bytes: number;
  readonly isEmpty: boolean;
  /**
   * Holds room for one frame of `payloadBytes` against the bound, for a record that may be
   * appended later: false (nothing held) when the spool, with what it already holds and has
   * reserved, cannot take it. The room is given back by `release()`, or taken by an append of
   * the record with `roomHeld`.
   */
  reserve(payloadBytes: number): boolean;
  /** Gives back the room `reserve(payloadBytes)` held (the record went elsewhere). */
  release(payloadBytes: number): void;
  /**
   * Appends each record as its own frame: one write and one fdatasync for all of them. A record
   * that would push the spool past its bound is not written ('full'), unless its room is held
   * (`roomHeld`: it always fits, and its reservation is used up, even when the write fails); the
   * others are durable when this resolves. Rejects when the disk write fails (nothing of this
   * call is then kept).
   */
  append(records: readonly SpoolAppend[]): Promise<AppendResult[]>;
  /**
   * Closes the segment being appended to (later appends start a new one) and returns every
   * segment not yet removed, oldest first: what the replayer may read now.
   */
  seal(): Promise<string[]>;
  read(segment: string): Promise<SegmentContent>;
  /** Deletes a segment once all of its records are in QuestDB. */
  remove(segment: string): Promise<void>;
  close(): Promise<void>;
}

export interface SpoolOptions {
  readonly dir: string;
  readonly maxBytes: number;
  /** A segment is closed once it reaches this size (default: maxBytes / 8, within 64 KiB..16 MiB). */
  readonly segmentMaxBytes?: number;
}

export const FRAME_HEADER_BYTES = 16;
const MAGIC = 0x5357;
const FORMAT = 1;
const SEGMENT_PATTERN = /^spool-(\d{12})\.log$/;

function segmentName(seq: number): string {
  return `spool-${String(seq).padStart(12, '0')}.log`;
}

export function encodeFrame(record: SpoolRecord): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + record.bytes.length);
  frame.writeUInt16BE(MAGIC, 0);
  frame.writeUInt8(FORMAT, 2);
  frame.writeUInt8(ILP_PROTOCOL_VERSION, 3);
  frame.writeUInt32BE(record.rows, 4);
  frame.writeUInt32BE(record.bytes.length, 8);
  record.bytes.copy(frame, FRAME_HEADER_BYTES);
  const crc = crc32(record.bytes, crc32(frame.subarray(0, 12)));
  frame.writeUInt32BE(crc, 12);
  return frame;
}

/** Valid frames from the start of `data`; stops at the first short or corrupt frame. */
export function decodeFrames(data: Buffer): { records: SpoolRecord[]; validBytes: number } {
  const records: SpoolRecord[] = [];
  let offset = 0;
  while (data.length - offset >= FRAME_HEADER_BYTES) {
    if (data.readUInt16BE(offset) !== MAGIC || data.readUInt8(offset + 2) !== FORMAT) break;
    if (data.readUInt8(offset + 3) !== ILP_PROTOCOL_VERSION) break;
    const rows = data.readUInt32BE(offset + 4);
    const length = data.readUInt32BE(offset + 8);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > data.length) break;
    const payload = data.subarray(offset + FRAME_HEADER_BYTES, end);
    const crc = crc32(payload, crc32(data.subarray(offset, offset + 12)));
    if (crc !== data.readUInt32BE(offset + 12)) break;
    records.push({ bytes: Buffer.from(payload), rows });
    offset = end;
  }
  return { records, validBytes: offset };
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeFully(handle: fs.FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(
      data,
      written,
      data.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}

interface ActiveSegment {
  readonly name: string;
  readonly handle: fs.FileHandle;
  size: number;
}

export function createSpool(options: SpoolOptions, logger: Logger): Spool {
  const dir = path.resolve(options.dir);
  const segmentMaxBytes =
    options.segmentMaxBytes ??
    Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
  /** Segment name -> bytes on disk, for every segment not yet removed. */
  const sizes = new Map<string, number>();
  let totalBytes = 0;
  /** Room held by reserve() for records not appended yet: counted against the bound. */
  let reservedBytes = 0;
  let nextSeq = 1;
  let active: ActiveSegment | undefined;
  // Every mutation runs on this chain, so appends, seals and removals never interleave.
  let chain: Promise<unknown> = Promise.resolve();

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task, task);
    chain = run.catch(() => undefined);
    return run;
  }

  async function closeActive(): Promise<void> {
    if (!active) return;
    const { handle } = active;
    active = undefined;
    await handle.close();
  }

  async function openActive(): Promise<ActiveSegment> {
    if (active && active.size < segmentMaxBytes) return active;
    await closeActive();
    const name = segmentName(nextSeq++);
    const handle = await fs.open(path.join(dir, name), 'wx');
    await fsyncDir(dir);
    sizes.set(name, 0);
    active = { name, handle, size: 0 };
    return active;
  }

  let lock: SpoolLock | undefined;

  async function openSpool(): Promise<void> {
    await fs.mkdir(dir, { recursive: true });
    lock = await acquireSpoolLock(dir);
    const entries: Dirent[] = await fs.readdir(dir, { withFileTypes: true });
    const names = entries
      .filter((e) => e.isFile() && SEGMENT_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
    for (const name of names) {
      const file = path.join(dir, name);
      const data = await fs.readFile(file);
      const { validBytes } = decodeFrames(data);
      if (validBytes < data.length) {
        logger.warn(
          { segment: name, droppedBytes: data.length - validBytes },
          'spool segment has a torn or corrupt tail; cutting it off',
        );
        await fs.truncate(file, validBytes);
      }
      if (validBytes === 0) {
        await fs.rm(file, { force: true });
      } else {
        sizes.set(name, validBytes);
        totalBytes += validBytes;
      }
      const seq = Number(SEGMENT_PATTERN.exec(name)?.[1] ?? 0);
      nextSeq = Math.max(nextSeq, seq + 1);
    }
  }

  async function appendRecords(records: readonly SpoolAppend[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    const frames: Buffer[] = [];
    let added = 0;
    // Held room becomes the frames' own (or, when the write fails, free again).
    for (const record of records) {
      if (record.roomHeld === true) reservedBytes -= FRAME_HEADER_BYTES + record.bytes.length;
    }
    for (const record of records) {
      const frameBytes = FRAME_HEADER_BYTES + record.bytes.length;
      if (
        record.roomHeld !== true &&
        totalBytes + reservedBytes + added + frameBytes > options.maxBytes
      ) {
        results.push('full');
      } else {
        frames.push(encodeFrame(record));
        added += frameBytes;
        results.push('spooled');
      }
    }
    if (frames.length === 0) return results;
    const segment = await openActive();
    const data = Buffer.concat(frames, added);
    try {
      await writeFully(segment.handle, data, segment.size);
      await segment.handle.datasync();
    } catch (error) {
      // Never leave a partial frame in front of later appends: cut back, then start a new segment.
      await segment.handle.truncate(segment.size).catch(() => undefined);
      await closeActive().catch(() => undefined);
      throw error;
    }
    segment.size += data.length;
    sizes.set(segment.name, segment.size);
    totalBytes += data.length;
    return results;
  }

  return {
    open: () => serialized(openSpool),
    get bytes() {
      return totalBytes;
    },
    get isEmpty() {
      return totalBytes === 0;
    },
    reserve(payloadBytes) {
      const frameBytes = FRAME_HEADER_BYTES + payloadBytes;
      if (totalBytes + reservedBytes + frameBytes > options.maxBytes) return false;
      reservedBytes += frameBytes;
      return true;
    },
    release(payloadBytes) {
      reservedBytes = Math.max(0, reservedBytes - (FRAME_HEADER_BYTES + payloadBytes));
    },
    append: (records) => serialized(() => appendRecords(records)),
    seal: () =>
      serialized(async () => {
        await closeActive();
        for (const [name, size] of sizes) {
          // A segment created by a failed first append holds nothing.
          if (size === 0) {
            sizes.delete(name);
            await fs.rm(path.join(dir, name), { force: true });
          }
        }
        return [...sizes.keys()].sort();
      }),
    async read(segment) {
      const data = await fs.readFile(path.join(dir, segment));
      const { records, validBytes } = decodeFrames(data);
      return { records, droppedBytes: data.length - validBytes };
    },
    remove: (segment) =>
      serialized(async () => {
        if (active?.name === segment) await closeActive();
        await fs.rm(path.join(dir, segment), { force: true });
        totalBytes -= sizes.get(segment) ?? 0;
        sizes.delete(segment);
      }),
    close: () =>
      serialized(async () => {
        await closeActive();
        await lock?.release();
        lock = undefined;
      }),
  };
}
