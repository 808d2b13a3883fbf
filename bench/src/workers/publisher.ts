// The fan-out publisher: posts events at a fixed rate, spread round-robin over the channels, each
// stamped with its send time (shared clock) just before it is serialised.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeRows } from '../../../collector/src/storage/rows';
import { navigationEvent, sharedClockMs } from '../events';
import type { PublisherIn, PublisherRun } from '../ipc';
import { keepAliveAgent, postJson } from '../load/http-post';
import { keepError, tally } from '../load/pool';
import { reply, runWorker } from '../worker-runtime';

const TICK_MS = 2;
/** How long posts still in flight at the end may take before they are abandoned. */
const UNANSWERED_GRACE_MS = 10_000;

/**
 * The request body: the collector's (and the bare ws baseline's) JSON array of events, or for
 * Centrifugo one batch API call publishing each channel's events of this POST as one publication.
 */
function body(spec: PublisherRun, events: Array<{ scraperSource: string }>): string {
  if (spec.format === 'scrapewatch') return JSON.stringify(events);
  const byChannel = new Map<string, unknown[]>();
  for (const event of events) {
    const list = byChannel.get(event.scraperSource);
    if (list) list.push(event);
    else byChannel.set(event.scraperSource, [event]);
  }
  const commands = [...byChannel].map(([channel, metrics]) => ({
    publish: { channel, data: { metrics } },
  }));
  return JSON.stringify({ commands });
}

async function publish(spec: PublisherRun): Promise<void> {
  const url = new URL(spec.url);
  const agent = keepAliveAgent(spec.maxInFlight);
  const statusCounts: Record<string, number> = {};
  const windowEventsByChannel: Record<string, number> = {};
  const errors: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let sentEvents = 0;
  let acceptedEvents = 0;
  let failedRequests = 0;
  let maxLagMs = 0;
  let sequence = 0;
  const runTag = `${process.pid}-${Date.now()}`;

  const startedAt = performance.now();
  const endAt = startedAt + spec.durationMs;
  // Open loop, bounded in time: events fall due at the given rate until endAt; a publisher that
  // cannot keep up (the target is saturated) sends fewer, and says so in maxLagMs and the rate.
  for (let now = startedAt; now < endAt; now = performance.now()) {
    const elapsedMs = now - startedAt;
    const due = Math.floor((elapsedMs * spec.eventsPerSecond) / 1000);
    if (due - sentEvents < spec.batchSize) {
      await sleep(TICK_MS);
      continue;
    }
    // How long ago the oldest event of this batch was due.
    const lagMs = elapsedMs - ((sentEvents + 1) * 1000) / spec.eventsPerSecond;
    if (lagMs > maxLagMs) maxLagMs = lagMs;
    if (inFlight.size >= spec.maxInFlight) {
      await Promise.race([...inFlight, sleep(Math.max(1, endAt - now))]);
      continue;
    }
    const count = spec.batchSize;
    const sentAtMs = sharedClockMs();
    const recordedAt = Date.now();
    const events = Array.from({ length: count }, () => {
      const channel = spec.channels[sequence % spec.channels.length] ?? 'bench';
      if (sentAtMs >= spec.windowFromMs && sentAtMs < spec.windowToMs)
        tally(windowEventsByChannel, channel);
      return navigationEvent({
        scraper: channel,
        sequence: sequence++,
        recordedAt,
        sentAtMs,
      });
    });
    // eventIds must be unique across publisher runs against the same collector.
    for (const event of events) event.eventId = `${event.eventId}-${runTag}`;
    sentEvents += count;
    // `ilp`: the collector's own ILP rows, straight to QuestDB's /write (no collector involved).
    const payload =
      spec.format === 'ilp' ? encodeRows(events, Date.now()) : Buffer.from(body(spec, events));
    const request = postJson(agent, url, payload)
      .then((answer) => {
        tally(statusCounts, answer.status);
        if (answer.status >= 200 && answer.status < 300) acceptedEvents += count;
        else {
          failedRequests++;
          keepError(errors, `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
        }
      })
      .catch((error: unknown) => {
        failedRequests++;
        tally(statusCounts, 'network');
        keepError(errors, error instanceof Error ? error.message : String(error));
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  const sendingMs = performance.now() - startedAt;
  await Promise.race([Promise.all(inFlight), sleep(UNANSWERED_GRACE_MS)]);
  if (inFlight.size > 0) tally(statusCounts, 'unanswered', inFlight.size);
  agent.destroy();
  reply({
    type: 'done',
    sentEvents,
    acceptedEvents,
    failedRequests,
    windowEventsByChannel,
    statusCounts,
    maxLagMs,
    achievedEventsPerSecond: (sentEvents * 1000) / sendingMs,
    errors,
  });
}

runWorker<PublisherIn>(publish);
