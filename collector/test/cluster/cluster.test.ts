import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNats, type NatsServer } from '@scrapewatch/nats';
import { memoryPoll, sleep, until } from '@scrapewatch/testkit';
import { countRows, navigation, post, sql, uniquePrefix } from '../e2e/harness';
import { startCollectorProcess, subscribe, type CollectorProcess } from './harness';

/** Rows of page_navigation per event id for a scraper: every id once means stored once. */
async function storedIds(scraper: string): Promise<Map<string, number>> {
  const rows = await sql(
    `SELECT event_id, count() FROM page_navigation WHERE scraper = '${scraper}' GROUP BY event_id`,
  );
  return new Map(rows.map((row) => [String(row[0]), Number(row[1])]));
}

async function waitStored(scraper: string, ids: readonly string[]): Promise<Map<string, number>> {
  let stored = new Map<string, number>();
  await until(
    `${ids.length} events of ${scraper} in QuestDB`,
    async () => {
      stored = await storedIds(scraper);
      return ids.every((id) => stored.has(id));
    },
    60_000,
  );
  return stored;
}

function events(scraper: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    ...navigation(scraper, { retryCount: from + i }),
    eventId: `${scraper}-${from + i}`,
  }));
}

describe('cluster mode (two collector processes, one nats-server, one QuestDB)', () => {
  let root: string;
  let nats: NatsServer;
  const collectors: CollectorProcess[] = [];

  // Collector processes start slowly on a loaded machine, and a killed collector's share comes
  // back after JetStream's ack wait (30 s): the hooks and those tests get more than the default.
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scrapewatch-nats-'));
    nats = await startNats({ root });
    collectors.push(await startCollectorProcess(nats.url), await startCollectorProcess(nats.url));
  }, 180_000);
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    await nats?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores events posted alternately to both once, and streams them to subscribers of either, in order', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-alt');
    // Both wire versions: separate metrics_batch messages on A, metrics_frame messages on B.
    const onA = await subscribe(a.wsUrl, [scraper], { version: 1 });
    const onB = await subscribe(b.wsUrl, [scraper]);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = events(scraper, i * 5, 5);
      const res = await post(i % 2 === 0 ? a.url : b.url, JSON.stringify(batch));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 5, durability: 'jetstream' });
      ids.push(...batch.map((e) => e.eventId));
    }
    // A scraper retrying a whole request on the other collector: JetStream drops the duplicates.
    expect((await post(b.url, JSON.stringify(events(scraper, 0, 5)))).status).toBe(202);

    const stored = await waitStored(scraper, ids);
    expect(stored.size).toBe(50);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);

    for (const subscriber of [onA, onB]) {
      await until(
        'every event on the stream',
        () => subscriber.eventIds().length >= 50,
        memoryPoll(10_000),
      );
      // In the order they were acknowledged, each exactly once.
      expect(subscriber.eventIds()).toEqual(ids);
      subscriber.close();
    }
    expect(onA.types.get('metrics_frame')).toBeUndefined();
    expect(onB.types.get('metrics_batch')).toBeUndefined();
    expect(onB.types.get('metrics_frame')).toBeGreaterThan(0);
    // Seqs are stream positions: the same batches carry the same seqs on both collectors.
    expect(onB.batches.map((x) => x.seq)).toEqual(onA.batches.map((x) => x.seq));
  });

  it('resumes a subscriber that leaves collector A on collector B with exactly the missed events', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-resume');
    const onA = await subscribe(a.wsUrl, [scraper]);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const batch = events(scraper, i * 5, 5);
      expect((await post(i % 2 === 0 ? a.url : b.url, JSON.stringify(batch))).status).toBe(202);
      seen.push(...batch.map((e) => e.eventId));
    }
    await until('seen on A', () => onA.eventIds().length >= 20, memoryPoll(10_000));
    const lastSeq = onA.lastSeq(scraper);
    onA.close();

    const missed: string[] = [];
    for (let i = 4; i < 8; i++) {
      const batch = events(scraper, i * 5, 5);
      expect((await post(i % 2 === 0 ? a.url : b.url, JSON.stringify(batch))).status).toBe(202);
      missed.push(...batch.map((e) => e.eventId));
    }
    const onB = await subscribe(b.wsUrl, [scraper], { resume: { [scraper]: lastSeq } });
    expect((await onB.subscribed).seqs[scraper]).toBeGreaterThanOrEqual(lastSeq);
    await until('missed on B', () => onB.eventIds().length >= 20, memoryPoll(10_000));
    const live = events(scraper, 40, 5);
    expect((await post(a.url, JSON.stringify(live))).status).toBe(202);
    await until('live on B', () => onB.eventIds().length >= 25, memoryPoll(10_000));

    expect(onA.eventIds()).toEqual(seen);
    expect(onB.eventIds()).toEqual([...missed, ...live.map((e) => e.eventId)]);
    expect(onB.gaps).toEqual([]);
    const seqs = onB.batches.map((x) => x.seq);
    expect(seqs[0]).toBeGreaterThan(lastSeq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    onB.close();
  });

  it('resumes on a collector started after the missed events by reading them from the stream', async () => {
    const [a] = collectors as [CollectorProcess];
    const scraper = uniquePrefix('cluster-late');
    const onA = await subscribe(a.wsUrl, [scraper]);
    expect((await post(a.url, JSON.stringify(events(scraper, 0, 5)))).status).toBe(202);
    await until('seen on A', () => onA.eventIds().length >= 5, memoryPoll(10_000));
    const lastSeq = onA.lastSeq(scraper);
    onA.close();
    const missed = events(scraper, 5, 10);
    expect((await post(a.url, JSON.stringify(missed.slice(0, 5)))).status).toBe(202);
    expect((await post(a.url, JSON.stringify(missed.slice(5)))).status).toBe(202);

    // Its replay ring starts after the stream's end at its start: older positions come from JetStream.
    const late = await startCollectorProcess(nats.url);
    try {
      const onLate = await subscribe(late.wsUrl, [scraper], { resume: { [scraper]: lastSeq } });
      await until('replayed', () => onLate.eventIds().length >= 10, memoryPoll(10_000));
      await sleep(300);
      expect(onLate.eventIds()).toEqual(missed.map((e) => e.eventId));
      expect(onLate.gaps).toEqual([]);
      onLate.close();
    } finally {
      await late.stop();
    }
  }, 120_000);

  it('reports what a stream read cannot fit in the replay bound as a gap with its event times', async () => {
    const [a] = collectors as [CollectorProcess];
    const scraper = uniquePrefix('cluster-bound');
    const onA = await subscribe(a.wsUrl, [scraper]);
    expect((await post(a.url, JSON.stringify(events(scraper, 0, 1)))).status).toBe(202);
    await until('seen on A', () => onA.eventIds().length >= 1, memoryPoll(10_000));
    const lastSeq = onA.lastSeq(scraper);
    onA.close();
    // One message of 20 events (several KiB), then one of a single event.
    const now = Date.now();
    const big = events(scraper, 1, 20).map((e, i) => ({ ...e, recordedAt: now - 60_000 + i }));
    const small = events(scraper, 21, 1);
    expect((await post(a.url, JSON.stringify(big))).status).toBe(202);
    expect((await post(a.url, JSON.stringify(small))).status).toBe(202);

    // A replay may take half of the slow-consumer bound: 2 KiB here, room for the small one only.
    const late = await startCollectorProcess(nats.url, { SCRAPEWATCH_MAX_BUFFERED_BYTES: '4096' });
    try {
      const onLate = await subscribe(late.wsUrl, [scraper], { resume: { [scraper]: lastSeq } });
      await until('replayed', () => onLate.eventIds().length >= 1, memoryPoll(10_000));
      expect(onLate.eventIds()).toEqual(small.map((e) => e.eventId));
      const replayedSeq = onLate.lastSeq(scraper);
      expect(onLate.gaps).toEqual([
        {
          channel: scraper,
          afterSeq: lastSeq,
          toSeq: expect.any(Number),
          fromMs: now - 60_000,
          toMs: now - 60_000 + 19,
        },
      ]);
      const [gap] = onLate.gaps;
      expect(gap?.toSeq).toBeGreaterThan(lastSeq);
      expect(gap?.toSeq).toBeLessThan(replayedSeq);
      onLate.close();
    } finally {
      await late.stop();
    }
  }, 120_000);

  it('keeps every acknowledged event, exactly once, when a collector is SIGKILLed mid-ingest', async () => {
    const victim = await startCollectorProcess(nats.url);
    const survivor = collectors[0] as CollectorProcess;
    const scraper = uniquePrefix('cluster-kill');
    const onVictim = await subscribe(victim.wsUrl, [scraper]);
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const sender = (async () => {
      while (!killed) {
        const batch = events(scraper, next, 20);
        next += 20;
        try {
          const res = await post(victim.url, JSON.stringify(batch));
          if (res.status === 202) acknowledged.push(...batch.map((e) => e.eventId));
        } catch {
          // The connection died with the process: not acknowledged, so the scraper retries later.
        }
      }
    })();
    await until('200 acked', () => acknowledged.length >= 200, memoryPoll(30_000));
    await victim.kill();
    killed = true;
    await sender;
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    // The survivor's writer takes over what the victim had pulled but not committed (ack wait).
    const stored = await waitStored(scraper, acknowledged);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    // Posting to the survivor still works.
    const after = events(scraper, next, 1);
    expect((await post(survivor.url, JSON.stringify(after))).status).toBe(202);

    // The victim's subscriber resumes on the survivor from the last seq it got: nothing twice,
    // nothing lost (what the victim published but never acknowledged may be there too).
    const lastSeq = onVictim.lastSeq(scraper);
    const onSurvivor = await subscribe(survivor.wsUrl, [scraper], {
      resume: { [scraper]: lastSeq },
    });
    const last = after[0]?.eventId ?? '';
    await until(
      'resumed up to the newest event',
      () => onSurvivor.eventIds().includes(last),
      memoryPoll(15_000),
    );
    const received = [...onVictim.eventIds(), ...onSurvivor.eventIds()];
    expect(new Set(received).size).toBe(received.length);
    expect(received).toEqual(expect.arrayContaining([...acknowledged, last]));
    expect(onSurvivor.gaps).toEqual([]);
    onSurvivor.close();
  }, 150_000);

  it('answers 503 UNAVAILABLE while nats-server is down and recovers without a collector restart', async () => {
    const [a, b] = collectors as [CollectorProcess, CollectorProcess];
    const scraper = uniquePrefix('cluster-restart');
    expect((await post(a.url, JSON.stringify(events(scraper, 0, 3)))).status).toBe(202);

    const { port } = nats;
    await nats.stop();
    await until(
      '/readyz 503 without NATS',
      async () => (await fetch(`${a.url}/readyz`)).status === 503,
      15_000,
    );
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ ready: false, nats: false });
    expect(ready['reasons']).toContain('NATS is unreachable');
    const refused = await post(a.url, JSON.stringify(events(scraper, 3, 3)));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');

    nats = await startNats({ root, port });
    for (const c of [a, b]) {
      await until(
        'ready again',
        async () => (await fetch(`${c.url}/readyz`)).status === 200,
        30_000,
      );
    }
    // The live feed came back too: a subscriber of A sees what B acknowledges.
    const onA = await subscribe(a.wsUrl, [scraper]);
    // The scraper's retry of the refused request, on the other collector.
    const retried = await post(b.url, JSON.stringify(events(scraper, 3, 3)));
    expect(retried.status).toBe(202);
    await until(
      'live on A after the restart',
      () => onA.eventIds().length >= 3,
      memoryPoll(15_000),
    );
    expect(onA.eventIds()).toEqual(events(scraper, 3, 3).map((e) => e.eventId));
    onA.close();
    const stored = await waitStored(
      scraper,
      events(scraper, 0, 6).map((e) => e.eventId),
    );
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(await countRows('page_navigation', `scraper = '${scraper}'`)).toBe(6);
  }, 120_000);
});
