import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { until } from '@scrapewatch/testkit';
import {
  ALLOWED_ORIGIN,
  TOKEN_ALL,
  TOKEN_ROBINHOOD,
  connect,
  metricValue,
  navigation,
  startHub,
  subscribe,
  LIVE_POLL,
  type HubFixture,
  type StreamClient,
} from './harness';

/** An upgrade request by hand, to read the HTTP answer of a refused upgrade. */
function rawUpgrade(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/v1/stream',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgraded'));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('live hub security and limits', () => {
  let fixture: HubFixture;
  const clients: StreamClient[] = [];
  const track = <T extends StreamClient>(client: T): T => {
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await fixture.close();
  });

  it('closes with 4001 a subscribe without a token, with a wrong one, or with one only in the URL', async () => {
    fixture = await startHub();
    const attempts: [string, Record<string, unknown>][] = [
      [fixture.url, {}],
      [fixture.url, { token: 'not-a-configured-token-at-all' }],
      [`${fixture.url}?token=${TOKEN_ALL}&access_token=${TOKEN_ALL}`, {}],
    ];
    for (const [url, extra] of attempts) {
      const client = track(await connect(url));
      client.send({ type: 'subscribe', channels: ['robinhood'], ...extra });
      expect(await client.waitClosed()).toEqual({ code: 4001, reason: 'UNAUTHORIZED' });
      expect(client.ofType('error')).toEqual([
        { type: 'error', code: 'UNAUTHORIZED', message: expect.any(String) },
      ]);
      expect(client.ofType('subscribed')).toEqual([]);
    }
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_rejected_connections_total', {
        code: 'UNAUTHORIZED',
      }),
    ).toBe(3);
  });

  it('takes the token from the bearer subprotocol and echoes only scrapewatch.v1', async () => {
    fixture = await startHub();
    const client = track(
      await connect(fixture.url, { protocols: ['scrapewatch.v1', `bearer.${TOKEN_ALL}`] }),
    );
    expect(client.ws.protocol).toBe('scrapewatch.v1');
    client.send({ type: 'subscribe', channels: ['robinhood'] });
    await client.waitFor('subscribed');
    fixture.hub.publish([navigation('robinhood')]);
    await client.waitForEvents(1);

    const wrong = track(
      await connect(fixture.url, {
        protocols: ['scrapewatch.v1', 'bearer.wrong-token-0123456789'],
      }),
    );
    expect((await wrong.waitClosed()).code).toBe(4001);
  });

  it('takes the token from an Authorization: Bearer header on the upgrade, as a proxy sends it', async () => {
    fixture = await startHub();
    const client = track(
      await connect(fixture.url, { headers: { Authorization: `Bearer ${TOKEN_ROBINHOOD}` } }),
    );
    client.send({ type: 'subscribe', channels: ['robinhood'] });
    await client.waitFor('subscribed');
    fixture.hub.publish([navigation('robinhood')]);
    await client.waitForEvents(1);
    // The header's scope holds: a channel outside it is refused.
    client.send({ type: 'subscribe', channels: ['cnbc'] });
    const [refused] = await client.waitFor('error');
    expect(refused).toMatchObject({ code: 'FORBIDDEN_SCOPE' });

    const wrong = track(
      await connect(fixture.url, { headers: { Authorization: 'Bearer wrong-token-0123456789' } }),
    );
    expect(await wrong.waitClosed()).toEqual({ code: 4001, reason: 'UNAUTHORIZED' });
  });

  it('closes a connection that does not subscribe within the auth deadline', async () => {
    fixture = await startHub({ authTimeoutMs: 200 });
    const anonymous = track(await connect(fixture.url));
    const bearer = track(
      await connect(fixture.url, { protocols: ['scrapewatch.v1', `bearer.${TOKEN_ALL}`] }),
    );
    expect(await anonymous.waitClosed()).toEqual({ code: 4001, reason: 'UNAUTHORIZED' });
    expect(await bearer.waitClosed()).toEqual({ code: 4400, reason: 'SUBSCRIBE_REQUIRED' });
    await until('no subscriber left', () => fixture.hub.subscriberCount === 0, LIVE_POLL);
  });

  it('limits channels to the scope of the token', async () => {
    fixture = await startHub();
    const client = track(await connect(fixture.url));
    client.send({ type: 'subscribe', token: TOKEN_ROBINHOOD, channels: ['*'] });
    const [wildcard] = await client.waitFor('error');
    expect(wildcard).toMatchObject({
      code: 'FORBIDDEN_SCOPE',
      message: expect.stringContaining('/channels/0'),
    });
    client.send({ type: 'subscribe', channels: ['robinhood', 'cnbc'] });
    const errors = await client.waitFor('error', 2);
    expect(errors[1]).toMatchObject({
      code: 'FORBIDDEN_SCOPE',
      message: expect.stringContaining('/channels/1'),
    });
    client.send({ type: 'subscribe', channels: ['robinhood'] });
    await client.waitFor('subscribed');
    fixture.hub.publish([navigation('cnbc'), navigation('robinhood')]);
    await client.waitForEvents(1);
    expect(client.events().map((e) => e.scraperSource)).toEqual(['robinhood']);
    expect(client.close).toBeUndefined();
  });

  it('refuses a browser Origin outside the allow-list before the upgrade', async () => {
    fixture = await startHub();
    const refused = await rawUpgrade(fixture.port, { Origin: 'https://evil.example.com' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
    await expect(
      connect(fixture.url, { headers: { Origin: 'https://evil.example.com' } }),
    ).rejects.toThrow('403');

    track(await subscribe(fixture.url, { channels: ['a'] }));
    const browser = track(await connect(fixture.url, { headers: { Origin: ALLOWED_ORIGIN } }));
    browser.send({ type: 'subscribe', token: TOKEN_ALL, channels: ['a'] });
    await browser.waitFor('subscribed');
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_rejected_connections_total', {
        code: 'ORIGIN_NOT_ALLOWED',
      }),
    ).toBe(2);
  });

  it('closes with 1009 on a message larger than maxInboundBytes', async () => {
    fixture = await startHub({ maxInboundBytes: 1_024 });
    const client = track(await subscribe(fixture.url, { channels: ['a'] }));
    client.send({ type: 'subscribe', channels: ['b'], padding: 'x'.repeat(2_000) });
    expect(await client.waitClosed()).toEqual({ code: 1009, reason: 'MESSAGE_TOO_LARGE' });
    expect(
      await metricValue(fixture.registry, 'scrapewatch_live_rejected_connections_total', {
        code: 'MESSAGE_TOO_LARGE',
      }),
    ).toBe(1);
  });

  it('answers malformed and unknown messages with coded errors, then closes an abuser with 4429', async () => {
    fixture = await startHub({ maxInvalidMessages: 7 });
    const client = track(await connect(fixture.url));
    const bad: [unknown, string, string][] = [
      ['{not json', 'INVALID_MESSAGE', 'JSON'],
      [{ type: 'hello' }, 'INVALID_MESSAGE', '/type'],
      [{ type: 'unsubscribe', channels: ['a'] }, 'SUBSCRIBE_REQUIRED', 'subscribe'],
      [
        { type: 'subscribe', token: TOKEN_ALL, channels: 'robinhood' },
        'INVALID_MESSAGE',
        '/channels',
      ],
      [
        { type: 'subscribe', token: TOKEN_ALL, channels: ['ok', 'not a name'] },
        'INVALID_MESSAGE',
        '/channels/1',
      ],
      [
        { type: 'subscribe', token: TOKEN_ALL, channels: ['a'], kinds: ['page_view'] },
        'INVALID_MESSAGE',
        '/kinds/0',
      ],
      [
        { type: 'subscribe', token: TOKEN_ALL, channels: ['a'], resume: { a: -1 } },
        'INVALID_MESSAGE',
        '/resume/a',
      ],
    ];
    for (const [index, [message, code, names]] of bad.entries()) {
      client.send(message);
      const errors = await client.waitFor('error', index + 1);
      expect(errors[index]).toMatchObject({ code, message: expect.stringContaining(names) });
    }
    expect(client.close).toBeUndefined();
    client.send({ type: 'subscribe', token: TOKEN_ALL, channels: ['a'], kind: 'page_scrape' });
    expect(await client.waitClosed()).toEqual({ code: 4429, reason: 'ABUSE' });
    expect(client.ofType('error').at(-1)).toMatchObject({ code: 'ABUSE' });
  });

  it('refuses more channels than a subscriber may hold and keeps the set unchanged', async () => {
    fixture = await startHub({ maxChannelsPerSubscriber: 4 });
    const client = track(await subscribe(fixture.url, { channels: ['a', 'b', 'c'] }));
    client.send({ type: 'subscribe', channels: ['d', 'e'] });
    const [error] = await client.waitFor('error');
    expect(error).toMatchObject({ code: 'TOO_MANY_CHANNELS' });
    client.send({ type: 'subscribe', channels: ['a', 'b', 'c', 'd', 'e'] });
    await client.waitFor('error', 2);
    client.send({ type: 'subscribe', channels: ['d'] });
    const subscribed = await client.waitFor('subscribed', 2);
    expect(subscribed[1]?.channels).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses connections past maxSubscribers with 503 at the upgrade', async () => {
    fixture = await startHub({ maxSubscribers: 2 });
    const first = track(await subscribe(fixture.url, { channels: ['a'] }));
    track(await subscribe(fixture.url, { channels: ['a'] }));
    const refused = await rawUpgrade(fixture.port, {});
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'TOO_MANY_SUBSCRIBERS' } });
    first.terminate();
    await until('the first subscriber to go', () => fixture.hub.subscriberCount === 1, LIVE_POLL);
    track(await subscribe(fixture.url, { channels: ['a'] }));
  });

  it('needs no token when auth is off', async () => {
    fixture = await startHub({}, { authEnabled: false });
    const client = track(await connect(fixture.url));
    client.send({ type: 'subscribe', channels: ['*'] });
    await client.waitFor('subscribed');
  });
});
