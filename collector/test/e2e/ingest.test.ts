import { randomBytes } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import type { IngestAck } from '@scrapewatch/protocol';
import { until } from '@scrapewatch/testkit';
import { deriveEventId } from '../../src/ingest/normalise';
import {
  INGEST_TOKEN,
  STREAM_TOKEN,
  countRows,
  navigation,
  post,
  scrape,
  schedulerRun,
  sql,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

/** A hand-made upgrade request: its answer's status, headers and body, upgraded or not. */
function rawUpgrade(
  path: string,
  subprotocols: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${running.url}${path}`, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': subprotocols,
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

let running: RunningCollector;
const prefix = uniquePrefix('e2e-ingest');

beforeAll(async () => {
  running = await startCollector({ env: { SCRAPEWATCH_MAX_BODY_BYTES: '65536' } });
});

afterAll(async () => {
  await running?.close();
});

async function accepted(res: Response, count: number): Promise<void> {
  expect(res.status).toBe(202);
  expect(await res.json()).toEqual({ accepted: count, durability: 'committed' });
}

describe('POST /v1/metrics stores what it accepts', () => {
  it('one event, with every column in place and a derived eventId', async () => {
    const scraper = `${prefix}-one`;
    const event = navigation(scraper, {
      url: 'https://shop.example.com/p/1',
      navigationDurationMs: 812.5,
      retryCount: 2,
      statusCode: 503,
      success: false,
      error: 'upstream',
      errorClass: 'http_5xx',
      bytes: 1234,
    });
    await accepted(await post(running.url, JSON.stringify(event)), 1);
    await waitForRows('page_navigation', `scraper = '${scraper}'`, 1);
    const [row] = await sql(
      `SELECT event_id, domain, url, duration_ms, retry_count, success, status_code, bytes, error, error_class ` +
        `FROM page_navigation WHERE scraper = '${scraper}'`,
    );
    expect(row).toEqual([
      deriveEventId(event as never),
      'shop.example.com',
      'https://shop.example.com/p/1',
      812.5,
      2,
      false,
      503,
      1234,
      'upstream',
      'http_5xx',
    ]);
  });

  it('an array of the three kinds', async () => {
    const scraper = `${prefix}-array`;
    await accepted(
      await post(
        running.url,
        JSON.stringify([navigation(scraper), scrape(scraper), schedulerRun(scraper)]),
      ),
      3,
    );
    await waitForRows('page_navigation', `scraper = '${scraper}'`, 1);
    await waitForRows('page_scrape', `scraper = '${scraper}'`, 1);
    await waitForRows('scheduler_run', `scraper = '${scraper}'`, 1);
  });

  it('NDJSON', async () => {
    const scraper = `${prefix}-ndjson`;
    const lines = [
      scrape(scraper, { itemsExtracted: 1 }),
      scrape(scraper, { itemsExtracted: 2 }),
      navigation(scraper),
    ].map((e) => JSON.stringify(e));
    await accepted(
      await post(running.url, `${lines.join('\r\n')}\n\n`, {
        'content-type': 'application/x-ndjson; charset=utf-8',
      }),
      3,
    );
    await waitForRows('page_scrape', `scraper = '${scraper}'`, 2);
    await waitForRows('page_navigation', `scraper = '${scraper}'`, 1);
  });

  it('the metrics_batch envelope, events inheriting its scraperSource', async () => {
    const scraper = `${prefix}-envelope`;
    const withoutSource = (event: Record<string, unknown>) => {
      const copy = { ...event };
      delete copy['scraperSource'];
      return copy;
    };
    const metrics = [
      withoutSource(navigation(scraper)),
      withoutSource(scrape(scraper)),
      schedulerRun(scraper),
    ];
    const envelope = {
      type: 'metrics_batch',
      scraperSource: scraper,
      count: metrics.length,
      timestamp: Date.now(),
      metrics,
    };
    await accepted(await post(running.url, JSON.stringify(envelope)), 3);
    await waitForRows('page_navigation', `scraper = '${scraper}'`, 1);
    await waitForRows('page_scrape', `scraper = '${scraper}'`, 1);
    await waitForRows('scheduler_run', `scraper = '${scraper}'`, 1);
  });

  it('a re-sent batch is stored once (sent or derived eventIds)', async () => {
    const scraper = `${prefix}-resend`;
    const body = JSON.stringify([
      navigation(scraper),
      scrape(scraper, { eventId: `${scraper}-e1` }),
      schedulerRun(scraper),
    ]);
    await accepted(await post(running.url, body), 3);
    await accepted(await post(running.url, body), 3);
    // A sentinel written after both copies: once it is visible, so are both copies' commits.
    const sentinel = `${scraper}-sentinel`;
    await accepted(
      await post(
        running.url,
        JSON.stringify([navigation(sentinel), scrape(sentinel), schedulerRun(sentinel)]),
      ),
      3,
    );
    for (const table of ['page_navigation', 'page_scrape', 'scheduler_run']) {
      await waitForRows(table, `scraper = '${sentinel}'`, 1);
      expect(await countRows(table, `scraper = '${scraper}'`)).toBe(1);
    }
  });
});

/** A WS /v1/ingest client that queues what it receives. */
async function connect(
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{
  ws: WebSocket;
  next(): Promise<IngestAck>;
  closed: Promise<{ code: number; reason: string }>;
}> {
  const ws = new WebSocket(`${running.wsUrl}/v1/ingest`, options.protocols ?? [], {
    headers: options.headers ?? { authorization: `Bearer ${INGEST_TOKEN}` },
  });
  const queue: IngestAck[] = [];
  const waiters: ((ack: IngestAck) => void)[] = [];
  ws.on('message', (data) => {
    const ack = JSON.parse(String(data)) as IngestAck;
    const waiter = waiters.shift();
    if (waiter) waiter(ack);
    else queue.push(ack);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    next: () =>
      new Promise<IngestAck>((resolve) => {
        const ack = queue.shift();
        if (ack) resolve(ack);
        else waiters.push(resolve);
      }),
  };
}

describe('WS /v1/ingest', () => {
  it('acks every message in order, errors included, and stores the good ones', async () => {
    const scraper = `${prefix}-ws`;
    const client = await connect();
    const envelope = (id: number, itemsExtracted: number) =>
      JSON.stringify({
        type: 'metrics_batch',
        id,
        scraperSource: scraper,
        count: 1,
        timestamp: Date.now(),
        metrics: [scrape(scraper, { itemsExtracted })],
      });
    // Pipelined: the acks must come back in the order the messages went out.
    client.ws.send(envelope(1, 1));
    client.ws.send('{"not json');
    client.ws.send(JSON.stringify({ ...JSON.parse(envelope(3, 3)), metrics: [{ type: 'x' }] }));
    client.ws.send(JSON.stringify([navigation(scraper), schedulerRun(scraper)]));
    client.ws.send(envelope(5, 5));
    client.ws.send(Buffer.from([0x5b, 0xc3, 0x28, 0x5d]));

    expect(await client.next()).toEqual({
      type: 'ack',
      id: 1,
      accepted: 1,
      durability: 'committed',
    });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_JSON' });
    expect(await client.next()).toMatchObject({
      type: 'error',
      id: 3,
      code: 'UNKNOWN_EVENT_TYPE',
      details: [expect.objectContaining({ index: 0, path: '/type' })],
    });
    expect(await client.next()).toEqual({ type: 'ack', accepted: 2, durability: 'committed' });
    expect(await client.next()).toEqual({
      type: 'ack',
      id: 5,
      accepted: 1,
      durability: 'committed',
    });
    // A binary frame that is not UTF-8.
    expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_UTF8' });

    await waitForRows('page_scrape', `scraper = '${scraper}'`, 2);
    await waitForRows('page_navigation', `scraper = '${scraper}'`, 1);
    await waitForRows('scheduler_run', `scraper = '${scraper}'`, 1);
    client.ws.close();
    expect((await client.closed).code).toBe(1005);
  });

  it('keeps acks in order past the per-socket backpressure bound', async () => {
    const scraper = `${prefix}-ws-many`;
    const client = await connect();
    const total = 150;
    for (let id = 0; id < total; id++) {
      client.ws.send(
        JSON.stringify({
          type: 'metrics_batch',
          id,
          scraperSource: scraper,
          metrics: [scrape(scraper, { itemsExtracted: id })],
        }),
      );
    }
    const ids: unknown[] = [];
    for (let i = 0; i < total; i++) ids.push((await client.next()).id);
    expect(ids).toEqual(Array.from({ length: total }, (_, id) => id));
    await waitForRows('page_scrape', `scraper = '${scraper}'`, total);
    client.ws.close();
  });

  it('takes the token as the bearer.<token> subprotocol', async () => {
    const client = await connect({
      headers: {},
      protocols: ['scrapewatch.v1', `bearer.${INGEST_TOKEN}`],
    });
    expect(client.ws.protocol).toBe('scrapewatch.v1');
    client.ws.send(JSON.stringify(scrape(`${prefix}-ws-subprotocol`)));
    expect(await client.next()).toMatchObject({ type: 'ack', accepted: 1 });
    client.ws.close();
  });

  it.each(['/v1/ingest', '/v1/stream'])(
    '%s: a bearer subprotocol without scrapewatch.v1 is refused (400), and no token is ever echoed',
    async (path) => {
      const token = path === '/v1/ingest' ? INGEST_TOKEN : STREAM_TOKEN;
      const alone = await rawUpgrade(path, `bearer.${token}`);
      expect(alone.status).toBe(400);
      expect(JSON.parse(alone.body)).toMatchObject({ error: { code: 'SUBPROTOCOL_REQUIRED' } });
      expect(JSON.stringify(alone.headers)).not.toContain(token);
      // With another subprotocol beside it, still no scrapewatch.v1: refused the same way.
      expect((await rawUpgrade(path, `chat, bearer.${token}`)).status).toBe(400);

      const both = await rawUpgrade(path, `bearer.${token}, scrapewatch.v1`);
      expect(both.status).toBe(101);
      expect(both.headers['sec-websocket-protocol']).toBe('scrapewatch.v1');
      expect(JSON.stringify(both.headers)).not.toContain(token);
      // A subprotocol we do not speak is not echoed either.
      const other = await rawUpgrade(path, 'chat', { authorization: `Bearer ${token}` });
      expect(other.status).toBe(101);
      expect(other.headers['sec-websocket-protocol']).toBeUndefined();
    },
  );

  it('refuses the upgrade without a valid token (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdef' }]) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${running.wsUrl}/v1/ingest`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => undefined);
      });
      expect(status).toBe(401);
    }
  });

  it('closes a socket that sends a message over the size limit (1009 MESSAGE_TOO_LARGE)', async () => {
    const client = await connect();
    client.ws.send(JSON.stringify(scrape(`${prefix}-ws-big`, { error: 'x'.repeat(70_000) })));
    expect(await client.closed).toEqual({ code: 1009, reason: 'MESSAGE_TOO_LARGE' });
  });

  it('answers upgrades to other paths with 404', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${running.wsUrl}/v1/elsewhere`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('ingest to the live stream', () => {
  it('publishes accepted events to /v1/stream subscribers, with their eventIds', async () => {
    const scraper = `${prefix}-live`;
    const ws = new WebSocket(`${running.wsUrl}/v1/stream`, ['scrapewatch.v1']);
    const messages: { type: string; channel?: string; metrics?: { eventId: string }[] }[] = [];
    ws.on('message', (data) =>
      messages.push(JSON.parse(String(data)) as (typeof messages)[number]),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'subscribe', token: STREAM_TOKEN, channels: [scraper] }));
    await until('subscribed', async () => messages.some((m) => m.type === 'subscribed'), 10_000);

    const event = scrape(scraper);
    await accepted(await post(running.url, JSON.stringify(event)), 1);
    await until(
      'a live batch',
      async () => messages.some((m) => m.type === 'metrics_batch'),
      10_000,
    );
    const batch = messages.find((m) => m.type === 'metrics_batch');
    expect(batch?.channel).toBe(scraper);
    expect(batch?.metrics?.map((e) => e.eventId)).toEqual([deriveEventId(event as never)]);
    ws.close();
  });
});
