import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataFrame, DataQueryResponse } from '@grafana/data';
import type { AcceptedEvent } from '@scrapewatch/protocol';
import { freePort, testQuestDB } from '@scrapewatch/questdb';
import WebSocket from 'ws';
import { spawnCollector, until, type CollectorProcess } from '@scrapewatch/testkit';
import type { StreamSocket } from '../src/live/stream-connection';
import { navigation } from './support/events';
import {
  createDataSource,
  installGrafanaServices,
  queryRequest,
  TestTemplateSrv,
} from './support/grafana';
import { startGrafanaProxy, type GrafanaProxy, type ProxyRoute } from './support/grafana-proxy';

const INGEST_TOKEN = 'plugin-proxy-ingest-token-0123456789';
const STREAM_TOKEN = 'plugin-proxy-stream-token-0123456789';
const UID = 'scrapewatch-live';
const PROXY_URL = `/api/datasources/proxy/uid/${UID}`;

describe("through Grafana's data source proxy, the browser never holds the stream token", () => {
  const scraper = `grafana-proxy-${Math.random().toString(36).slice(2, 10)}`;
  let port = 0;
  let spoolDir = '';
  let collector: CollectorProcess | undefined;
  let proxy: GrafanaProxy | undefined;
  let wrongTokenProxy: GrafanaProxy | undefined;
  /** Every message the plugin's sockets sent (client frames are masked on the wire). */
  const sent: string[] = [];

  beforeAll(async () => {
    const questdb = testQuestDB();
    port = await freePort();
    spoolDir = await mkdtemp(path.join(tmpdir(), 'scrapewatch-plugin-proxy-'));
    collector = await spawnCollector({
      port,
      env: {
        SCRAPEWATCH_QUESTDB_HTTP: questdb.httpUrl,
        SCRAPEWATCH_QUESTDB_PG: questdb.pgUrl,
        SCRAPEWATCH_SPOOL_DIR: spoolDir,
        SCRAPEWATCH_INGEST_TOKENS: INGEST_TOKEN,
        SCRAPEWATCH_STREAM_TOKENS: STREAM_TOKEN,
        // No browser origin is allowed: only Grafana's server, which sends none, talks to it.
        SCRAPEWATCH_ALLOWED_ORIGINS: 'https://nowhere.invalid',
        SCRAPEWATCH_LIVE_TICK_MS: '20',
        SCRAPEWATCH_LOG_LEVEL: 'warn',
      },
    });
    const manifest = JSON.parse(
      await readFile(path.join(__dirname, '../src/plugin.json'), 'utf8'),
    ) as {
      routes: ProxyRoute[];
    };
    proxy = await startGrafanaProxy(
      [
        {
          uid: UID,
          url: collector.url,
          jsonData: {},
          secureJsonData: { streamToken: STREAM_TOKEN },
        },
      ],
      manifest.routes,
    );
    wrongTokenProxy = await startGrafanaProxy(
      [
        {
          uid: UID,
          url: collector.url,
          jsonData: {},
          secureJsonData: { streamToken: 'wrong-token-0123456789' },
        },
      ],
      manifest.routes,
    );
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await wrongTokenProxy?.close();
    await collector?.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 90_000);

  /** The plugin as Grafana's frontend runs it on the proxy's page, with the session cookie. */
  function dataSourceBehind(grafana: GrafanaProxy) {
    installGrafanaServices(new TestTemplateSrv(), {
      origin: grafana.origin,
      cookie: grafana.sessionCookie,
    });
    return createDataSource(
      {},
      {
        pageUrl: () => `${grafana.origin}/d/scrapewatch-overview`,
        createSocket: (url) => {
          const ws = new WebSocket(url, {
            headers: { cookie: grafana.sessionCookie, origin: grafana.origin },
          });
          const send = ws.send.bind(ws);
          (ws as unknown as { send: (data: string) => void }).send = (data: string) => {
            sent.push(data);
            send(data);
          };
          return ws as unknown as StreamSocket;
        },
      },
      { url: PROXY_URL, access: 'proxy' },
    );
  }

  async function post(events: AcceptedEvent[]): Promise<void> {
    const response = await fetch(`${collector?.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(202);
  }

  it('passes "Save & test", lists scrapers, backfills and streams, all through the proxy', async () => {
    const grafana = proxy!;
    const ds = dataSourceBehind(grafana);
    expect(ds.proxied).toBe(true);
    let duration = 0;
    const events = (count: number) =>
      Array.from({ length: count }, () => {
        duration += 1;
        return navigation(scraper, Date.now() - 1_000, {
          navigationDurationMs: duration,
          eventId: `${scraper}-${duration}`,
        });
      });
    await post(events(3));

    expect(await ds.testDatasource()).toMatchObject({
      status: 'success',
      message: expect.stringContaining("through Grafana's data source proxy"),
    });
    await until(
      'the scraper in /v1/scrapers',
      async () => (await ds.getScraperNames()).includes(scraper),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const responses: DataQueryResponse[] = [];
    const subscription = ds
      .query(
        queryRequest(
          [
            {
              refId: 'A',
              scrapers: [scraper],
              kind: 'page_navigation',
              fields: ['duration'],
              mode: 'raw',
              groupBy: 'scraper',
            },
          ],
          Date.now() - 10 * 60_000,
          Date.now() + 60_000,
        ),
      )
      .subscribe((r) => responses.push(r));
    const durations = (): number[] => {
      const frame = (responses.at(-1)?.data ?? []).find((f: DataFrame) => f.name === scraper) as
        DataFrame | undefined;
      return [...(frame?.fields.find((f) => f.name === 'duration')?.values ?? [])] as number[];
    };
    try {
      // History first (3 events, once QuestDB has applied them), then live over the proxied socket.
      await until('the backfill', () => durations().length >= 3, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      await until('the socket subscribed', () => ds.stream.state.state === 'open', {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await post(events(2));
      await until('the live events', () => durations().length === 5, {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      expect(durations()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      subscription.unsubscribe();
    }

    // Every call went through a route of plugin.json, which set the token server side.
    const viaRoutes = grafana.forwarded.filter((f) => f.route !== null);
    expect(new Set(viaRoutes.map((f) => f.route))).toEqual(
      new Set(['v1/history', 'v1/scrapers', 'v1/stream']),
    );
    for (const f of viaRoutes) expect(f.headers['authorization']).toBe(`Bearer ${STREAM_TOKEN}`);
    // Grafana's session cookie, the page's Origin and Referer never reach the collector.
    for (const f of grafana.forwarded) {
      expect(f.headers['cookie']).toBeUndefined();
      expect(f.headers['origin']).toBeUndefined();
    }
    // The browser never held, sent or received the token.
    expect(grafana.browserTraffic()).toContain('/api/datasources/proxy/uid/');
    expect(grafana.browserTraffic()).not.toContain(STREAM_TOKEN);
    expect(sent.length).toBeGreaterThan(0);
    for (const message of sent) expect(message).not.toContain(STREAM_TOKEN);
    // Nor did it learn where the collector is: it only ever talked to Grafana.
    expect(ds.api.baseUrl).toBe(PROXY_URL);
    expect(grafana.browserTraffic()).not.toContain(`127.0.0.1:${port}`);
  }, 180_000);

  it('settings saved before the proxy (a collector URL in jsonData) keep the direct connection', () => {
    const legacy = createDataSource(
      { collectorUrl: 'https://collector.example:8080', streamToken: 'legacy-stream-token' },
      {},
      { url: PROXY_URL, access: 'proxy' },
    );
    expect(legacy.proxied).toBe(false);
    expect(legacy.api.baseUrl).toBe('https://collector.example:8080');
    const chosen = createDataSource(
      { connection: 'proxy', collectorUrl: 'https://collector.example:8080' },
      {},
      { url: PROXY_URL, access: 'proxy' },
    );
    expect(chosen.proxied).toBe(true);
    expect(chosen.api.baseUrl).toBe(PROXY_URL);
  });

  it("does not forward the browser's own Authorization, and routes nothing else to the token", async () => {
    const grafana = proxy!;
    const before = grafana.forwarded.length;
    const response = await fetch(`${grafana.origin}${PROXY_URL}/readyz`, {
      headers: {
        cookie: grafana.sessionCookie,
        authorization: 'Bearer grafana-service-account-token',
      },
    });
    expect(response.status).toBe(200);
    const [readyz] = grafana.forwarded.slice(before);
    expect(readyz).toMatchObject({ path: '/readyz', route: null });
    expect(readyz?.headers['authorization']).toBeUndefined();

    // Without Grafana's session the proxy refuses, WebSocket included.
    expect((await fetch(`${grafana.origin}${PROXY_URL}/v1/scrapers`)).status).toBe(401);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${grafana.origin.replace('http', 'ws')}${PROXY_URL}/v1/stream`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
  }, 60_000);

  it("explains a collector that Grafana's server cannot reach (the proxy answers 502)", async () => {
    const manifest = JSON.parse(
      await readFile(path.join(__dirname, '../src/plugin.json'), 'utf8'),
    ) as { routes: ProxyRoute[] };
    const nowhere = await startGrafanaProxy(
      [
        {
          uid: UID,
          url: `http://127.0.0.1:${await freePort()}`,
          jsonData: {},
          secureJsonData: { streamToken: STREAM_TOKEN },
        },
      ],
      manifest.routes,
    );
    try {
      const result = await dataSourceBehind(nowhere).testDatasource();
      expect(result.status).toBe('error');
      expect(result.message).toContain("Grafana's server cannot reach the collector (HTTP 502");
    } finally {
      await nowhere.close();
    }
  }, 60_000);

  it('explains a stream token the collector refuses (the proxy reports it as a 400)', async () => {
    const ds = dataSourceBehind(wrongTokenProxy!);
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain('refused the stream token');
    // The upgrade carries the route's (wrong) token: the collector closes the socket with 4001.
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(
        `${wrongTokenProxy!.origin.replace('http', 'ws')}${PROXY_URL}/v1/stream`,
        {
          headers: { cookie: wrongTokenProxy!.sessionCookie },
        },
      );
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'subscribe', channels: ['*'] }));
      });
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(4001);
  }, 60_000);
});
