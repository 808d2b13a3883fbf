import { setTimeout as sleep } from 'node:timers/promises';
import type { MemorySample } from '../collector-process';
import { sharedClockMs } from '../events';
import type { LatencySummary } from '../histogram';
import type { PublisherIn, PublisherOut, PublisherDone, SubscriberProtocol } from '../ipc';
import { watchCpu, type CpuUse } from '../proc-stat';
import { forkWorker } from '../processes';
import { SubscriberGroup, type GroupConnected } from './subscriber-group';

/** Where a fan-out run publishes and subscribes: the collector, or the bare ws baseline. */
export interface FanoutTarget {
  readonly name: string;
  /** ws://…/v1/stream */
  readonly streamUrl: string;
  /** http://…/v1/metrics or http://…/publish */
  readonly publishUrl: string;
  /** The target's memory, when it can be read (the collector's /metrics). */
  readonly memory?: () => Promise<MemorySample>;
  /** The target's process, for its CPU use. */
  readonly pid: number | undefined;
  /** Other processes whose CPU the run records (QuestDB behind the collector). */
  readonly alsoWatch?: Readonly<Record<string, number | undefined>>;
  /** How the publisher posts and the subscribers speak; the collector's by default. */
  readonly publishFormat?: 'scrapewatch' | 'centrifugo';
  readonly subscriberProtocol?: SubscriberProtocol;
}

export interface FanoutSpec {
  readonly subscribers: number;
  readonly eventsPerSecond: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly eventChannels: readonly string[];
  /** What subscribers take: the event channels (client i takes channel i mod n) or ["*"]. */
  readonly subscriptionChannels: readonly string[];
  readonly batchSize: number;
  /** Every pauseEvery-th client stops reading once subscribed (slow consumers); 0: none. */
  readonly pauseEvery: number;
  readonly clientsPerProcess: number;
  readonly connectConcurrency: number;
}

export interface FanoutResult {
  readonly target: string;
  readonly connected: GroupConnected;
  /** Subscribers that read (all but the paused ones). */
  readonly readingSubscribers: number;
  readonly latency: LatencySummary;
  /** Events × reading subscribers that should have arrived for the measured window. */
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  /** deliveries / expectedDeliveries. */
  readonly completeness: number;
  /** Over the measured window: deliveries, WebSocket messages and their bytes, per second, summed over subscribers. */
  readonly deliveriesPerSecond: number;
  readonly framesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly publisher: Omit<PublisherDone, 'type' | 'windowEventsByChannel'>;
  readonly streamErrors: Record<string, number>;
  readonly openAtEnd: number;
  /** The target's memory before the publisher started and the largest seen while it ran. */
  readonly memoryBefore: MemorySample | undefined;
  readonly memoryPeak: MemorySample | undefined;
  /** CPU while the publisher ran: the target's cores, and how busy the whole machine was. */
  readonly cpu: CpuUse;
}

/** CPU entries of subscriber processes are named `subscribers#<i>`; see subscriberCores. */
const SUBSCRIBER_PREFIX = 'subscribers#';

/** Cores all subscriber processes kept busy together: near the machine's share, they are the limit. */
export function subscriberCores(cpu: CpuUse): number {
  return Object.entries(cpu.coresByProcess)
    .filter(([name]) => name.startsWith(SUBSCRIBER_PREFIX))
    .reduce((sum, [, cores]) => sum + cores, 0);
}

/** Reading clients per subscribed channel: what each event of that channel should reach. */
function readersPerChannel(spec: FanoutSpec): Map<string, number> {
  const readers = new Map<string, number>();
  for (let g = 0; g < spec.subscribers; g++) {
    if (spec.pauseEvery > 0 && g % spec.pauseEvery === spec.pauseEvery - 1) continue;
    const channel = spec.subscriptionChannels[g % spec.subscriptionChannels.length] ?? '*';
    readers.set(channel, (readers.get(channel) ?? 0) + 1);
  }
  return readers;
}

function expectedDeliveries(spec: FanoutSpec, windowEvents: Record<string, number>): number {
  const readers = readersPerChannel(spec);
  const everyone = readers.get('*') ?? 0;
  let total = 0;
  for (const [channel, events] of Object.entries(windowEvents)) {
    total += events * ((readers.get(channel) ?? 0) + everyone);
  }
  return total;
}

