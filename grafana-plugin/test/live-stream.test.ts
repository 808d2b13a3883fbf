import { createServer, type Server } from 'node:http';
import type { DataQueryResponse } from '@grafana/data';
import type { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import { memoryPoll, until } from '@scrapewatch/testkit';
import type { LiveQuery } from '../src/types';
import { navigation } from './support/events';
import {
  countingTimers,
  createDataSource,
  installGrafanaServices,
  queryRequest,
} from './support/grafana';

/**
 * A local HTTP + WebSocket server speaking the /v1/stream and /v1/history shapes, so that the
 * sockets the plugin opens can be counted where they arrive.
 */
interface StreamServer {
  url: string;
  open: Set<ServerSocket>;
  connections: number;
  messages: Array<{
    type: string;
    channels?: string[];
    kinds?: string[];
    token?: string;
    version?: number;
  }>;
  /** What GET /v1/history answers, filtered by the requested range. */
  history: AcceptedEvent[];
  historyRequests: Array<{ fromMs: number; toMs: number }>;
  close(): Promise<void>;
}

async function startStreamServer(
  options: { heartbeatIntervalMs?: number; closes?: Array<{ code: number; reason: string }> } = {},
): Promise<StreamServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/history') {
      const fromMs = Number(url.searchParams.get('from'));
      const toMs = Number(url.searchParams.get('to'));
      state.historyRequests.push({ fromMs, toMs });
      const events = state.history.filter((e) => e.recordedAt >= fromMs && e.recordedAt <= toMs);
      res.end(
        JSON.stringify({
          kind: url.searchParams.get('kind'),
          fromMs,
          toMs,
          events,
          truncated: false,
        }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  const wss = new WebSocketServer({ server, path: '/v1/stream' });
  const state: StreamServer = {
    url: '',
    open: new Set(),
    connections: 0,
    messages: [],
    history: [],
    historyRequests: [],
    async close() {
      for (const ws of state.open) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  wss.on('connection', (ws) => {
    state.connections += 1;
    state.open.add(ws);
    ws.on('close', (code, reason) => {
      state.open.delete(ws);
      options.closes?.push({ code, reason: reason.toString() });
    });
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as StreamServer['messages'][number];
      state.messages.push(message);
      if (message.type === 'subscribe' || message.type === 'unsubscribe') {
        ws.send(
          JSON.stringify({
            type: 'subscribed',
            channels: message.channels ?? [],
            kinds: message.kinds ?? null,
            seqs: {},
            heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}

function target(
  refId: string,
  scrapers: string[],
  kind: LiveQuery['kind'] = 'page_navigation',
): LiveQuery {
  return { refId, scrapers, kind, fields: ['duration'], mode: 'raw', groupBy: 'scraper' };
}

describe('one shared socket, torn down completely', () => {
  let server: StreamServer;
  beforeAll(() => installGrafanaServices());
  beforeEach(async () => {
    server = await startStreamServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('shares ONE socket across panels and targets, follows the channel set, and closes it with the last subscriber', async () => {
    const timers = countingTimers();
    const ds = createDataSource(
      { collectorUrl: server.url, streamToken: 'a-stream-token-of-16+' },
      { timers },
    );
    const now = Date.now();
    const seen: DataQueryResponse[] = [];
    const panel1 = ds
      .query(
        queryRequest(
          [target('A', ['alpha']), target('B', ['alpha', 'beta'], 'page_scrape')],
          now - 60_000,
          now,
          { panelId: 1 },
        ),
      )
      .subscribe((r) => seen.push(r));
    const panel2 = ds
      .query(queryRequest([target('A', ['gamma'])], now - 60_000, now, { panelId: 2 }))
      .subscribe((r) => seen.push(r));

    await until(
      'three listeners and the channels subscribed',
      () => {
        const subscribed = new Set(
          server.messages.filter((m) => m.type === 'subscribe').flatMap((m) => m.channels ?? []),
        );
        return (
          ds.stream.listenerCount === 3 &&
          ['alpha', 'beta', 'gamma'].every((c) => subscribed.has(c))
        );
      },
      memoryPoll(),
    );
    expect(server.connections).toBe(1);
    expect(server.open.size).toBe(1);
    expect(server.messages[0]).toMatchObject({ type: 'subscribe', token: 'a-stream-token-of-16+' });
    await until(
      'streaming responses keyed per panel and target',
      () => {
        const keys = new Set(seen.map((r) => r.key));
        return keys.size === 3 && seen.every((r) => r.state === 'Streaming');
      },
      memoryPoll(),
    );
    expect([...new Set(seen.map((r) => r.key))].sort()).toEqual([
      'scrapewatch-live/test/1/A',
      'scrapewatch-live/test/1/B',
      'scrapewatch-live/test/2/A',
    ]);

    panel2.unsubscribe();
    await until(
      'gamma unsubscribed',
      () => server.messages.find((m) => m.type === 'unsubscribe' && m.channels?.includes('gamma')),
      memoryPoll(),
    );
    expect(
      server.messages.some((m) => m.type === 'unsubscribe' && m.channels?.includes('alpha')),
    ).toBe(false);
    expect(server.open.size).toBe(1);

    panel1.unsubscribe();
    await until('the socket closed', () => server.open.size === 0, memoryPoll());
    expect(ds.stream.listenerCount).toBe(0);
    expect(ds.stream.state).toEqual({ state: 'idle' });
    expect(timers.pending).toBe(0);
    expect(server.connections).toBe(1);
  });

  it('closes a socket whose collector stopped sending heartbeats with 4408 HEARTBEAT_TIMEOUT', async () => {
    const closes: Array<{ code: number; reason: string }> = [];
    const silent = await startStreamServer({ heartbeatIntervalMs: 100, closes });
    try {
      const ds = createDataSource({
        collectorUrl: silent.url,
        initialBackoffMs: 60_000,
        maxBackoffMs: 60_000,
      });
      const now = Date.now();
      const subscription = ds
        .query(queryRequest([target('A', ['alpha'])], now - 60_000, now))
        .subscribe(() => undefined);
      await until(
        'subscribed',
        () => silent.messages.some((m) => m.type === 'subscribe'),
        memoryPoll(),
      );
      // The stand-in never sends a heartbeat: 2.5 periods later the plugin gives up on it.
      await until('the stale socket closed', () => closes.length > 0, memoryPoll());
      expect(closes[0]).toEqual({ code: 4408, reason: 'HEARTBEAT_TIMEOUT' });
      subscription.unsubscribe();
    } finally {
      await silent.close();
    }
  });

  it('shows a notice while disconnected, and unsubscribing during the backoff clears the retry timer', async () => {
    const timers = countingTimers();
    const ds = createDataSource(
      { collectorUrl: server.url, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
      { timers },
    );
    const now = Date.now();
    const seen: DataQueryResponse[] = [];
    const subscription: Subscription = ds
      .query(queryRequest([target('A', ['alpha'])], now - 60_000, now))
      .subscribe((r) => seen.push(r));
    await until(
      'subscribed',
      () => ds.stream.state.state === 'open' && server.open.size === 1,
      memoryPoll(),
    );
    await until('first streaming response', () => seen.length > 0, memoryPoll());

    for (const ws of server.open) ws.terminate();
    await until(
      'a frame with the disconnected notice',
      () =>
        seen.some((r) =>
          r.data.some((f: { meta?: { notices?: Array<{ text: string }> } }) =>
            f.meta?.notices?.some((n) => n.text.startsWith('Live stream disconnected')),
          ),
        ),
      memoryPoll(),
    );
    expect(ds.stream.state.state).toBe('disconnected');
    expect(timers.pending).toBeGreaterThan(0);

    subscription.unsubscribe();
    expect(timers.pending).toBe(0);
    expect(ds.stream.state).toEqual({ state: 'idle' });
    expect(server.connections).toBe(1);
  });

  it('drops replayed batches by seq and repairs a gap from history, each event once', async () => {
    const ds = createDataSource({ collectorUrl: server.url });
    const now = Date.now();
    const early = navigation('alpha', now - 30_000, { navigationDurationMs: 1 });
    server.history = [early];
    const seen: DataQueryResponse[] = [];
    const subscription = ds
      .query(queryRequest([target('A', ['alpha'])], now - 60_000, now))
      .subscribe((r) => seen.push(r));
    const durations = () => {
      const frame = seen[seen.length - 1]?.data[0] as
        { fields: Array<{ name: string; values: number[] }> } | undefined;
      return frame?.fields.find((f) => f.name === 'duration')?.values ?? [];
    };
    await until(
      'backfilled',
      () => durations().length === 1 && ds.stream.state.state === 'open',
      memoryPoll(),
    );
    const ws = [...server.open][0];
    if (ws === undefined) throw new Error('no socket');
    const live = navigation('alpha', now - 5_000, { navigationDurationMs: 3 });
    const batch = (seq: number, metrics: AcceptedEvent[]) =>
      JSON.stringify({
        type: 'metrics_batch',
        channel: 'alpha',
        seq,
        scraperSource: 'alpha',
        count: metrics.length,
        timestamp: Date.now(),
        metrics,
      });
    ws.send(batch(1, [live]));
    ws.send(batch(1, [navigation('alpha', now - 4_000, { navigationDurationMs: 99 })]));
    await until('the live event', () => durations().includes(3), memoryPoll());

    const missed = navigation('alpha', now - 10_000, { navigationDurationMs: 2 });
    server.history = [early, missed, live];
    ws.send(
      JSON.stringify({
        type: 'gap',
        channel: 'alpha',
        afterSeq: 1,
        toSeq: 4,
        fromMs: now - 12_000,
        toMs: now - 4_500,
      }),
    );
    await until('the gap repaired', () => durations().length === 3, memoryPoll());
    expect(durations()).toEqual([1, 2, 3]);
    expect(server.historyRequests[server.historyRequests.length - 1]).toEqual({
      fromMs: now - 12_000,
      toMs: now - 4_500,
    });
    ws.send(batch(5, [live, navigation('alpha', now - 1_000, { navigationDurationMs: 4 })]));
    await until('the next batch', () => durations().includes(4), memoryPoll());
    expect(durations()).toEqual([1, 2, 3, 4]);
    subscription.unsubscribe();
  });

  it('asks for frames and reads every batch of a metrics_frame, dropping replayed ones by seq', async () => {
    const ds = createDataSource({ collectorUrl: server.url });
    const now = Date.now();
    server.history = [];
    const seen: DataQueryResponse[] = [];
    const subscription = ds
      .query(queryRequest([target('A', ['alpha'])], now - 60_000, now))
      .subscribe((r) => seen.push(r));
    const durations = () => {
      const frame = seen[seen.length - 1]?.data[0] as
        { fields: Array<{ name: string; values: number[] }> } | undefined;
      return frame?.fields.find((f) => f.name === 'duration')?.values ?? [];
    };
    await until('open', () => ds.stream.state.state === 'open', memoryPoll());
    expect(server.messages[0]).toMatchObject({ type: 'subscribe', version: 2 });
    const ws = [...server.open][0];
    if (ws === undefined) throw new Error('no socket');
    const batch = (seq: number, duration: number) => ({
      type: 'metrics_batch',
      channel: 'alpha',
      seq,
      scraperSource: 'alpha',
      count: 1,
      timestamp: Date.now(),
      metrics: [navigation('alpha', now - 10_000 + duration, { navigationDurationMs: duration })],
    });
    ws.send(JSON.stringify({ type: 'metrics_frame', batches: [batch(1, 1), batch(2, 2)] }));
    await until('the first frame', () => durations().length === 2, memoryPoll());
    // A frame that repeats seq 2 (as a replay after a reconnect would): only seq 3 is new.
    ws.send(JSON.stringify({ type: 'metrics_frame', batches: [batch(2, 99), batch(3, 3)] }));
    await until('the second frame', () => durations().includes(3), memoryPoll());
    expect(durations()).toEqual([1, 2, 3]);
    subscription.unsubscribe();
  });

  it('aggregates over the backfill, then ticks with live events, and clears its tick timer on teardown', async () => {
    const timers = countingTimers();
    const ds = createDataSource({ collectorUrl: server.url }, { timers });
    const now = Date.now();
    server.history = [navigation('alpha', now - 20_000), navigation('alpha', now - 10_000)];
    const seen: DataQueryResponse[] = [];
    const subscription = ds
      .query(
        queryRequest(
          [
            {
              ...target('A', ['alpha']),
              mode: 'aggregate',
              aggregate: 'count',
              windowMs: 60_000,
              groupBy: 'none',
            },
          ],
          now - 60_000,
          now,
        ),
      )
      .subscribe((r) => seen.push(r));
    const counts = () => {
      const frame = seen[seen.length - 1]?.data[0] as
        { fields: Array<{ name: string; values: number[] }> } | undefined;
      return frame?.fields.find((f) => f.name === 'count')?.values ?? [];
    };
    await until(
      'the backfilled aggregate',
      () => counts()[counts().length - 1] === 2 && ds.stream.state.state === 'open',
      memoryPoll(),
    );
    const ws = [...server.open][0];
    ws?.send(
      JSON.stringify({
        type: 'metrics_batch',
        channel: 'alpha',
        seq: 1,
        scraperSource: 'alpha',
        count: 1,
        timestamp: Date.now(),
        metrics: [navigation('alpha', Date.now())],
      }),
    );
    await until(
      'a tick counting the live event',
      () => counts()[counts().length - 1] === 3,
      memoryPoll(),
    );
    expect(counts().length).toBeLessThanOrEqual(1_000);
    subscription.unsubscribe();
    expect(timers.pending).toBe(0);
  });

  it('a range that ended in the past is read from history once, without a socket', async () => {
    const timers = countingTimers();
    const ds = createDataSource({ collectorUrl: server.url }, { timers });
    const now = Date.now();
    const responses: DataQueryResponse[] = [];
    let completed = false;
    ds.query(queryRequest([target('A', ['alpha'])], now - 7_200_000, now - 3_600_000)).subscribe({
      next: (r) => responses.push(r),
      complete: () => (completed = true),
    });
    await until('the history response', () => completed, memoryPoll());
    expect(responses.map((r) => r.state)).toEqual(['Done']);
    expect(server.connections).toBe(0);
    expect(ds.stream.listenerCount).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('a panel without visible targets opens nothing', async () => {
    const ds = createDataSource({ collectorUrl: server.url });
    const responses: DataQueryResponse[] = [];
    ds.query(queryRequest([{ ...target('A', []), hide: true }], 0, 1)).subscribe((r) =>
      responses.push(r),
    );
    expect(responses).toEqual([{ data: [] }]);
    expect(ds.stream.listenerCount).toBe(0);
  });
});
