import type { HistoryResponse, ScrapersResponse } from '@scrapewatch/protocol';
import {
  SCOPED_STREAM_TOKEN,
  STREAM_TOKEN,
  navigation,
  post,
  scrape,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

const GRAFANA = 'http://grafana.example.test:3000';
const prefix = uniquePrefix('e2e-api');
const allowed = `${prefix}-allowed`;
const hidden = `${prefix}-hidden`;
let running: RunningCollector;
let startMs: number;

beforeAll(async () => {
  running = await startCollector({
    scoped: [allowed],
    env: { SCRAPEWATCH_ALLOWED_ORIGINS: GRAFANA },
  });
  startMs = Date.now() - 1_000;
  const res = await post(
    running.url,
    JSON.stringify([
      scrape(allowed, { itemsExtracted: 1 }),
      scrape(allowed, { itemsExtracted: 2 }),
      scrape(hidden),
      navigation(allowed),
    ]),
  );
  expect(res.status).toBe(202);
  await waitForRows('page_scrape', `scraper IN ('${allowed}', '${hidden}')`, 3);
});

afterAll(async () => {
  await running?.close();
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${running.url}${path}`, { headers });
}

const stream = { authorization: `Bearer ${STREAM_TOKEN}` };
const scoped = { authorization: `Bearer ${SCOPED_STREAM_TOKEN}` };

describe('operations endpoints', () => {
  it('GET /healthz', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports QuestDB and the schema', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      questdb: true,
      schemaVersion: expect.any(Number),
      reasons: [],
    });
  });

  it('GET /metrics exposes process, ingest, storage and live metrics', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(
      /^scrapewatch_events_accepted_total\{kind="page_scrape",transport="http"\} 3$/m,
    );
    expect(text).toMatch(/^scrapewatch_ingest_batch_size_count\{transport="http"\} 1$/m);
    expect(text).toMatch(/^scrapewatch_live_subscribers \d+$/m);
    expect(text).toMatch(/^scrapewatch_http_request_duration_seconds_count\{/m);
    await post(running.url, '{');
    expect(await (await get('/metrics')).text()).toMatch(
      /^scrapewatch_events_rejected_total\{code="INVALID_JSON",transport="http"\} 1$/m,
    );
  });
});

describe('GET /v1/history', () => {
  it('returns events of a kind and range, oldest first, with their eventIds', async () => {
    const res = await get(
      `/v1/history?kind=page_scrape&scraper=${allowed},${hidden}&from=${startMs}&to=${Date.now() + 1_000}`,
      stream,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as HistoryResponse;
    expect(body.kind).toBe('page_scrape');
    expect(body.events).toHaveLength(3);
    expect(body.events.every((e) => typeof e.eventId === 'string')).toBe(true);
  });

  it('limits a scoped token to its scrapers', async () => {
    const res = await get(`/v1/history?kind=page_scrape&from=${startMs}`, scoped);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HistoryResponse;
    expect(body.events.map((e) => e.scraperSource)).toEqual([allowed, allowed]);
    const denied = await get(`/v1/history?kind=page_scrape&scraper=${hidden}`, scoped);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      error: { code: 'FORBIDDEN_SCOPE', details: [{ index: null, path: '?scraper' }] },
    });
  });

  it.each([
    ['', 'kind'],
    ['kind=page_click', 'kind'],
    ['kind=page_scrape&from=yesterday', 'from'],
    ['kind=page_scrape&from=20&to=10', 'from'],
    ['kind=page_scrape&limit=0', 'limit'],
    ['kind=page_scrape&limit=1000001', 'limit'],
    ['kind=page_scrape&scraper=bad%20name', 'scraper'],
    ['kind=page_scrape&kind=page_navigation', 'kind'],
    ['kind=page_scrape&token=abc', 'token'],
  ])('refuses ?%s naming %s', async (query, parameter) => {
    const res = await get(`/v1/history?${query}`, stream);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: unknown[] };
    };
    expect(body.error.code).toBe('INVALID_QUERY');
    expect(body.error.message).toContain(`"${parameter}"`);
    expect(body.error.details).toEqual([
      expect.objectContaining({ index: null, path: `?${parameter}`, code: 'INVALID_QUERY' }),
    ]);
  });

  it('requires a stream token', async () => {
    expect((await get('/v1/history?kind=page_scrape')).status).toBe(401);
    // An ingest token is not a stream token.
    expect(
      (
        await get('/v1/history?kind=page_scrape', {
          authorization: 'Bearer ingest-token-0123456789abcdef',
        })
      ).status,
    ).toBe(401);
  });
});

describe('GET /v1/scrapers', () => {
  it('lists the scrapers the token may read', async () => {
    const all = (await (await get('/v1/scrapers', stream)).json()) as ScrapersResponse;
    const names = all.scrapers.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([allowed, hidden]));
    const mine = (await (await get('/v1/scrapers', scoped)).json()) as ScrapersResponse;
    expect(mine.scrapers.map((s) => s.name)).toEqual([allowed]);
  });
});

describe('CORS on the GET APIs', () => {
  it('answers a preflight from an allowed origin, allowing Authorization', async () => {
    const res = await fetch(`${running.url}/v1/history`, {
      method: 'OPTIONS',
      headers: {
        origin: GRAFANA,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET/);
  });

  it('marks answers to an allowed origin and refuses others', async () => {
    const ok = await get('/v1/scrapers', { ...stream, origin: GRAFANA });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(GRAFANA);
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const other = await get('/v1/scrapers', { ...stream, origin: 'http://evil.example.test' });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      'ORIGIN_NOT_ALLOWED',
    );
  });
});
