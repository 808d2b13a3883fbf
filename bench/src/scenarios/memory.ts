import { setTimeout as sleep } from 'node:timers/promises';
import type { MemorySample } from '../collector-process';
import { SubscriberGroup, type GroupConnected } from './subscriber-group';

export interface MemorySpec {
  readonly streamUrl: string;
  /** Cumulative idle subscriber counts, ascending, e.g. [1000, 10000]. */
  readonly levels: readonly number[];
  readonly channels: readonly string[];
  readonly clientsPerProcess: number;
  readonly connectConcurrency: number;
  /** How long the largest level is held before counting who is still open. */
  readonly holdSeconds: number;
  readonly memory: () => Promise<MemorySample>;
}

export interface MemoryLevel {
  readonly subscribers: number;
  readonly subscribed: number;
  readonly failed: number;
  readonly connectErrors: readonly string[];
  readonly connectMs: number;
  readonly sample: MemorySample;
  readonly rssBytesPerSubscriber: number;
  readonly heapBytesPerSubscriber: number | undefined;
}

export interface MemoryResult {
  readonly before: MemorySample;
  readonly levels: readonly MemoryLevel[];
  /** Clients of the largest level still open after the hold. */
  readonly held: number;
  readonly heldOf: number;
  readonly closeCodes: Record<string, number>;
}

/**
 * No forced GC is possible from outside the collector: each reading is the median of three samples
 * taken after the connections settled, and only deltas from the idle collector are reported.
 */
async function settledSample(memory: () => Promise<MemorySample>): Promise<MemorySample> {
  await sleep(2_000);
  const samples: MemorySample[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(await memory());
    if (i < 2) await sleep(500);
  }
  samples.sort((a, b) => a.rssBytes - b.rssBytes);
  const middle = samples[1] ?? samples[0];
  if (!middle) throw new Error('no memory sample');
  const heaps = samples.map((s) => s.heapUsedBytes).filter((h): h is number => h !== undefined);
  heaps.sort((a, b) => a - b);
  return { ...middle, heapUsedBytes: heaps.length === 3 ? heaps[1] : middle.heapUsedBytes };
}

/** Connects idle subscribers level by level (no events flow) and reads the collector's memory at each. */
export async function runMemory(spec: MemorySpec): Promise<MemoryResult> {
  const groups: SubscriberGroup[] = [];
  try {
    const before = await settledSample(spec.memory);
    const levels: MemoryLevel[] = [];
    let connected = 0;
    let failed = 0;
    for (const level of spec.levels) {
      if (level <= connected) continue;
      const group = await SubscriberGroup.open({
        url: spec.streamUrl,
        clients: level - connected,
        channels: spec.channels,
        firstIndex: connected,
        pauseEvery: 0,
        protocol: 'scrapewatch',
        allChannels: spec.channels,
        clientsPerProcess: spec.clientsPerProcess,
        connectConcurrency: spec.connectConcurrency,
      });
      groups.push(group);
      const info: GroupConnected = group.connected;
      connected = level;
      failed += info.failed;
      const sample = await settledSample(spec.memory);
      const subscribed = connected - failed;
      levels.push({
        subscribers: level,
        subscribed,
        failed,
        connectErrors: info.errors,
        connectMs: info.durationMs,
        sample,
        rssBytesPerSubscriber: (sample.rssBytes - before.rssBytes) / Math.max(1, subscribed),
        heapBytesPerSubscriber:
          sample.heapUsedBytes !== undefined && before.heapUsedBytes !== undefined
            ? (sample.heapUsedBytes - before.heapUsedBytes) / Math.max(1, subscribed)
            : undefined,
      });
    }
    await sleep(spec.holdSeconds * 1000);
    let held = 0;
    const closeCodes: Record<string, number> = {};
    for (const group of groups) {
      const status = await group.status();
      held += status.open;
      for (const [code, count] of Object.entries(status.closeCodes))
        closeCodes[code] = (closeCodes[code] ?? 0) + count;
    }
    return { before, levels, held, heldOf: connected, closeCodes };
  } finally {
    await Promise.all(groups.map((group) => group.close()));
  }
}