function larger(a: MemorySample | undefined, b: MemorySample): MemorySample {
  return a === undefined || b.rssBytes > a.rssBytes ? b : a;
}

/**
 * One fan-out run: subscribers connect and subscribe, the publisher posts at the given rate for
 * warm-up + duration, and every reading subscriber records, per event, send -> receipt for events
 * sent within the measured window (after the warm-up).
 */
export async function runFanout(target: FanoutTarget, spec: FanoutSpec): Promise<FanoutResult> {
  const publisher = forkWorker<PublisherIn, PublisherOut>('publisher', [target.name]);
  let group: SubscriberGroup | undefined;
  try {
    group = await SubscriberGroup.open({
      url: target.streamUrl,
      clients: spec.subscribers,
      channels: spec.subscriptionChannels,
      firstIndex: 0,
      pauseEvery: spec.pauseEvery,
      clientsPerProcess: spec.clientsPerProcess,
      connectConcurrency: spec.connectConcurrency,
      protocol: target.subscriberProtocol ?? 'scrapewatch',
      allChannels: spec.eventChannels,
    });
    const memoryBefore = target.memory ? await target.memory() : undefined;
    // Slack for the publisher to receive its order before its first send.
    const startMs = sharedClockMs() + 200;
    const windowFromMs = startMs + spec.warmupSeconds * 1000;
    const windowToMs = windowFromMs + spec.durationSeconds * 1000;
    group.window(windowFromMs, windowToMs);
    const stopCpu = watchCpu({
      ...target.alsoWatch,
      [target.name]: target.pid,
      publisher: publisher.pid,
      ...Object.fromEntries(group.pids.map((pid, i) => [`${SUBSCRIBER_PREFIX}${i}`, pid])),
    });
    publisher.send({
      type: 'run',
      url: target.publishUrl,
      channels: spec.eventChannels,
      eventsPerSecond: spec.eventsPerSecond,
      batchSize: spec.batchSize,
      durationMs: (spec.warmupSeconds + spec.durationSeconds) * 1000 + 200,
      windowFromMs,
      windowToMs,
      maxInFlight: 256,
      format: target.publishFormat ?? 'scrapewatch',
    });
    let memoryPeak: MemorySample | undefined;
    const done = publisher.next(
      'done',
      (spec.warmupSeconds + spec.durationSeconds) * 1000 + 120_000,
    );
    let finished = false;
    void done.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished && target.memory) {
      memoryPeak = larger(memoryPeak, await target.memory());
      await sleep(1_000);
    }
    const published = await done;
    const cpu = stopCpu();
    const expected = expectedDeliveries(spec, published.windowEventsByChannel);

    // Let the last batches arrive: stop once every expected event is in or the count stalls.
    let report = await group.report();
    for (
      let stalled = 0, waited = 0;
      report.receivedInWindow < expected && stalled < 3 && waited < 20;
      waited++
    ) {
      await sleep(500);
      const next = await group.report();
      stalled = next.receivedInWindow === report.receivedInWindow ? stalled + 1 : 0;
      report = next;
    }
    if (target.memory) memoryPeak = larger(memoryPeak, await target.memory());
    const { type: _type, windowEventsByChannel: _byChannel, ...publisherStats } = published;
    return {
      target: target.name,
      connected: group.connected,
      readingSubscribers: group.connected.subscribed - group.connected.paused,
      latency: report.latency.summary(),
      expectedDeliveries: expected,
      deliveries: report.receivedInWindow,
      completeness: expected > 0 ? report.receivedInWindow / expected : Number.NaN,
      deliveriesPerSecond: report.receivedInWindow / spec.durationSeconds,
      framesPerSecond: report.windowMessages / spec.durationSeconds,
      bytesPerSecond: report.windowBytes / spec.durationSeconds,
      publisher: publisherStats,
      streamErrors: report.streamErrors,
      openAtEnd: report.open,
      memoryBefore,
      memoryPeak,
      cpu,
    };
  } finally {
    await group?.close();
    await publisher.stop();
  }
}
