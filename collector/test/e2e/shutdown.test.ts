import http from 'node:http';
import WebSocket from 'ws';
import {
  INGEST_TOKEN,
  scrape,
  startCollector,
  uniquePrefix,
  waitForRows,
  type RunningCollector,
} from './harness';

const prefix = uniquePrefix('e2e-shutdown');

describe('close()', () => {
  let running: RunningCollector | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('finishes a request in flight, stores it, closes sockets and stops listening', async () => {
    running = await startCollector();
    const { collector, url, wsUrl } = running;
    const scraper = `${prefix}-inflight`;
    const body = Buffer.from(
      JSON.stringify([scrape(scraper), scrape(scraper, { itemsExtracted: 9 })]),
    );

    const ingestSocket = new WebSocket(`${wsUrl}/v1/ingest`, {
      headers: { authorization: `Bearer ${INGEST_TOKEN}` },
    });
    const socketClosed = new Promise<number>((resolve) => ingestSocket.on('close', resolve));
    await new Promise((resolve) => ingestSocket.once('open', resolve));

    const arrived = new Promise<void>((resolve) =>
      collector.server.once('request', () => resolve()),
    );
    const req = http.request(`${url}/v1/metrics`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${INGEST_TOKEN}`,
        'content-length': String(body.length),
      },
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (text += part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
    });
    req.write(body.subarray(0, 10));
    await arrived;

    const closed = collector.close();
    let closeDone = false;
    void closed.then(() => (closeDone = true));
    // The rest of the body arrives after close() began: it is still accepted and stored.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closeDone).toBe(false);
    req.end(body.subarray(10));

    expect(await answer).toEqual({
      status: 202,
      text: JSON.stringify({ accepted: 2, durability: 'committed' }),
    });
    await closed;
    expect(await socketClosed).toBe(1001);
    expect(collector.server.listening).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await waitForRows('page_scrape', `scraper = '${scraper}'`, 2);
  });

  it('is idempotent', async () => {
    running = await startCollector();
    await Promise.all([running.collector.close(), running.collector.close()]);
    await running.collector.close();
  });
});
