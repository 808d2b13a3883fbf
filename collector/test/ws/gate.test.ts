import http from 'node:http';
import { WebSocket } from 'ws';
import { pollUntil } from '@scrapewatch/testkit';
import { INGEST_TOKEN, STREAM_TOKEN, startCollector, type RunningCollector } from '../e2e/harness';

// One gate for both WebSocket endpoints: the same origin rule, the same refusal body, a capacity
// limit each, the same heartbeat termination. Real collector, real sockets.

const ALLOWED_ORIGIN = 'https://grafana.example.com';
const ENDPOINTS = [
  { path: '/v1/ingest', token: INGEST_TOKEN, capacityCode: 'TOO_MANY_CONNECTIONS' },
  { path: '/v1/stream', token: STREAM_TOKEN, capacityCode: 'TOO_MANY_SUBSCRIBERS' },
] as const;

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One upgrade request; the answer's status, headers and body (a 101 socket is destroyed). */
function rawUpgrade(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname,
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function open(
  url: string,
  headers: Record<string, string>,
  options: { autoPong?: boolean } = {},
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

describe('the WebSocket gate on /v1/ingest and /v1/stream', () => {
  let running: RunningCollector | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await running?.close();
    running = undefined;
  });

  it.each(ENDPOINTS)(
    '$path: origins match case-insensitively; a foreign one gets the one refusal body',
    async ({ path, token }) => {
      running = await startCollector({ env: { SCRAPEWATCH_ALLOWED_ORIGINS: ALLOWED_ORIGIN } });
      const auth = { authorization: `Bearer ${token}` };
      const upper = await rawUpgrade(running.url, path, {
        ...auth,
        Origin: 'HTTPS://Grafana.Example.COM',
      });
      expect(upper.status).toBe(101);

      const refused = await rawUpgrade(running.url, path, {
        ...auth,
        Origin: 'https://evil.example.com',
      });
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(refused.body)).toEqual({
        error: {
          code: 'ORIGIN_NOT_ALLOWED',
          message: 'The Origin is not in the allow-list.',
          details: [],
        },
      });
      // Not from a browser (no Origin): admitted, tokens still apply.
      expect((await rawUpgrade(running.url, path, auth)).status).toBe(101);
    },
  );

  it('the GET APIs (CORS) compare origins by the same rule', async () => {
    running = await startCollector({ env: { SCRAPEWATCH_ALLOWED_ORIGINS: ALLOWED_ORIGIN } });
    const headers = { authorization: `Bearer ${STREAM_TOKEN}` };
    const mixed = await fetch(`${running.url}/v1/scrapers`, {
      headers: { ...headers, origin: 'HTTPS://Grafana.Example.COM' },
    });
    expect(mixed.status).toBe(200);
    expect(mixed.headers.get('access-control-allow-origin')).toBe('HTTPS://Grafana.Example.COM');
    const foreign = await fetch(`${running.url}/v1/scrapers`, {
      headers: { ...headers, origin: 'https://evil.example.com' },
    });
    expect(foreign.status).toBe(403);
  });

  it.each(ENDPOINTS)(
    '$path: past its capacity an upgrade is refused with 503, Retry-After and its code',
    async ({ path, token, capacityCode }) => {
      running = await startCollector({
        env: { SCRAPEWATCH_MAX_INGEST_CONNECTIONS: '1', SCRAPEWATCH_MAX_SUBSCRIBERS: '1' },
      });
      const auth = { authorization: `Bearer ${token}` };
      const first = await open(`${running.wsUrl}${path}`, auth);
      sockets.push(first.ws);

      const { url } = running;
      const refused = await rawUpgrade(url, path, auth);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(JSON.parse(refused.body)).toEqual({
        error: { code: capacityCode, message: expect.any(String), details: [] },
      });

      // The limit is per endpoint: the other one still admits.
      const other = ENDPOINTS.find((e) => e.path !== path)!;
      const beside = await open(`${running.wsUrl}${other.path}`, {
        authorization: `Bearer ${other.token}`,
      });
      sockets.push(beside.ws);

      // A slot frees once the first socket has closed.
      first.ws.close();
      await first.closed;
      await pollUntil(
        'an upgrade accepted (101) in the freed slot',
        async () => (await rawUpgrade(url, path, auth)).status,
        (status) => status === 101,
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    },
  );

  it.each(ENDPOINTS)(
    '$path: a peer that does not answer pings is terminated (1006); a healthy one stays',
    async ({ path, token }) => {
      running = await startCollector({ env: { SCRAPEWATCH_HEARTBEAT_INTERVAL_MS: '200' } });
      const auth = { authorization: `Bearer ${token}` };
      const healthy = await open(`${running.wsUrl}${path}`, auth);
      const silent = await open(`${running.wsUrl}${path}`, auth, { autoPong: false });
      sockets.push(healthy.ws, silent.ws);
      if (path === '/v1/stream') {
        for (const ws of [healthy.ws, silent.ws]) {
          ws.send(JSON.stringify({ type: 'subscribe', channels: ['gate'] }));
        }
      }
      let pings = 0;
      silent.ws.on('ping', () => (pings += 1));

      const started = Date.now();
      expect(await silent.closed).toEqual({ code: 1006, reason: '' });
      expect(pings).toBeGreaterThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    },
  );
});
