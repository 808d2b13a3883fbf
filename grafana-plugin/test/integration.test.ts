import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataFrame, DataQueryResponse } from '@grafana/data';
import type { AcceptedEvent, HistoryResponse } from '@scrapewatch/protocol';
import { freePort, testQuestDB } from '@scrapewatch/questdb';
import type { Subscription } from 'rxjs';
import {
  memoryPoll,
  pollUntil,
  spawnCollector,
  until,
  type CollectorProcess,
} from '@scrapewatch/testkit';
import type { LiveDataSource } from '../src/datasource';
import { navigation } from './support/events';
import {
  countingTimers,
  createDataSource,
  installGrafanaServices,
  queryRequest,
} from './support/grafana';

const INGEST_TOKEN = 'plugin-it-ingest-token-0123456789';
const STREAM_TOKEN = 'plugin-it-stream-token-0123456789';

describe('the data source against a real collector and QuestDB', () => {
  const scraper = `grafana-it-${Math.random().toString(36).slice(2, 10)}`;
  let port = 0;
  let spoolDir = '';
  let env: Record<string, string> = {};
  let collector: CollectorProcess | undefined;

  beforeAll(async () => {
    installGrafanaServices();
    const questdb = testQuestDB();
    port = await freePort();
    spoolDir = await mkdtemp(path.join(tmpdir(), 'scrapewatch-plugin-it-'));
    env = {
      SCRAPEWATCH_QUESTDB_HTTP: questdb.httpUrl,
      SCRAPEWATCH_QUESTDB_PG: questdb.pgUrl,
      SCRAPEWATCH_SPOOL_DIR: spoolDir,
      SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
      SCRAPEWATCH_STREAM_TOKENS: STREAM_TOKEN,
      // jsdom's WebSocket sends the Origin of its document, as a browser on Grafana's page would.
      SCRAPEWATCH_ALLOWED_ORIGINS: 'http://localhost',
      SCRAPEWATCH_LIVE_TICK_MS: '20',
      SCRAPEWATCH_LOG_LEVEL: 'warn',
    };
    collector = await spawnCollector({ port, env });
  }, 180_000);

  afterAll(async () => {
    await collector?.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 90_000);

  let sequence = 0;
  /** Events whose navigationDurationMs is a unique number: the frame's duration column identifies them. */
  function batch(count: number): AcceptedEvent[] {
    return Array.from({ length: count }, () => {
      sequence += 1;
      return navigation(scraper, Date.now() - 1_000, {
        navigationDurationMs: sequence,
        eventId: `${scraper}-${sequence}`,
      });
    });
  }

  async function post(events: AcceptedEvent[]): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${port}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(202);
  }

  async function historyCount(): Promise<number> {
    const params = new URLSearchParams({
      kind: 'page_navigation',
      scraper,
      from: String(Date.now() - 3_600_000),
      to: String(Date.now() + 60_000),
    });
    const response = await fetch(`http://127.0.0.1:${port}/v1/history?${params.toString()}`, {
      headers: { authorization: `Bearer ${STREAM_TOKEN}` },
    });
    if (response.status !== 200) return -1;
    return ((await response.json()) as HistoryResponse).events.length;
  }

  async function liveMetric(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? Number.NaN);
  }

  function durations(frames: DataFrame[]): number[] {
    const frame = frames.find((f) => f.name === scraper);
    return [...(frame?.fields.find((f) => f.name === 'duration')?.values ?? [])] as number[];
  }

  function noticeTexts(response: DataQueryResponse | undefined): string[] {
    return (response?.data ?? []).flatMap((f: DataFrame) =>
      (f.meta?.notices ?? []).map((n) => n.text),
    );
  }

  it('passes "Save & test", lists scrapers for variables, and explains a bad token', async () => {
    const good = createDataSource({
      collectorUrl: `http://127.0.0.1:${port}`,
      streamToken: STREAM_TOKEN,
    });
    await post(batch(1));
    const result = await good.testDatasource();
    expect(result).toMatchObject({ status: 'success' });
    expect(result.message).toContain('Connected to the collector');
    const found = await pollUntil(
      'the scraper among the variable values',
      () => good.metricFindQuery('grafana-it'),
      (values) => values.some((v) => v.text === scraper),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(found.map((v) => v.text)).toContain(scraper);

    const bad = createDataSource({
      collectorUrl: `http://127.0.0.1:${port}`,
      streamToken: 'not-a-valid-stream-token',
    });
    const refused = await bad.testDatasource();
    expect(refused.status).toBe('error');
    expect(refused.message).toContain('401');

    const nowhere = createDataSource({ collectorUrl: `http://127.0.0.1:${await freePort()}` });
    const unreachable = await nowhere.testDatasource();
    expect(unreachable.status).toBe('error');
    expect(unreachable.message).toContain('Cannot reach the collector');
  }, 120_000);

  it('backfills from history, streams live, and survives a collector restart without gap or duplicate', async () => {
    const before = batch(5);
    await post(before);
    // Backfill reads QuestDB: wait until the rows are visible there (WAL applies asynchronously).
    const expectedBefore = sequence;
    await pollUntil(
      'the events visible in history',
      historyCount,
      (count) => count >= expectedBefore,
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const timers = countingTimers();
    const ds: LiveDataSource = createDataSource(
      {
        collectorUrl: `http://127.0.0.1:${port}`,
        streamToken: STREAM_TOKEN,
        initialBackoffMs: 200,
        maxBackoffMs: 2_000,
      },
      { timers },
    );
    const now = Date.now();
    const responses: DataQueryResponse[] = [];
    const subscription: Subscription = ds
      .query(
        queryRequest(
          [
            {
              refId: 'A',
              scrapers: ['$scraper'],
              kind: 'page_navigation',
              fields: ['duration'],
              mode: 'raw',
              groupBy: 'scraper',
            },
          ],
          now - 3_600_000,
          now,
          {
            scopedVars: { scraper: { text: scraper, value: scraper } },
          },
        ),
      )
      .subscribe((r) => responses.push(r));
    const latest = () => responses[responses.length - 1];
    const expectAll = (count: number) => () => {
      const values = durations(latest()?.data ?? []);
      return values.length >= count ? values : undefined;
    };

    const afterBackfill = await until(
      'backfilled events',
      expectAll(expectedBefore),
      memoryPoll(60_000),
    );
    expect(afterBackfill).toEqual(Array.from({ length: expectedBefore }, (_, i) => i + 1));
    await until('the stream open', () => ds.stream.state.state === 'open', memoryPoll(60_000));

    const framesBefore = await liveMetric('scrapewatch_live_frames_sent_total');
    await post(batch(4));
    await until('live events', expectAll(sequence), memoryPoll(60_000));
    // The plugin asked for wire version 2: the live events reached it in metrics_frame messages.
    expect(await liveMetric('scrapewatch_live_frames_sent_total')).toBeGreaterThan(framesBefore);

    // Forced reconnect: the collector process dies (no close frame), then comes back on the same port.
    await collector?.stop({ signal: 'SIGKILL' });
    await until(
      'the socket seen as lost',
      () => ds.stream.state.state !== 'open',
      memoryPoll(60_000),
    );
    await until(
      'a disconnected notice on the frame',
      () => noticeTexts(latest()).some((t) => t.startsWith('Live stream disconnected')),
      memoryPoll(60_000),
    );
    collector = await spawnCollector({ port, env });
    await post(batch(3));
    await until(
      'the stream open again',
      () => ds.stream.state.state === 'open',
      memoryPoll(120_000),
    );
    await post(batch(3));

    const all = await until('every event, once', expectAll(sequence), memoryPoll(60_000));
    expect(all).toEqual(Array.from({ length: sequence }, (_, i) => i + 1));
    expect(noticeTexts(latest())).toEqual([]);
    expect(new Set(responses.map((r) => r.key))).toEqual(new Set(['scrapewatch-live/test/1/A']));
    expect(responses.every((r) => r.state === 'Streaming')).toBe(true);

    subscription.unsubscribe();
    expect(timers.pending).toBe(0);
    expect(ds.stream.state).toEqual({ state: 'idle' });
  }, 300_000);
});
